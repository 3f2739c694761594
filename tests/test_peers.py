"""bench.peers: its NumPy peer's analytic gradient against jax.grad of this project's loss,
its ratio over rounds, its flag checks, and (slow) the command itself."""
import pathlib
import re
import subprocess
import sys

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from absl import flags

from ae import data, losses
from bench import peers


def test_numpy_loss_and_gradient_match_jax():
  x = data.load("font2").x.astype(np.float64)
  v = np.random.default_rng(0).normal(0, 0.5, sum(a * b + b for a, b in peers.SHAPES))
  loss, grad = peers.numpy_loss_grad(v, x)

  def ours(v):
    params = [{"w": w, "b": b} for w, b in peers.unflat(v)]
    return losses.reconstruction_loss(params, jnp.asarray(x, jnp.float32),
                                      jnp.asarray(x, jnp.float32), peers.MODEL.activation,
                                      peers.MODEL.loss)
  ref_loss, ref_grad = jax.jit(jax.value_and_grad(ours))(jnp.asarray(v, jnp.float32))
  np.testing.assert_allclose(loss, ref_loss, rtol=1e-5)
  scale = np.abs(ref_grad).max()
  # float32 against float64: measured 2e-7 of the largest entry, 2e-5 relative on the rest
  np.testing.assert_allclose(grad, ref_grad, rtol=1e-4, atol=1e-6 * scale)
  assert np.abs(grad).max() > 1e-3  # not a trivially small gradient


def test_ratio_is_the_median_of_the_rounds_ratios():
  # rounds: 2/1, 4/1, 6/2 -> 2, 4, 3
  assert peers.ratio([2.0, 4.0, 6.0], [1.0, 1.0, 2.0]) == "3.0 (2.0-4.0)"
  assert peers.ratio([3.0], [2.0]) == "1.5"


def test_fonts_are_checked_before_any_work():
  with pytest.raises(flags.ValidationError, match="--fonts='nofont'"):
    peers._fonts_load(["font2", "nofont"])  # pylint: disable=protected-access


@pytest.mark.slow
def test_command_interleaves_rounds_and_counts_every_seed_once():
  out = subprocess.run(
      [sys.executable, "-m", "bench.peers", "--fonts=font2", "--steps=30", "--seeds=3",
       "--batched_seeds=4", "--rounds=2", "--tools=ae-lab,NumPy"],
      capture_output=True, text=True, check=True, timeout=600,
      cwd=pathlib.Path(__file__).resolve().parents[1])  # bench/ runs from a checkout
  rows = {r.split(" | ")[0].lstrip("| "): r.split(" | ") for r in out.stdout.splitlines()
          if r.startswith("| ") and "font2" in r}
  assert list(rows) == ["ae-lab, 4 seeds batched", "ae-lab, 4 seeds batched, --layout=rows",
                        "ae-lab, 3 seeds batched", "ae-lab, one seed at a time",
                        "NumPy + scipy L-BFGS-B"]
  assert out.stderr.count("font2: round") == 2
  for name, r in rows.items():
    m = 4 if name.startswith("ae-lab, 4 ") else 3  # the 3 seeds split over 2 rounds: 2 + 1
    assert r[-1].rstrip(" |").endswith(f"/{m}") and r[-2].endswith(f"/{m}")
    assert re.fullmatch(r"[\d.]+ \([\d.]+-[\d.]+\)", r[4])  # median (lowest-highest)
  assert rows["ae-lab, 4 seeds batched"][4] == "1.0 (1.0-1.0)"


@pytest.mark.slow
def test_processes_give_the_serial_outputs_and_time_every_fit():
  x = data.load("font2").x.astype(np.float64)
  procs = peers.Processes(2)
  try:
    out, times, comp = procs("numpy", x, [0, 1], 5)
  finally:
    procs.close()
  ref, _, _ = peers.numpy_lbfgs(x, [0, 1], 5)
  np.testing.assert_array_equal(out, ref)
  assert out.shape == (2,) + x.shape and len(times) == 1 and times[0] > 0 and comp == 0.0
