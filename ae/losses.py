"""Reconstruction losses and pixel-error metrics.

`loss` names how the output layer's logits become pixels and what is minimised:
  bce          sigmoid(logits), binary cross-entropy (computed from logits, stable)
  mse_sigmoid  sigmoid(logits), mean squared error
  mse_tanh     tanh(logits), mean squared error against 0/1 targets (the original study)
  mse          the output as it is, mean squared error: continuous data (circles)
A pixel is "on" when its output is above 0.5, for every pixel loss.
"""
import jax.numpy as jnp
import numpy as np
import optax

from ae import mlp, tanh
from ae.choices import OUTPUT   # each loss's output squashing, by name

_SQUASH = {"sigmoid": lambda h: 1.0 / (1.0 + jnp.exp(-h)), "tanh": tanh.tanh,
           "linear": lambda h: h}
_SQUASH_NP = {"sigmoid": mlp.NUMPY_ACTIVATIONS["sigmoid"], "tanh": np.tanh,  # reconstruct_np
              "linear": lambda h: h}


def reconstruct_np(logits, loss):
  """reconstruct() in NumPy (mlp.forward_np's outputs)."""
  with np.errstate(over="ignore", invalid="ignore"):   # exp(-h) overflows to inf: 0, as XLA's
    return _SQUASH_NP[OUTPUT[loss]](logits)


def reconstruct(logits, loss):
  """Output pre-activations -> outputs (pixel intensities, thresholded at 0.5 for pixel
  errors; or the values themselves for mse)."""
  return _SQUASH[OUTPUT[loss]](logits)


def from_logits(logits, y, loss):
  """Mean loss over glyphs and pixels."""
  if loss == "bce":
    return optax.sigmoid_binary_cross_entropy(logits, y).mean()
  return jnp.mean((reconstruct(logits, loss) - y) ** 2)




def reconstruction_loss(params, x, y, activation, loss, layout="rows"):
  """Mean loss of the autoencoder mapping x to targets y (y = x, or clean glyphs for denoising).
  layout: how the activations are stored, rows (samples, features) or columns (see
  mlp.apply_columns); the loss is a mean over every pixel, so it takes either as it is."""
  if layout == "columns":
    return from_logits(mlp.apply_columns(params, x.T, activation), y.T, loss)
  return from_logits(mlp.apply(params, x, activation), y, loss)


def pixel_errors(params, x, y, activation, loss):
  """(n,) wrong pixels per glyph after thresholding the output at 0.5."""
  out = reconstruct(mlp.apply(params, x, activation), loss)
  return jnp.sum((out > 0.5) != (y > 0.5), axis=-1)


def nearest(rows, x, chunk=4096):
  """The training glyph nearest to each row by Hamming distance after thresholding both at
  0.5 (the first on ties): (index (m,), wrong pixels (m,)), NumPy, `chunk` rows at a time."""
  x = np.asarray(x) > 0.5
  on, off = x.T.astype(np.float32), (~x).T.astype(np.float32)
  idx, dist = [], []
  for i in range(0, len(rows), chunk):
    b = np.asarray(rows[i:i + chunk]) > 0.5
    same = b.astype(np.float32) @ on + (~b).astype(np.float32) @ off  # pixels in agreement
    idx.append(np.argmax(same, axis=1))
    dist.append(x.shape[1] - same.max(1))
  if not idx:
    return np.zeros(0, int), np.zeros(0, int)
  return np.concatenate(idx), np.concatenate(dist).astype(int)
