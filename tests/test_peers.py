"""bench.peers' NumPy peer (the original's approach, done right): its analytic gradient
against jax.grad of this project's loss for the same task and weights."""
import jax
import jax.numpy as jnp
import numpy as np

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
  assert peers._ratio([2.0, 4.0, 6.0], [1.0, 1.0, 2.0]) == "3.0 (2.0-4.0)"  # pylint: disable=protected-access
  assert peers._ratio([3.0], [2.0]) == "1.5"  # pylint: disable=protected-access
