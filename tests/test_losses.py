"""Losses and pixel metrics against naive NumPy versions."""
import jax
import numpy as np

from ae import losses, mlp


def _setup():
  p = mlp.init(jax.random.PRNGKey(0), (10, 6, 2, 6, 10), "normal", std=1.0)
  x = (np.random.default_rng(0).random((5, 10)) > .5).astype(np.float32)
  return p, x, np.asarray(mlp.apply(p, x, "tanh"))


def test_bce_and_mse_match_numpy():
  p, x, logits = _setup()
  s = 1 / (1 + np.exp(-logits))
  bce = -(x * np.log(s) + (1 - x) * np.log(1 - s)).mean()
  np.testing.assert_allclose(losses.reconstruction_loss(p, x, x, "tanh", "bce"), bce, rtol=1e-5)
  np.testing.assert_allclose(losses.reconstruction_loss(p, x, x, "tanh", "mse_sigmoid"),
                             ((s - x) ** 2).mean(), rtol=1e-5)
  np.testing.assert_allclose(losses.reconstruction_loss(p, x, x, "tanh", "mse_tanh"),
                             ((np.tanh(logits) - x) ** 2).mean(), rtol=1e-5)


def test_pixel_errors_match_numpy():
  p, x, logits = _setup()
  for loss, squash in (("bce", lambda v: 1 / (1 + np.exp(-v))), ("mse_tanh", np.tanh)):
    ref = ((squash(logits) > .5) != (x > .5)).sum(1)
    np.testing.assert_array_equal(losses.pixel_errors(p, x, x, "tanh", loss), ref)


def test_bce_is_optax_bit_for_bit():
  """The faster BCE gives optax's values and gradients exactly, under jit, grad and vmap,
  from tiny to overflowing logits and at the infinities (a diverged run)."""
  import optax  # pylint: disable=g-import-not-at-top
  rng = np.random.default_rng(1)
  z = (rng.normal(size=(4, 32, 35)) * rng.choice([1e-3, 0.3, 3, 30, 300], (4, 32, 35)))
  z = z.astype(np.float32)
  z[0, 0, :8] = [np.inf, -np.inf, np.nan, 0.0, -0.0, 3e38, -3e38, 88.7]
  y = (rng.random((4, 32, 35)) > 0.5).astype(np.float32)
  y[0, 0, :8] = [1, 0, 1, 0, 1, 0, 1, 1]
  ours = jax.jit(jax.vmap(jax.value_and_grad(lambda a, b: losses.bce(a, b).mean())))
  ref = jax.jit(jax.vmap(jax.value_and_grad(
      lambda a, b: optax.sigmoid_binary_cross_entropy(a, b).mean())))
  (v, g), (rv, rg) = ours(z, y), ref(z, y)
  np.testing.assert_array_equal(np.asarray(v), np.asarray(rv))
  np.testing.assert_array_equal(np.asarray(g), np.asarray(rg))  # NaN where optax has NaN
  assert np.isfinite(np.asarray(g)[1:]).all()
