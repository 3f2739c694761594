"""bench/scaling.py's matmul peak: both libraries timed on a CPU, and the FLOP count it
sets against it."""
import math

import jax
import jax.numpy as jnp
import numpy as np

from bench import flops_per_seed
from bench.scaling import matmul_peak


def test_peak_times_xla_and_numpy_on_a_cpu():
  peaks = matmul_peak(size=128, repeat=2)
  assert list(peaks) == ["XLA", "NumPy BLAS"]  # the machine's peak is the better of them
  assert all(math.isfinite(v) and v > 0 for v in peaks.values())


def test_flops_per_seed_counts_xla_products_of_a_training_step():
  """6 x n x sum(fan_in x fan_out) per step: XLA's own count of a linear net's forward pass
  and its gradients with respect to the weights and the input (no elementwise work to add)."""
  arch, n = (35, 16, 2, 16, 35), 32
  ws = [jnp.ones((a, b)) for a, b in zip(arch[:-1], arch[1:])]

  def out(ws, x):
    for w in ws:
      x = x @ w
    return x

  def step(ws, x, g):  # forward, then the backward products for a given output gradient
    y, vjp = jax.vjp(out, ws, x)
    return y, vjp(g)

  x, g = jnp.ones((n, arch[0])), jnp.ones((n, arch[-1]))
  cost = jax.jit(step).lower(ws, x, g).compile().cost_analysis()
  cost = cost[0] if isinstance(cost, list) else cost
  np.testing.assert_allclose(cost["flops"], flops_per_seed(arch, n, 1), rtol=1e-3)
