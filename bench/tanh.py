"""ae.tanh against jnp.tanh: the same numbers, how much faster.

  python -m bench.tanh                        # both nets, 256 seeds, 1000 steps (~4 min)
  python -m bench.tanh --nets=default --repeat=5
  python -m bench.tanh --layout=rows          # the blocks and the nets in --layout=rows

XLA's CPU tanh calls a compiled Eigen routine; ae/tanh.py writes that routine's arithmetic as
XLA operations, which XLA inlines into the bias + tanh fusions. First the kernel alone: bias +
tanh on each hidden layer's block of one device (128 seeds; (seeds, width, samples) in the
columns layout, (seeds, samples, width) with --layout=rows), medians of 7 timings of 200 calls.
Then each net of bench.nets.nets trains through train.fit_seeds with mlp.ACTIVATIONS["tanh"]
set to either, interleaved (medians of --repeat fits after a compiling one), and the table says
whether the final params agree bit for bit.
"""
import dataclasses
import statistics
import time

import jax
import jax.numpy as jnp
import numpy as np
from absl import app, flags

from ae import autoencoder, choices, data, mlp, tanh, train
from bench import flops_per_seed, nets
from experiments import startup

_NETS, _REPEAT = nets.define_net_flags(steps=1000)
_LAYOUT = flags.DEFINE_enum("layout", autoencoder.AEConfig().layout, choices.LAYOUTS,
                            "The nets' --layout.")

TANHS = {"jnp.tanh": jnp.tanh, "ae.tanh": tanh.tanh}


def kernel_us(f, width, layout, seeds=128, n=32, calls=200):
  """Median microseconds of one bias + f on a (seeds, n, width) block, or (seeds, width, n)
  in the columns layout."""
  k1, k2 = jax.random.split(jax.random.PRNGKey(0))
  b = jax.random.normal(k2, (seeds, width))
  if layout == "columns":
    z, g = jax.random.normal(k1, (seeds, width, n)), jax.jit(lambda z, b: f(z + b[:, :, None]))
  else:
    z, g = jax.random.normal(k1, (seeds, n, width)), jax.jit(lambda z, b: f(z + b[:, None, :]))
  g(z, b).block_until_ready()
  times = []
  for _ in range(7):
    t = time.perf_counter()
    for _ in range(calls):
      r = g(z, b)
    r.block_until_ready()
    times.append((time.perf_counter() - t) / calls * 1e6)
  return statistics.median(times)


def main(argv):
  del argv
  startup.use_all_cores()
  seeds, steps = nets.BATCHED.value, nets.STEPS.value
  chosen = {k: (dataclasses.replace(m, layout=_LAYOUT.value), c)
            for k, (m, c) in nets.nets(seeds).items() if k in _NETS.value}
  widths = sorted({w for model, _ in chosen.values() for w in model.arch[1:-1] if w > 2})
  block = "width, 32 samples" if _LAYOUT.value == "columns" else "32 samples, width"
  print(f"bias + tanh, one (128 seeds, {block}) block, us per call:\n\n"
        "| width | " + " | ".join(TANHS) + " | speed-up |\n|---|---|---|---|")
  for w in widths:
    us = [kernel_us(f, w, _LAYOUT.value) for f in TANHS.values()]
    print(f"| {w} | {us[0]:.0f} | {us[1]:.0f} | {us[0] / us[1]:.2f} |", flush=True)
  print(f"\nfont2, --layout={_LAYOUT.value}, {seeds} seeds on {len(jax.devices())} devices, "
        f"{steps} full-batch steps; "
        f"medians of {_REPEAT.value} fits per tanh after a compiling one, interleaved\n\n"
        "| net | tanh | s per seed | GFLOP/s | speed-up | params bit for bit |\n"
        "|---|---|---|---|---|---|")
  x = data.load("font2").x
  for name, (model, cfg) in chosen.items():
    # one new Task per tanh: each compiles its own program while the dict holds its tanh
    tasks = {k: autoencoder._task(model) for k in TANHS}
    times, fits, before = {k: [] for k in TANHS}, {}, mlp.ACTIVATIONS["tanh"]
    try:
      for i in range(_REPEAT.value + 1):
        for k, t in tasks.items():
          mlp.ACTIVATIONS["tanh"] = TANHS[k]
          fits[k] = train.fit_seeds(t, {"x": x}, cfg)
          if i:
            times[k].append(fits[k].timing["train_seconds"] / seeds)
    finally:
      mlp.ACTIVATIONS["tanh"] = before
    ref, ours = (jax.tree.leaves(fits[k].params) for k in TANHS)
    same = all(np.array_equal(np.asarray(a), np.asarray(b)) for a, b in zip(ref, ours))
    base = statistics.median(times["jnp.tanh"])
    for k in TANHS:
      t = statistics.median(times[k])
      print(f"| {name} {'-'.join(map(str, model.arch))} | {k} | {t:.4f} | "
            f"{flops_per_seed(model.arch, len(x), steps) / t / 1e9:.0f} | {base / t:.2f} | "
            f"{'yes' if same else 'NO'} |", flush=True)


if __name__ == "__main__":
  app.run(main)
