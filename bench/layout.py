"""--layout=columns (the default) against --layout=rows: seconds per seed, and how far the
numbers move.

  python -m bench.layout                        # both nets, 256 seeds, 1000 steps (~3 min)
  python -m bench.layout --nets=peers --steps=3000

rows (the default before 2026-11-28) stores a layer's activations as (samples, features): each
weight gradient then contracts the rows of both operands (a TN product), which XLA's CPU
backend runs on its own dot emitter, at 1-22 GFLOP/s for the peers' net (bench.profile).
columns stores them as (features, samples) and every per-seed product is NN or NT, on YNNPACK
(mlp.apply_columns). Each net of bench.nets.nets trains through train.fit_seeds both ways,
interleaved. The table gives the median seconds per seed, the seeds with 0 wrong pixels, and
the median relative gap between a seed's two final losses: the sums run in another order, so no
seed keeps its rows trajectory bit for bit. Nor does rows itself with another seed count: the
--alone rows fit the first seeds again with rows, fewer at a time, and show how far that alone
moves them from the batched rows fit. For the peers' net, scikit-learn's MLPRegressor (adam,
bench.peers' --seeds seeds) runs in the same rounds, when the bench extra is installed, for the
ratio issue 13 sets (30x): its median over the rounds of MLPRegressor's time over ours, with
the lowest and highest round.
"""
import dataclasses
import statistics

import jax
import numpy as np
from absl import app, flags

from ae import autoencoder, data, train
from bench import flops_per_seed, nets, peers
from experiments import startup

_NETS, _REPEAT = nets.define_net_flags(steps=1000)
_ALONE = flags.DEFINE_integer("alone", 16, "Also fit the first this many seeds with rows, in "
                              "one fit of their own and one seed at a time: how far rows' own "
                              "numbers move with the seed count (0: skip).", lower_bound=0)


def main(argv):
  del argv
  startup.use_all_cores()
  seeds, steps = nets.BATCHED.value, nets.STEPS.value
  n_sk = nets.SEEDS.value
  x = data.load("font2").x
  print(f"font2, {seeds} seeds on {len(jax.devices())} devices, {steps} full-batch Adam steps;"
        f" medians of {_REPEAT.value} fits per layout after a compiling one, interleaved\n")
  print("| net | layout | s per seed | GFLOP/s | speed-up | x faster than MLPRegressor, by round | "
        "seeds 0 px | final loss gap |\n|---|---|---|---|---|---|---|---|")
  sklearn = _has_sklearn()
  for name in _NETS.value:
    model, cfg = nets.nets(seeds)[name]
    tasks = {"rows (samples, features)": autoencoder.task(
                 dataclasses.replace(model, layout="rows")),
             "columns (features, samples)": autoencoder.task(
                 dataclasses.replace(model, layout="columns"))}
    times = {k: [] for k in tasks}
    fits, sk = {}, []
    for i in range(_REPEAT.value + 1):
      for k, t in tasks.items():
        fits[k] = train.fit_seeds(t, {"x": x}, cfg)
        if i:  # the first fit compiles
          times[k].append(fits[k].timing["train_seconds"] / seeds)
      if i and name == "peers" and sklearn:  # its task is the peers' net's
        sk.append(statistics.median(peers.sklearn(x, range(n_sk), "adam")[1]))
    final, errors = {}, {}
    for k, f in fits.items():
      final[k], errors[k] = map(np.asarray, autoencoder.evaluate(model, f.params, x))
    base = statistics.median(next(iter(times.values())))
    ref = next(iter(final.values()))
    net = f"{name} {'-'.join(map(str, model.arch))}"
    for k in tasks:
      t = statistics.median(times[k])
      gap = np.median(np.abs(final[k] - ref) / ref)
      print(f"| {net} | {k} | {t:.3g} | "
            f"{flops_per_seed(model.arch, len(x), steps) / t / 1e9:.0f} | {base / t:.2f} | "
            f"{_ratios(sk, times[k])} | "
            f"{int((errors[k].max(1) == 0).sum())}/{seeds} | {gap:.1%} |", flush=True)
    for label, alone in _alone_fits(tasks["rows (samples, features)"], x, cfg):
      each = [autoencoder.evaluate(model, f.params, x) for f in alone]
      loss = np.concatenate([np.asarray(l) for l, _ in each])
      err = np.concatenate([np.asarray(e) for _, e in each])
      gap = np.median(np.abs(loss - ref[:len(loss)]) / ref[:len(loss)])
      print(f"| {net} | {label} |  |  |  |  | {int((err.max(1) == 0).sum())}/{len(loss)} | "
            f"{gap:.1%} |", flush=True)
    if sk:
      print(f"| {net} | scikit-learn MLPRegressor, adam, {n_sk} seed{'s' * (n_sk > 1)} | "
            f"{statistics.median(sk):.4f} |  |  | 1.0 |  |  |", flush=True)


def _alone_fits(task, x, cfg):
  """(label, fits) for the first --alone seeds with rows: in one fit, then one at a time."""
  k = min(_ALONE.value, cfg.seeds)
  if not k:
    return []
  one = [train.fit_seeds(task, {"x": x}, dataclasses.replace(cfg, seeds=1, seed=cfg.seed + i))
         for i in range(k)]
  return [(f"rows, seeds 0-{k - 1} in a fit of {k}",
           [train.fit_seeds(task, {"x": x}, dataclasses.replace(cfg, seeds=k))]),
          (f"rows, seeds 0-{k - 1} one at a time", one)]


def _ratios(sk, times):
  """MLPRegressor's seconds per seed over ours, round by round (peers.ratio), or "" without
  it. Its time per seed moved by up to 2x between rounds on the shared 2-core machine."""
  return peers.ratio(sk, times) if sk else ""


def _has_sklearn():
  try:
    import sklearn  # noqa: F401  pylint: disable=g-import-not-at-top,unused-import
  except ImportError:
    print("(scikit-learn is not importable: no MLPRegressor ratio; pip install -e "
          '".[bench]")')
    return False
  return True


if __name__ == "__main__":
  app.run(main)
