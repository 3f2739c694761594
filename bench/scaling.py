"""How the cost of training grows: with the seeds, the data set and the width.

  python -m bench.scaling                          # every table and the figure (~14 min)
  python -m bench.scaling --tables=seeds --seed_counts=32,256
  python -m bench.scaling --layouts=rows,columns   # each row with both layouts (~25 min)
  python -m bench.scaling --tables=peak            # the matmul peak alone (~3 s)

Default recipe (Adam, full batch, 1000 steps) unless a table changes one thing. Effective
GFLOP/s counts the matrix products of the forward and backward passes from the layer sizes:
6 x samples x sum(fan_in x fan_out) per step and seed (2 forward, 4 backward); it is set
against the machine's matmul peak, measured here as the best of a few large float32 products
(XLA's and, on a CPU, NumPy's BLAS).
Writes bench/out/scaling.png (cost per seed, log-log, and the share of the peak; one line per
layout) and prints Markdown tables.
"""
import dataclasses
import pathlib
import statistics
import time
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from absl import app, flags

from ae import autoencoder, choices, data, train
from ae.config import TrainConfig
from bench import flops_per_seed
from experiments import startup

TABLES = ("seeds", "data", "width")
_TABLES = flags.DEFINE_list("tables", list(TABLES), "Which tables, any of seeds, data, width "
                            "(the matmul peak is measured either way; peak: only that).")
flags.register_validator("tables", lambda v: set(v) <= set(TABLES) | {"peak"},
                         f"--tables takes any of {', '.join(TABLES)}, or peak")
_SEED_COUNTS = flags.DEFINE_list("seed_counts", ["1", "2", "4", "8", "16", "32", "64", "128",
                                                 "256", "512", "1024"], "Seed counts.")
_REPEAT = flags.DEFINE_integer("repeat", 3, "Timed repeats per row (median).")
_ITERATIONS = flags.DEFINE_integer("iterations", 1000, "Steps.")
_LAYOUTS = flags.DEFINE_list("layouts", [autoencoder.AEConfig().layout], "The model's --layout "
                             "for every row, each in turn (rows, columns); one line each in "
                             "the figure.")
flags.register_validator("layouts", lambda v: bool(v) and set(v) <= set(choices.LAYOUTS),
                         f"--layouts takes one or more of {', '.join(choices.LAYOUTS)}")
OUT = pathlib.Path(__file__).resolve().parent / "out"


def matmul_peak(size=2048, repeat=5):
  """{library: best GFLOP/s of a size^3 float32 product}: XLA's jitted product and, on a CPU,
  NumPy's BLAS, timed in turns. The machine's peak is the better of them (on the 2-core
  machine OpenBLAS is usually the faster: BUILD_NOTES.md)."""
  a = jnp.ones((size, size), jnp.float32)
  f = jax.jit(lambda a, b: a @ b)
  products = {"XLA": lambda: jax.block_until_ready(f(a, a))}
  if jax.devices()[0].platform == "cpu":  # a GPU's peak is its own; the host's BLAS is not
    b = np.ones((size, size), np.float32)
    products["NumPy BLAS"] = lambda: b @ b
  best = dict.fromkeys(products, 0.0)
  for _ in range(repeat):
    for name, product in products.items():
      product()  # warm: compiled, caches and threads up
      t = time.perf_counter()
      product()
      best[name] = max(best[name], 2 * size ** 3 / (time.perf_counter() - t) / 1e9)
  return best


class Row(NamedTuple):
  case: str
  layout: str
  seeds: int
  samples: int
  arch: tuple
  seconds: float  # median train seconds of all the seeds together
  zero: int       # seeds with 0 wrong pixels in the last timed fit

  def gflops(self):
    """Effective GFLOP/s: --iterations steps of every seed in `seconds`."""
    return self.seeds * flops_per_seed(self.arch, self.samples, _ITERATIONS.value) / \
        self.seconds / 1e9


def timed(model, x, seeds, steps):
  """(median train seconds over --repeat fits, compiled once, other seeds each time; seeds
  with 0 wrong pixels in the last fit)."""
  task = autoencoder.task(model)
  ts = []
  for r in range(_REPEAT.value + 1):
    fit = train.fit_seeds(task, {"x": x}, TrainConfig(seeds=seeds, seed=1000 * r,
                                                      iterations=steps, log_every=steps))
    if r:  # the first fit pays for compilation
      ts.append(fit.timing["train_seconds"])
  _, errors = autoencoder.evaluate(model, fit.params, x)
  return statistics.median(ts), int((np.asarray(errors).max(1) == 0).sum())


def header(title):
  print(f"\n{title}\n")
  print("| case | layout | seeds | samples | arch | train s | s per seed | GFLOP/s | of peak | "
        "seeds with 0 px |")
  print("|---|---|---|---|---|---|---|---|---|---|", flush=True)


