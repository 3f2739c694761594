"""What caps the training throughput on a CPU: XLA's batched products for per-seed shapes.

  python -m bench.dots                 # about 100 s on 2 cores
  python -m bench.dots --seeds=64

One device (one core), a group of --seeds seeds (ae/train.py runs each device's seeds in groups
of 16). Prints, for each layer of the default net, the GFLOP/s of the three batched products of
a training step (forward, input gradient, weight gradient), then whole 1000-step trainings of
the products alone, with one part of the real step added at a time (bias, tanh, BCE, Adam), and
the full step, so each part's share can be read off; then the products alone and the full step
again with --layout=columns' products (mlp.dense_t), the ceiling of either layout. Medians of
--repeat runs, interleaved. Last, other layouts for the 64x32 layer's products: the seeds as
the innermost (vector) axis, as a multiply-reduce and as an unrolled sum of broadcast products;
the weight gradient with the layer's input stored transposed.
"""
import functools
import statistics
import time

import jax
import jax.numpy as jnp
import optax
from absl import app, flags

from ae import mlp
from bench import flops_per_seed

_SEEDS = flags.DEFINE_integer("seeds", 16, "Seeds in the vmapped group.")
_REPEAT = flags.DEFINE_integer("repeat", 5, "Timed runs per row (median).")
ARCH = (35, 64, 32, 2, 32, 64, 35)
SAMPLES = 32
PRODUCTS = {"forward": ("sbi,sio->sbo", "sbi", "sio"),
            "input gradient": ("sbo,sio->sbi", "sbo", "sio"),
            "weight gradient": ("sbi,sbo->sio", "sbi", "sbo")}


def _median_seconds(f, *args):
  jax.block_until_ready(f(*args))
  ts = []
  for _ in range(_REPEAT.value):
    t = time.perf_counter()
    jax.block_until_ready(f(*args))
    ts.append(time.perf_counter() - t)
  return statistics.median(ts)


def product_rate(fn, a_axes, b_axes, n_in, n_out, reps=2000):
  """GFLOP/s of fn(a, b), one (n_in -> n_out) product for every seed, in a compiled loop;
  a_axes and b_axes spell the operands' axes (s seeds, b samples, i in, o out)."""
  size = {"s": _SEEDS.value, "b": SAMPLES, "i": n_in, "o": n_out}
  a = jnp.full([size[c] for c in a_axes], 0.01)
  b = jnp.full([size[c] for c in b_axes], 0.01)
  # the loop carries a scalar into `a` so XLA cannot hoist the product out of the loop, and
  # sums the whole product: of one element only, XLA would compute that element alone
  f = jax.jit(lambda a, b: jax.lax.fori_loop(
      0, reps, lambda _, c: c + 1e-9 * fn(a + c, b).sum(), 0.0))
  t = _median_seconds(f, a, b) / reps
  return 2 * _SEEDS.value * SAMPLES * n_in * n_out / t / 1e9


def _seeds_inner_reduce(x, w):  # x (b, i, s), w (i, o, s) -> (b, o, s)
  return (x[:, :, None, :] * w[None]).sum(1)


def _seeds_inner_unrolled(x, w):  # the same sum as one elementwise fusion of i terms
  acc = x[:, 0, None, :] * w[None, 0]
  for k in range(1, x.shape[1]):
    acc = acc + x[:, k, None, :] * w[None, k]
  return acc


LAYOUTS = {"forward, seeds leading (what training uses)":
           (functools.partial(jnp.einsum, "sbi,sio->sbo"), "sbi", "sio"),
           "forward, seeds innermost, multiply-reduce": (_seeds_inner_reduce, "bis", "ios"),
           "forward, seeds innermost, unrolled sum": (_seeds_inner_unrolled, "bis", "ios"),
           "weight gradient (what training uses)":
           (functools.partial(jnp.einsum, "sbi,sbo->sio"), "sbi", "sbo"),
           "weight gradient, layer input stored transposed":
           (functools.partial(jnp.einsum, "sib,sbo->sio"), "sib", "sbo")}

