"""The sequence every training experiment runs, written once.

  job = experiment.prepare(config)      # validates everything: InputError before any work
  metrics = runner.run(job, run_dir)  # header, fit, metrics, run directory, figures, summary

An experiment supplies a Job: its config, task and data, and what it computes and draws from a
fit. Everything else (the training core, the memory check, the run directory built aside, the
files every run holds, figures skipped when interrupted, the summary's footer) lives here.
"""
import contextlib
import dataclasses
import pathlib
import sys
from typing import Any, Callable

import jax
import numpy as np

from ae import InputError, memory, processes, runs, schedule, train
from ae.task import param_shapes
from experiments import drawing
from experiments.startup import Stopped


@dataclasses.dataclass(frozen=True, kw_only=True)
class Job:
  """One experiment's run, as the runner needs it; built by keyword, so each part is named
  where it is made."""
  name: str            # the experiment: config.json's "experiment", the header's first word
  config: Any          # the experiment's frozen config as it runs (with .train)
  what: str            # the header's description of the data
  arch: tuple          # layer sizes, input to output, for the header
  task: Any            # the train.Task (or hyper -> Task)
  data: dict           # what the task trains on (train.fit_seeds' data)
  saved: tuple         # (arrays, labels, meta): the exact data, for runs.write_run
  floats_per_sample: int  # activations per sample, for the memory estimate
  evaluate: Callable   # fit -> (metrics dict, extra): extra is what the figures need
  figures: Callable    # (run_dir, fit, metrics, extra) -> None: files under run_dir/figures
  summary: Callable    # metrics -> None: the table on stdout (print_footer ends it)
  save: Callable = None  # (run_dir, extra) -> None: files beyond the standard ones (optional)
  explorer: Callable = None  # (run_dir, fit, metrics, extra) -> metrics' "explorer" entry


def check(job):
  """The checks every job shares: the training config against its data, and memory."""
  n = len(jax.tree.leaves(job.data)[0])
  job.config.train.check(n)
  train.check_across_processes(job.config.train)
  memory.check_memory(job.config.train, train.param_count(job.task), n, job.floats_per_sample)


def stop_early(should_stop):
  """Stopped when a signal came before any work (across processes the first chunk of
  training agrees on it instead, so every process stops at the same place)."""
  if should_stop is not None and should_stop() and not processes.several():
    raise Stopped


@contextlib.contextmanager
def run_directory(run_dir):
  """The run directory, built aside (runs.Building) by the one writer, process 0; None on
  every other process, which trains its shards and writes nothing. Stopped or any other
  exception inside leaves nothing behind."""
  if not processes.is_writer():
    yield None
    return
  with runs.Building(run_dir) as b:
    yield b


def run(job, run_dir, progress=None, should_stop=None):
  """Trains job.config.train.seeds seeds of the job's task and writes the run directory
  (complete or absent); returns the metrics."""
  check(job)
  stop_early(should_stop)
  with run_directory(run_dir) as b, drawing.drawer(job.figures, b is not None) as drawer:
    bar = progress if b is not None else None   # the writer's terminal alone shows progress
    if b is not None:
      header(job)
    fit = train.fit_seeds(job.task, job.data, job.config.train, bar, should_stop)
    getattr(bar, "close", lambda: None)()  # the bar's line ends before anything else
    if not fit.steps:
      raise Stopped  # nothing trained: nothing is written
    if b is None:
      return {"summary": {"interrupted": fit.interrupted}, "per_seed": []}
    metrics = _write(job, b.tmp, fit, drawer, stopped=should_stop or (lambda: False))
  print_footer(metrics, b.path)   # the run directory is complete: it can be named
  return metrics


def redraw(name, default, prepare, load_dir, run_dir, **changes):
  """--load: a new run directory (metrics, figures, summary) from a saved run's own files
  alone; `changes` (the experiment's drawing fields) replace the saved config's. The loaded
  run is only read. prepare(config, saved=(arrays, labels, meta), loaded_from=load_dir)."""
  config, saved, params, (steps, history) = runs.read_run(load_dir, name, default)
  if history is None:
    raise InputError(f"{load_dir}/history.npz: missing (every run writes it)")
  job = prepare(dataclasses.replace(config, **changes), saved=saved, loaded_from=load_dir)
  check(job)
  check_params(job.task, params, f"{load_dir}/params.npz")
  fit = train.Fit(params, history, [int(s) for s in steps],
                  {"compile_seconds": 0.0, "train_seconds": 0.0}, False)
  with runs.Building(run_dir) as b, drawing.drawer(job.figures) as drawer:
    metrics = _write(job, b.tmp, fit, drawer, load_dir)
  job.summary(metrics)   # after the figures: a loaded run's table names its decoded points
  print_footer(metrics, b.path)
  return metrics


