"""Reconstruction losses and pixel-error metrics.

`loss` names how the output layer's logits become pixels and what is minimised:
  bce          sigmoid(logits), binary cross-entropy (computed from logits, stable)
  mse_sigmoid  sigmoid(logits), mean squared error
  mse_tanh     tanh(logits), mean squared error against 0/1 targets (the original study)
  mse          the output as it is, mean squared error: continuous data (circles)
A pixel is "on" when its output is above 0.5, for every pixel loss.
"""
import jax
import jax.numpy as jnp
import numpy as np

from ae import mlp

LOSSES = ("bce", "mse_sigmoid", "mse_tanh", "mse")
PIXEL_LOSSES = ("bce", "mse_sigmoid", "mse_tanh")


def reconstruct(logits, loss):
  """Output pre-activations -> outputs (pixel intensities, thresholded at 0.5 for pixel
  errors; or the values themselves for mse)."""
  if loss == "mse":
    return logits
  if loss == "mse_tanh":
    return jnp.tanh(logits)
  return 1.0 / (1.0 + jnp.exp(-logits))


_MAX = float(np.finfo(np.float32).max)


@jax.custom_jvp
def _softplus(x):
  """jax.nn.softplus, bit for bit (its logaddexp(x, 0) with the 0 folded away), and its
  derivative exp(x - softplus(x)) with the infinities mapped by `minimum` where JAX selects:
  XLA's CPU code for those selects made the BCE gradient the costliest kernel of a training
  step (bench/profile.py); this one runs in half the time with the same numbers."""
  return jnp.maximum(x, 0.0) + jnp.log1p(jnp.exp(-jnp.abs(x)))


@_softplus.defjvp
def _softplus_jvp(primals, tangents):
  (x,), (t,) = primals, tangents
  out = _softplus(x)
  # exp(+inf - +inf) is exp(0) = 1 in JAX's rule (+inf -> 0), and so it is here (-> _MAX)
  return out, t * jnp.exp(jnp.minimum(x, _MAX) - jnp.minimum(out, _MAX))


def bce(logits, y):
  """Elementwise binary cross-entropy from logits: optax.sigmoid_binary_cross_entropy's
  values and gradients, bit for bit (tests/test_losses.py), computed faster."""
  log_p, log_not_p = -_softplus(-logits), -_softplus(logits)
  return -y * log_p - (1.0 - y) * log_not_p


def from_logits(logits, y, loss):
  """Mean loss over glyphs and pixels."""
  if loss == "bce":
    return bce(logits, y).mean()
  return jnp.mean((reconstruct(logits, loss) - y) ** 2)


def reconstruction_loss(params, x, y, activation, loss):
  """Mean loss of the autoencoder mapping x to targets y (y = x, or clean glyphs for denoising)."""
  return from_logits(mlp.apply(params, x, activation), y, loss)


def pixel_errors(params, x, y, activation, loss):
  """(n,) wrong pixels per glyph after thresholding the output at 0.5."""
  out = reconstruct(mlp.apply(params, x, activation), loss)
  return jnp.sum((out > 0.5) != (y > 0.5), axis=-1)
