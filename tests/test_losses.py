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