def check_regenerated(arrays, fresh, where, what):
  """InputError naming `where` unless a loaded run's arrays are those its config makes
  again (`fresh`: name -> array), for data drawn from the config rather than read."""
  if set(arrays) != set(fresh) or not all(
      np.shape(arrays[k]) == np.shape(v) and np.allclose(arrays[k], v, atol=1e-6)
      for k, v in fresh.items()):
    raise InputError(f"{where}: not the {what} its config.json describes")


def check_params(task, params, where, seeds=None):
  """InputError naming `where` unless params (with a seed axis, of `seeds` seeds when given)
  have the task's structure and shapes."""
  want = param_shapes(task)
  try:
    same = (jax.tree.structure(params) == jax.tree.structure(want) and all(
        np.ndim(a) == len(w.shape) + 1 and np.shape(a)[1:] == w.shape
        and seeds in (None, np.shape(a)[0])
        for a, w in zip(jax.tree.leaves(params), jax.tree.leaves(want))))
  except (TypeError, ValueError):
    same = False
  if not same:
    raise InputError(f"{where}: its arrays do not have the shapes of the config's model")


def _write(job, tmp, fit, drawer, loaded_from=None, stopped=lambda: False):
  """Everything a run directory holds, from a fit; figures (by `drawer`, drawing.py) unless
  it was interrupted, or a signal came since (an interrupted run stops quickly; --load draws
  them)."""
  metrics, extra = job.evaluate(fit)
  metrics["summary"]["step_reached"] = int(fit.steps[-1])   # of steps_planned: where it stopped
  metrics["summary"]["steps_planned"] = int(job.config.train.iterations)
  if loaded_from is not None:
    metrics["loaded_from"] = str(loaded_from)
  if not fit.interrupted and stopped():
    metrics["summary"]["interrupted"] = True  # trained to the end; figures left to --load
  drawn = not metrics["summary"]["interrupted"]
  if drawn:   # drawn aside while the rest is written
    drawer.draw(tmp, fit, metrics, extra)
  runs.write_run(tmp, job.name, job.config, *job.saved, loaded_from=loaded_from)
  runs.save_params(tmp / "params.npz", fit.params)
  if fit.history is not None:
    runs.save_history(tmp / "history.npz", fit.steps, fit.history, job.config.train.seed)
  if job.save is not None:
    job.save(tmp, extra)
  if loaded_from is None:   # the numbers as soon as they exist, not after seconds of figures
    job.summary(metrics)
    sys.stdout.flush()
  if drawn:
    metrics = drawer.result()   # as the figures left them (latent2d adds its new letters)
    if job.explorer is not None:
      metrics["explorer"] = job.explorer(tmp, fit, metrics, extra)
  runs.save_json(tmp / "metrics.json", metrics)
  return metrics


def header(job):
  """The run's first line (stderr): the data, the seeds and what the schedule really runs;
  a warning when dense BFGS will be slow."""
  t = job.config.train
  print(f"{job.name}: {job.what}, {t.seeds} seed{'s' * (t.seeds > 1)}, arch "
        f"{'-'.join(map(str, job.arch))}; {schedule.describe(t)}", file=sys.stderr)
  n_params = train.param_count(job.task)
  if t.solver == "bfgs" and n_params > 2000:
    print(f"  note: BFGS keeps a dense {n_params} x {n_params} inverse Hessian; expect about "
          f"{n_params ** 2 / 5e5:.0f} ms per iteration per seed on 2 cores (--solver=lbfgs is "
          "the cheap quasi-Newton method)", file=sys.stderr)


def diverged_text(summary):
  """The diverged seeds named ('seed 3, seed 5'), or 'none': never a bare number that reads
  as a count."""
  return ", ".join(f"seed {s}" for s in summary["diverged_seeds"]) or "none"


def shown(value, spec="", unit=""):
  """A summary value for the table: '-' where there is none (every seed diverged), never
  'None'."""
  return "-" if value is None else f"{value:{spec}}{unit}"


def print_table(rows):
  """The summary table on stdout (label, value rows)."""
  w = max(len(k) for k, _ in rows)
  for k, v in rows:
    print(f"{k:<{w}}  {v}")


def print_footer(metrics, run_dir):
  """The end of every summary: the diverged seeds on stderr, the explorer page (or why there
  is none), the run directory last."""
  for p in metrics["per_seed"]:
    if p["diverged"]:
      print(f"seed {p['seed']} diverged (its loss ended non-finite or above where it "
            "started)", file=sys.stderr)
  s = metrics["summary"]
  if s.get("interrupted"):
    reached = (f" at step {s['step_reached']} of {s['steps_planned']}"
               if "step_reached" in s else "")
    print(f"interrupted{reached}: the run holds the steps done before the signal; figures "
          f"skipped (--load={run_dir} draws them)")
  page = metrics.get("explorer")
  if page is not None:
    print(f"explorer: {pathlib.Path(run_dir) / page['file']}" if page["file"] else
          f"explorer: none ({page['why']})")
  print(f"run dir: {run_dir}")