PARTS = ("bias", "tanh", "bce", "adam")
ROWS = {"products only (no bias, linear, MSE, SGD)": (),
        "+ bias": ("bias",), "+ tanh": ("tanh",), "+ BCE instead of MSE": ("bce",),
        "+ Adam instead of SGD": ("adam",), "full step (bias, tanh, BCE, Adam)": PARTS,
        "columns layout: products only": ("columns",),
        "columns layout: full step": PARTS + ("columns",)}


def training(parts, x):
  """1000 full-batch steps of the default net for one group of seeds, with only `parts`;
  "columns": activations stored as (features, samples), as --layout=columns trains."""
  opt = optax.adam(0.01) if "adam" in parts else optax.sgd(0.01)
  y = x.T if "columns" in parts else x

  def loss(ps):
    h = y
    for i, p in enumerate(ps):
      if "columns" in parts:
        h = mlp.dense_t(p["w"], h) + (p["b"][:, None] if "bias" in parts else 0)
      else:
        h = h @ p["w"] + (p["b"] if "bias" in parts else 0)
      if "tanh" in parts and i not in (2, len(ps) - 1):  # linear latent and output (default)
        h = jnp.tanh(h)
    if "bce" in parts:
      return optax.sigmoid_binary_cross_entropy(h, y).mean()
    return jnp.mean((h - y) ** 2)

  def one(key):
    ps = [{"w": 0.2 * jax.random.normal(k, (a, b)), "b": jnp.zeros(b)}
          for k, a, b in zip(jax.random.split(key, len(ARCH) - 1), ARCH[:-1], ARCH[1:])]
    def step(c, _):
      ps, st = c
      u, st = opt.update(jax.grad(loss)(ps), st, ps)
      return (optax.apply_updates(ps, u), st), None
    return jax.lax.scan(step, (ps, opt.init(ps)), None, length=1000)[0][0]

  return jax.jit(jax.vmap(one))


def main(argv):
  del argv
  jax.config.update("jax_num_cpu_devices", 1)
  s = _SEEDS.value
  print(f"one device, {s} seeds vmapped, {SAMPLES} samples; GFLOP/s of each batched product\n")
  print("| layer | " + " | ".join(PRODUCTS) + " |\n|---|---|---|---|")
  for n_in, n_out in zip(ARCH[:-1], ARCH[1:]):
    rates = [product_rate(functools.partial(jnp.einsum, eq), a, b, n_in, n_out)
             for eq, a, b in PRODUCTS.values()]
    print(f"| {n_in}x{n_out} | " + " | ".join(f"{r:.0f}" for r in rates) + " |", flush=True)
  x = (jax.random.uniform(jax.random.key(0), (SAMPLES, 35)) > 0.5).astype(jnp.float32)
  keys = jax.random.split(jax.random.key(1), s)
  fs = {k: training(parts, x) for k, parts in ROWS.items()}
  for f in fs.values():
    jax.block_until_ready(f(keys))
  ts = {k: [] for k in ROWS}
  for _ in range(_REPEAT.value):
    for k, f in fs.items():
      t = time.perf_counter()
      jax.block_until_ready(f(keys))
      ts[k].append(time.perf_counter() - t)
  flops = flops_per_seed(ARCH, SAMPLES, 1000) * s
  print("\n| 1000 steps, one core | seconds | GFLOP/s (products counted) |\n|---|---|---|")
  for k in ROWS:
    t = statistics.median(ts[k])
    print(f"| {k} | {t:.3f} | {flops / t / 1e9:.0f} |")
  print("\n| layout of a 64x32 product | GFLOP/s |\n|---|---|")
  for k, (fn, a, b) in LAYOUTS.items():
    print(f"| {k} | {product_rate(fn, a, b, 64, 32):.0f} |", flush=True)


if __name__ == "__main__":
  app.run(main)
