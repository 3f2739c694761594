"""Every solver method x backend, solver alone from the same initial weights.

  python -m bench.solvers                         # font2, 32 glyphs, 35-29-23-2-23-29-35, 8 seeds
  python -m bench.solvers --only=optimistix:bfgs,optax:lbfgs --iterations=200

JAX backends train all seeds in one vmapped, seed-sharded call (compile timed apart); scipy
runs seed after seed on the host (its jitted loss compiles once, on the first seed), on
--host_seeds seeds. jaxopt's and scipy's BFGS update the inverse Hessian with dense n x n
matrix products (O(n^3): ~1-2 s per iteration on this 3.6k-parameter net), so they run
--slow_iterations and the table scales their time to --iterations. Powell runs under
--powell_seconds per seed.
"""
import dataclasses
import time

import numpy as np
from absl import app, flags

from ae import autoencoder, choices, data, report, train
from ae.autoencoder import AEConfig
from ae.config import TrainConfig
from experiments import startup

_ONLY = flags.DEFINE_list("only", None, "backend:method pairs to run (default: all).")
_ITER = flags.DEFINE_integer("iterations", 200, "Solver iterations.")
_SLOW_ITER = flags.DEFINE_integer("slow_iterations", 10, "Iterations for jaxopt BFGS.")
_POWELL_SECONDS = flags.DEFINE_float("powell_seconds", 60.0, "Wall-time cap per Powell seed.")
_POWELL_SEEDS = flags.DEFINE_integer("powell_seeds", 1, "Seeds for Powell (each takes the cap).")
_HOST_SEEDS = flags.DEFINE_integer("host_seeds", 2, "Seeds for the scipy backend.")
_SEED = flags.DEFINE_integer("seed", 0, "First seed.")
_SEEDS = flags.DEFINE_integer("seeds", 8, "Seeds for the JAX backends.")
SLOW = {("jaxopt", "bfgs"), ("scipy", "bfgs")}

ARCH = (35, 29, 23, 2, 23, 29, 35)
MODEL = AEConfig(arch=ARCH)


def row(backend, method, cfg, g):
  n = cfg.seeds
  t0 = time.perf_counter()
  fit = train.fit_seeds(autoencoder.task(MODEL), {"x": g.x}, cfg)
  wall = time.perf_counter() - t0
  final, errors = autoencoder.evaluate(MODEL, fit.params, g.x)
  s = report.build(range(cfg.seed, cfg.seed + n), final, fit.history["loss"][:, 0], fit.timing,
                   summary_fn=lambda ok: report.pixel_summary(errors, ok))["summary"]
  done = fit.history["solver_iterations"][:, -1]
  its = cfg.iterations
  per_seed = s["train_seconds_per_seed"]
  scale = _ITER.value / its
  return (f"| {backend} | {method} | {its} | {int(np.median(done))} | "
          f"{s['compile_seconds']:.1f} | {s['train_seconds']:.2f} | {per_seed:.2f} | "
          f"{per_seed * scale:.2f} | {np.median(final):.4f} | {s['max_pixel_error_median']:g} | "
          f"{s['seeds_le1']}/{n} | {wall:.1f} |")


def main(argv):
  del argv
  startup.use_all_cores()
  g = data.load("font2")
  n, seed = _SEEDS.value, _SEED.value
  base = TrainConfig(optimizer="none", log_every=1, seed=seed, seeds=n)
  pairs = [(b, m) for b, ms in choices.BACKENDS.items() for m in ms]
  if _ONLY.value:
    pairs = [tuple(p.split(":")) for p in _ONLY.value]
  print(f"font2, 32 glyphs, arch {'-'.join(map(str, ARCH))}, solver alone from Glorot init, "
        f"seeds {seed}..{seed + n - 1}\n")
  print("| backend | method | iterations run | median done | compile s | train s (all seeds) | "
        f"s per seed | s per seed per {_ITER.value} its | median final loss | "
        "median worst px | seeds <= 1 px | wall s |")
  print("|---|---|---|---|---|---|---|---|---|---|---|---|")
  for backend, method in pairs:
    its = _SLOW_ITER.value if (backend, method) in SLOW else _ITER.value
    cfg = dataclasses.replace(base, solver=method, solver_backend=backend, iterations=its)
    if backend == "scipy":
      cfg = dataclasses.replace(cfg, seeds=_HOST_SEEDS.value)
    if method == "powell":
      cfg = dataclasses.replace(cfg, iterations=10**9, solver_seconds=_POWELL_SECONDS.value,
                                seeds=_POWELL_SEEDS.value)
    print(row(backend, method, cfg, g), flush=True)


if __name__ == "__main__":
  app.run(main)
