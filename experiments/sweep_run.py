"""The sweep's work (experiments/sweep.py holds its flags and entry point): each study's
values trained in as few compiled programs as their shapes allow, measured, and written.
Imported when a sweep runs, so that `--help` answers without starting JAX."""
import dataclasses
import pathlib
import sys
import time

import jax
import numpy as np

from ae import InputError, autoencoder, data, memory, processes, program, report, runs, train
from ae.config import TrainConfig
from ae.data import BUILTIN
from ae.models import AEConfig
from experiments import runner, sweep_claims, sweep_report, sweep_studies
from experiments.sweep import NAME
from experiments.sweep_studies import STUDIES


def plan(config):
  """{study: [Value, ...]} for the config (InputError on a bad study or value)."""
  if config.seeds < 1 or config.seed < 0 or config.solver_steps < 1 or not (
      0 < config.powell_seconds < float("inf")):
    raise InputError("--seeds and --solver_steps must be >= 1, --seed >= 0, --powell_seconds > 0")
  if config.values is not None and config.study in ("all", "presets"):
    raise InputError(f"--values applies to one study, not --study={config.study}")
  if config.values is not None and not config.values.strip(" ,"):
    raise InputError("--values is empty: give the study's values, e.g. --values=0.01,0.1")
  if config.seed + config.seeds > 2**31 - 1:
    raise InputError(f"--seed + --seeds must stay below 2**31, got --seed={config.seed} "
                     f"--seeds={config.seeds}")
  if config.study == "presets":
    return {"presets": sweep_studies.presets()}
  names = STUDIES if config.study == "all" else (config.study,)
  out = {}
  for s in names:
    vals = sweep_studies.values(s, config.base, config.values, config.solver_steps,
                                config.powell_seconds)
    if s == "solver" and "bfgs" not in [v.label for v in vals] and config.values is None:
      print(f"{NAME}: solver: bfgs left out on the {config.base} base (dense BFGS on its "
            f"{vals[0].model.n_params:,} weights would take many minutes; ask with --values)",
            file=sys.stderr)
    if s == "optimizer":  # each optimizer over a grid of eta; the best one is kept
      vals = [v._replace(label=f"{v.label}@{eta:g}", train=dataclasses.replace(v.train, eta=eta))
              for v in vals for eta in sweep_studies.ETA_GRID]
    for v in vals:
      g = v.data.load()
      v.model.check(g.x.shape[1])
      v.train.check(len(g))
      train.check_across_processes(v.train)
    out[s] = vals
  for vals in out.values():  # each batched group is one fit: it must fit in memory
    groups = {}
    for v in vals:
      groups.setdefault(_group_key(v), []).append(v)
    for (shape, model, t), group in groups.items():
      memory.check_memory(dataclasses.replace(t, seeds=len(group) * config.seeds),
                          model.n_params, shape[0], sum(model.arch))
  return out


def _per_run(v):
  """{field: value} of a Value's fields that may differ per run in one compiled program
  (program.RUN_FIELDS of the training, autoencoder.RUN_FIELDS of the model), where they
  apply (a field its config calls inert, e.g. eta without an optimizer, stays static)."""
  out = {}
  for cfg, names in ((v.train, program.RUN_FIELDS), (v.model, autoencoder.RUN_FIELDS)):
    inert = cfg.without_effect()
    out.update({f: getattr(cfg, f) for f in names if f not in inert})
  return out


def _group_key(v):
  """Values with equal keys share one compiled program: the per-run fields set to their
  defaults, the data by its shape."""
  per_run = _per_run(v)
  t = dataclasses.replace(v.train, **{f: getattr(TrainConfig(), f) for f in per_run
                                       if f in program.RUN_FIELDS})
  m = dataclasses.replace(v.model, **{f: getattr(AEConfig(), f) for f in per_run
                                       if f in autoencoder.RUN_FIELDS})
  return v.data.load().x.shape, m, t


