"""How the cost of training grows: with the seeds, the data set and the width.

  python -m bench.scaling                          # every table and figure (a few minutes)
  python -m bench.scaling --tables=seeds --seed_counts=32,256

Default recipe (Adam, full batch, 1000 steps) unless a table changes one thing. Effective
GFLOP/s counts the matrix products of the forward and backward passes from the layer sizes:
6 x samples x sum(fan_in x fan_out) per step and seed (2 forward, 4 backward); it is set
against the machine's matmul peak, measured here as the best of a few large float32 products.
Writes bench/out/scaling.png (log-log) and prints Markdown tables.
"""
import pathlib
import statistics
import time

import jax
import jax.numpy as jnp
import numpy as np
from absl import app, flags

from ae import autoencoder, data, train
from ae.config import TrainConfig
from bench import flops_per_seed
from experiments import common

_TABLES = flags.DEFINE_list("tables", ["peak", "seeds", "data", "width"], "Which tables.")
_SEED_COUNTS = flags.DEFINE_list("seed_counts", ["1", "2", "4", "8", "16", "32", "64", "128",
                                                 "256", "512", "1024"], "Seed counts.")
_REPEAT = flags.DEFINE_integer("repeat", 3, "Timed repeats per row (median).")
_ITERATIONS = flags.DEFINE_integer("iterations", 1000, "Steps.")
OUT = pathlib.Path(__file__).resolve().parent / "out"


def matmul_peak(size=2048, repeat=5):
  """Best GFLOP/s of a jitted size^3 float32 product, one device and all devices."""
  a = jnp.ones((size, size), jnp.float32)
  f = jax.jit(lambda a, b: a @ b)
  best = 0.0
  for _ in range(repeat):
    jax.block_until_ready(f(a, a))
    t = time.perf_counter()
    jax.block_until_ready(f(a, a))
    best = max(best, 2 * size ** 3 / (time.perf_counter() - t) / 1e9)
  return best


ZERO = {}  # (model, seeds) -> seeds with 0 wrong pixels in the last timed fit


def timed(model, x, seeds, steps):
  """Median train seconds over --repeat fits (compiled once, other seeds each time)."""
  task = autoencoder.task(model)
  ts = []
  for r in range(_REPEAT.value + 1):
    fit = train.fit_seeds(task, {"x": x}, TrainConfig(seeds=seeds, seed=1000 * r,
                                                      iterations=steps, log_every=steps))
    if r:  # the first fit pays for compilation
      ts.append(fit.timing["train_seconds"])
  _, errors = autoencoder.evaluate(model, fit.params, x)
  ZERO[(model.arch, len(x), seeds)] = int((np.asarray(errors).max(1) == 0).sum())
  return statistics.median(ts)


def table(title, rows, peak):
  print(f"\n{title}\n")
  print("| case | seeds | samples | arch | train s | s per seed | GFLOP/s | of peak | "
        "seeds with 0 px |")
  print("|---|---|---|---|---|---|---|---|---|")
  for case, seeds, n, arch, t in rows:
    g = seeds * flops_per_seed(arch, n, _ITERATIONS.value) / t / 1e9
    print(f"| {case} | {seeds} | {n} | {'-'.join(map(str, arch))} | {t:.3f} | "
          f"{t / seeds:.5f} | {g:.0f} | {g / peak:.0%} | {ZERO.get((arch, n, seeds))}/{seeds} |",
          flush=True)


def main(argv):
  del argv
  common.use_all_cores()
  steps = _ITERATIONS.value
  peak = matmul_peak()
  print(f"matmul peak (best jitted 2048^3 float32 product): {peak:.0f} GFLOP/s; "
        f"{len(jax.devices())} x {jax.devices()[0].device_kind}; jax {jax.__version__}; "
        f"matmul precision {jax.config.jax_default_matmul_precision or 'default'}; "
        f"{steps} steps per fit")
  figure = {}
  f2 = data.load("font2").x
  base = autoencoder.AEConfig()
  if "seeds" in _TABLES.value:
    rows = [("font2", s, 32, base.arch, timed(base, f2, s, steps))
            for s in map(int, _SEED_COUNTS.value)]
    table("time per seed against the number of seeds (font2, default recipe)", rows, peak)
    figure["seeds"] = rows
  if "data" in _TABLES.value:
    allfonts = np.concatenate([data.load(f).x for f in ("font1", "font2", "font3")])
    rows = [("font2", 32, 32, base.arch, timed(base, f2, 32, steps)),
            ("three fonts", 32, 96, base.arch, timed(base, allfonts, 32, steps))]
    try:
      from sklearn.datasets import load_digits  # pylint: disable=g-import-not-at-top
      d = (load_digits().images >= 8).reshape(-1, 64).astype(np.float32)
      m = autoencoder.AEConfig(arch=(64, 64, 32, 2, 32, 64, 64))
      rows.append(("digits 8x8", 32, len(d), m.arch, timed(m, d, 32, steps)))
    except ImportError:
      print("(scikit-learn missing: no digits row; pip install -e '.[bench]')")
    table("time per seed against the data set size (32 seeds)", rows, peak)
    figure["data"] = rows
  if "width" in _TABLES.value:
    rows = []
    for w in (16, 32, 64, 128, 256):
      m = autoencoder.AEConfig(arch=(35, w, w // 2, 2, w // 2, w, 35))
      rows.append((f"width {w}", 32, 32, m.arch, timed(m, f2, 32, steps)))
    table("time per seed against the width (font2, 32 seeds)", rows, peak)
    figure["width"] = rows
  if figure:
    _plot(figure, peak)


def _plot(figure, peak):
  from ae.plotting import plt, save  # pylint: disable=g-import-not-at-top
  OUT.mkdir(exist_ok=True)
  fig, axes = plt.subplots(1, len(figure), figsize=(5 * len(figure), 4), squeeze=False)
  for ax, (name, rows) in zip(axes[0], figure.items()):
    xs = {"seeds": [r[1] for r in rows], "data": [r[2] for r in rows],
          "width": [r[3][1] for r in rows]}[name]
    ax.loglog(xs, [r[4] / r[1] for r in rows], "o-")
    ax.set(xlabel={"seeds": "seeds", "data": "samples", "width": "first hidden width"}[name],
           ylabel="train seconds per seed", title=f"against the {name}")
    ax.grid(alpha=.3, which="both")
  fig.suptitle(f"cost per seed, {_ITERATIONS.value} full-batch Adam steps (matmul peak "
               f"{peak:.0f} GFLOP/s)")
  save(fig, OUT / "scaling.png")
  print(f"\nfigure: {OUT / 'scaling.png'}")


if __name__ == "__main__":
  app.run(main)
