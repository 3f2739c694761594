"""Baselines: the simplest model that does an autoencoder's job, measured by the same code.

PCA with k components fitted on the training data is the best linear k-D autoencoder: the
least-squares projection of the (centred) data onto k directions. Its codes, reconstructions
and decodes of any code point come from `encode`, `reconstruct` and `decode`, so an
experiment computes the baseline's metrics with the code it uses for its model.

  >>> import numpy as np
  >>> x = np.outer(np.arange(5.0), [1.0, 2.0, 0.0])   # rank 1
  >>> p = pca(x, 1)
  >>> bool(np.allclose(reconstruct(p, x), x)), rank(x)
  (True, 1)
"""
from typing import NamedTuple

import numpy as np


class PCA(NamedTuple):
  mean: np.ndarray        # (d,)
  components: np.ndarray  # (k, d): orthonormal rows, by decreasing variance
  singular: np.ndarray    # every singular value of the centred data, decreasing


def pca(x, k):
  """PCA with k components of x (n, d), fitted on x."""
  x = np.asarray(x, np.float64)
  mean = x.mean(0)
  _, s, vt = np.linalg.svd(x - mean, full_matrices=False)
  return PCA(mean, vt[:k], s)


def encode(p, x):
  """Codes (n, k) of samples x (n, d)."""
  return (np.asarray(x, np.float64) - p.mean) @ p.components.T


def decode(p, z):
  """Samples (n, d) at code points z (n, k): the mean plus the components' combination."""
  return np.asarray(z, np.float64) @ p.components + p.mean


def reconstruct(p, x):
  return decode(p, encode(p, x))


def rank(x):
  """The numerical rank of the centred data: singular values above the largest times
  max(n, d) times the data's own precision (NumPy's matrix_rank rule: float32 data carries
  rounding at 1e-7, not 1e-16)."""
  x = np.asarray(x)
  eps = np.finfo(x.dtype if np.issubdtype(x.dtype, np.floating) else np.float64).eps
  s = np.linalg.svd(np.asarray(x, np.float64) - x.mean(0), compute_uv=False)
  return int((s > s[0] * max(x.shape) * eps).sum()) if s.size and s[0] > 0 else 0


def pixel_errors(out, x):
  """(n,) wrong pixels per glyph of outputs `out` after thresholding both at 0.5 (as
  losses.pixel_errors counts the model's)."""
  return ((np.asarray(out) > 0.5) != (np.asarray(x) > 0.5)).sum(-1)


def glyphs(x, k):
  """The `baselines` entry of a glyph experiment: PCA-k fitted on the training glyphs x,
  scored as the model is (wrong pixels per glyph after thresholding at 0.5)."""
  e = pixel_errors(reconstruct(pca(x, k), x), x)
  return {"pca": {"components": int(k), "fitted_on": "the training glyphs",
                  "max_pixel_error": int(e.max()), "mean_pixel_error": float(e.mean()),
                  "exact_glyphs": int((e == 0).sum()), "pixel_errors": e.tolist()},
          "data_rank": rank(x)}