def run_group(vals, seeds, progress, should_stop):
  """One compiled program for values that differ only in per-run fields or data."""
  _, model, cfg = _group_key(vals[0])
  xs = [v.data.load().x for v in vals]
  same = all(v.data == vals[0].data for v in vals)
  run_seeds = [s for _ in vals for s in seeds]
  hyper = {f: [_per_run(v)[f] for v in vals for _ in seeds] for f in _per_run(vals[0])}
  data = {"x": xs[0]} if same else {"x": np.stack([x for x in xs for _ in seeds])}
  return train.fit_runs(autoencoder.task_factory(model), data, cfg, run_seeds, hyper,
                        data_per_run=not same, progress=progress, should_stop=should_stop)


def run_study(values, seeds, progress=None, should_stop=None):
  """Every value of a study: (results per value, params per value, history per value)."""
  groups = {}
  for i, v in enumerate(values):
    groups.setdefault(_group_key(v), []).append(i)
  results, params, histories = [None] * len(values), {}, {}
  n = len(seeds)
  for idx in groups.values():
    vals = [values[i] for i in idx]
    t0 = time.perf_counter()
    fit = run_group(vals, seeds, progress and progress.fresh(), should_stop)  # a bar per group
    share = (time.perf_counter() - t0) / len(vals)
    if not fit.steps:  # stopped before this group trained: its values are not run
      break
    for k, i in enumerate(idx):
      v, sl = values[i], slice(k * n, (k + 1) * n)
      p = {name: a[sl] for name, a in fit.history.items()}
      prm = jax.tree.map(lambda a, sl=sl: a[sl], fit.params)
      g = v.data.load()
      final, errors = autoencoder.evaluate(v.model, prm, g.x)
      m = report.build(seeds, np.asarray(final), p["loss"][:, 0], {
          "compile_seconds": fit.timing["compile_seconds"] / len(vals),
          "train_seconds": fit.timing["train_seconds"] / len(vals)},
          report.pixel_per_seed(errors), report.pixel_score(errors, final),
          lambda ok, e=np.asarray(errors): report.pixel_summary(e, ok), g.chars,
          fit.interrupted)
      m["summary"].update(value=v.label, seconds=round(share, 2), batched_with=len(vals),
                          steps=fit.steps[-1] if fit.steps else 0)
      results[i], params[v.label], histories[v.label] = m, prm, (fit.steps, p)
    if fit.interrupted:
      break
  return results, params, histories


def run(config, run_dir, progress=None, should_stop=None):
  """Runs the study (or all of them) and writes the run directory; returns the metrics."""
  studies = plan(config)
  seeds = list(range(config.seed, config.seed + config.seeds))
  runner.stop_early(should_stop)
  with runner.run_directory(run_dir) as b:   # across processes: process 0 writes
    writer, out, t_all, stopped = b is not None, {}, time.perf_counter(), False
    for study, vals in studies.items():
      if writer:
        print(f"{NAME}: {study}: {len(vals)} values x {len(seeds)} seeds ({config.base} base)",
              file=sys.stderr)
      results, params, hist = run_study(vals, seeds, progress, should_stop)
      if study == "optimizer":
        results, vals, params, hist, search = sweep_report.best_per_optimizer(
            results, vals, params, hist)
      done = [(v, r) for v, r in zip(vals, results) if r is not None]
      if not done:  # stopped before any of its values trained
        stopped = True
        break
      for v, r in done:   # beside PCA of its own glyphs, and its seeds' maps aligned
        sweep_report.yardsticks(v, r, params[v.label])
      out[study] = {"values": [r for _, r in done]}
      if study == "optimizer":
        out[study]["eta_search"] = search
      if writer:
        runs.save_params(b.tmp / f"params_{study}.npz", params)
        sweep_report.study_figures(b.tmp, study, done, params)
      # during training or the figures; every process stops after the same study
      if processes.any_process(should_stop is not None and should_stop()):
        stopped = True
        break
    if not out:
      raise runner.Stopped  # nothing trained: nothing is written
    if not writer:
      return {"summary": {"interrupted": stopped}}
    metrics = sweep_report.metrics(config, out, time.perf_counter() - t_all)
    if stopped:  # every finished study is kept; the summary names the ones not run
      metrics["summary"]["interrupted"] = True
      metrics["summary"]["studies_not_run"] = [s for s in studies if s not in out]
      print(f"{NAME}: interrupted; studies not run: "
            f"{', '.join(metrics['summary']['studies_not_run']) or 'none'}", file=sys.stderr)
    # each font whole (a study's subsets are its first glyphs)
    datasets = {v.data.dataset: data.load(v.data.dataset) for vals in studies.values()
                for v in vals}
    base = next(iter(datasets.values()))
    runs.write_run(b.tmp, NAME, config, {k: g.x for k, g in datasets.items()}, base.chars,
                   {"name": "sweep", "shape": list(base.shape)})
    _reports(b.tmp, config, metrics)
  return _summary(metrics, b.path)