def show(row, peak):
  """Prints one table row as soon as it is measured (the whole run takes minutes)."""
  g = row.gflops()
  print(f"| {row.case} | {row.layout} | {row.seeds} | {row.samples} | "
        f"{'-'.join(map(str, row.arch))} | {row.seconds:.3f} | {row.seconds / row.seeds:.5f} | "
        f"{g:.0f} | {g / peak:.0%} | {row.zero}/{row.seeds} |", flush=True)
  return row


def main(argv):
  del argv
  startup.use_all_cores()
  steps = _ITERATIONS.value
  peaks = matmul_peak()
  peak = max(peaks.values())
  print(f"matmul peak (best 2048^3 float32 product: "
        f"{', '.join(f'{k} {v:.0f}' for k, v in peaks.items())}): {peak:.0f} GFLOP/s; "
        f"{len(jax.devices())} x {jax.devices()[0].device_kind}; jax {jax.__version__}; "
        f"matmul precision {jax.config.jax_default_matmul_precision or 'default'}; "
        f"{steps} steps per fit")
  figure = {}
  f2 = data.load("font2").x
  base = autoencoder.AEConfig()

  def rows_of(case, model, x, seeds):
    """One row per --layouts entry, measured one after the other, each printed."""
    return [show(Row(case, layout, seeds, len(x), model.arch,
                     *timed(dataclasses.replace(model, layout=layout), x, seeds, steps)), peak)
            for layout in _LAYOUTS.value]

  if "seeds" in _TABLES.value:
    header("time per seed against the number of seeds (font2, default recipe)")
    rows = [r for s in map(int, _SEED_COUNTS.value) for r in rows_of("font2", base, f2, s)]
    figure["seeds"] = rows
  if "data" in _TABLES.value:
    allfonts = np.concatenate([data.load(f).x for f in ("font1", "font2", "font3")])
    try:
      from sklearn.datasets import load_digits  # pylint: disable=g-import-not-at-top
      digits = (load_digits().images >= 8).reshape(-1, 64).astype(np.float32)
    except ImportError:
      digits = None
    header("time per seed against the data set size (32 seeds)")
    rows = rows_of("font2", base, f2, 32) + rows_of("three fonts", base, allfonts, 32)
    if digits is not None:
      rows += rows_of("digits 8x8", autoencoder.AEConfig(arch=(64, 64, 32, 2, 32, 64, 64)),
                      digits, 32)
    else:
      print("\n(scikit-learn missing: no digits row; pip install -e '.[bench]')")
    figure["data"] = rows
  if "width" in _TABLES.value:
    header("time per seed against the width (font2, 32 seeds)")
    rows = [r for w in (16, 32, 64, 128, 256) for r in rows_of(
        f"width {w}", autoencoder.AEConfig(arch=(35, w, w // 2, 2, w // 2, w, 35)), f2, 32)]
    figure["width"] = rows
  if figure:
    _plot(figure, peak)


def _plot(figure, peak):
  """Cost per seed (log-log) above, the share of the matmul peak below; a line per layout."""
  # pylint: disable=g-import-not-at-top
  from matplotlib.ticker import NullFormatter, ScalarFormatter
  from ae.plotting import plt, save
  OUT.mkdir(exist_ok=True)
  fig, axes = plt.subplots(2, len(figure), figsize=(5 * len(figure), 7), squeeze=False,
                           sharex="col")
  for k, (name, rows) in enumerate(figure.items()):
    top, bottom = axes[0, k], axes[1, k]
    x_of = {"seeds": lambda r: r.seeds, "data": lambda r: r.samples,
            "width": lambda r: r.arch[1]}[name]
    for layout in _LAYOUTS.value:
      mine = [r for r in rows if r.layout == layout]
      xs = [x_of(r) for r in mine]
      top.loglog(xs, [r.seconds / r.seeds for r in mine], "o-", label=f"--layout={layout}")
      bottom.semilogx(xs, [100 * r.gflops() / peak for r in mine], "o-")
    top.set(ylabel="train seconds per seed", title=f"against the {name}")
    if name != "seeds":  # few points: a tick at each
      bottom.set_xticks(sorted({x_of(r) for r in rows}))
    bottom.set(xlabel={"seeds": "seeds", "data": "samples", "width": "first hidden width"}[name],
               ylabel="% of the matmul peak")
    bottom.set_ylim(bottom=0)
    for ax in (top, bottom):
      ax.grid(alpha=.3, which="both")
      ax.xaxis.set_major_formatter(ScalarFormatter())  # 1, 10, 100 rather than 10^0 ...
      ax.xaxis.set_minor_formatter(NullFormatter())
  axes[0, 0].legend()
  fig.suptitle(f"cost per seed, {_ITERATIONS.value} full-batch Adam steps; matmul peak "
               f"{peak:.0f} GFLOP/s ({len(jax.devices())} x {jax.devices()[0].device_kind})")
  save(fig, OUT / "scaling.png")
  print(f"\nfigure: {OUT / 'scaling.png'}")


if __name__ == "__main__":
  app.run(main)