def _reports(run_dir, config, metrics):
  """metrics.json, table.md and report.md of a sweep run."""
  runs.save_json(run_dir / "metrics.json", metrics)
  (run_dir / "table.md").write_text(sweep_report.table(metrics))
  (run_dir / "report.md").write_text(sweep_claims.conclusions(config, metrics))


def _summary(metrics, path):
  print(sweep_report.table(metrics))
  print(f"run dir: {path}")
  return metrics


def redraw(default, load_dir, run_dir):
  """--load: a saved sweep's figures, table.md and report.md again, into a new run directory,
  from its own files (metrics.json, params_<study>.npz, data.npz); the loaded run is only
  read."""
  load_dir = pathlib.Path(load_dir)
  where = load_dir / "config.json"
  if not load_dir.is_dir():
    raise InputError(f"--load={load_dir}: no such directory")
  saved = runs.load_json(where, load_dir)
  if not isinstance(saved, dict) or saved.get("experiment") != NAME:
    raise InputError(f"{where}: not a {NAME} run")
  config = runs.checked(runs.restore(default, saved.get("config"), str(where)), where)
  arrays, labels, meta = runs.load_data(load_dir / "data.npz", saved.get("data_sha256"),
                                        saved.get("data_hash_covers"), load_dir)
  studies = plan(config)
  for name, x in arrays.items():  # the fonts it trained on, as this package ships them
    if name not in BUILTIN or not np.array_equal(x, data.load(name).x):  # whole
      raise InputError(f"{load_dir / 'data.npz'}: {name} is not the font it names")
  first = data.load(next(iter(arrays))) if arrays else None
  if first is None or tuple(labels) != tuple(first.chars) or meta != {
      "name": "sweep", "shape": list(first.shape)}:
    raise InputError(f"{load_dir / 'data.npz'}: its labels or meta are not those a sweep "
                     "writes")
  metrics = runs.load_json(load_dir / "metrics.json", load_dir)
  found = {}
  try:
    for study, o in metrics["studies"].items():
      params = runs.load_params(load_dir / f"params_{study}.npz", load_dir)
      if not o["values"] or not isinstance(params, dict) or set(params) != {
          r["summary"]["value"].split(" (best eta")[0] for r in o["values"]}:
        raise InputError(f"{load_dir}/params_{study}.npz: its arrays are not those of the "
                         f"values metrics.json lists for {study}")
      done = []
      for r in o["values"]:
        if not isinstance(r["summary"], dict) or len(r["per_seed"]) != config.seeds or not all(
            isinstance(p, dict) for p in r["per_seed"]):
          raise InputError(f"{load_dir}/metrics.json: {study}: a value without a summary "
                           f"and {config.seeds} per-seed entries")
        label = r["summary"]["value"].split(" (best eta")[0]
        v = next(v for v in studies[study] if v.label == label or
                 v.label.startswith(f"{label}@"))._replace(label=label)
        runner.check_params(autoencoder.task(v.model), params[label],
                              f"{load_dir}/params_{study}.npz: {label}", config.seeds)
        done.append((v, r))
      found[study] = (done, params)
  except (KeyError, TypeError, AttributeError, StopIteration):
    raise InputError(f"{load_dir}: metrics.json and the params_<study>.npz files are not "
                     f"those of a {NAME} run of its config.json") from None
  with runs.Building(run_dir) as b:
    for study, (done, params) in found.items():
      runs.save_params(b.tmp / f"params_{study}.npz", params)
      sweep_report.study_figures(b.tmp, study, done, params)
    metrics["loaded_from"] = str(load_dir)
    runs.write_run(b.tmp, NAME, config, arrays, labels, meta, loaded_from=load_dir)
    _reports(b.tmp, config, metrics)
  return _summary(metrics, b.path)


