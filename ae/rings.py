"""Circles drawn as images: anti-aliased rings, and how far an image is from every true ring.

A ring of radius r (in units of the image's half-width, as the circles set's radii) is drawn
centred in a size x size image with a tent profile one pixel wide on each side: a pixel at
distance d from the centre has intensity max(0, 1 - |d - r * size / 2|). The rings form a
curved one-dimensional manifold in pixel space (a linear model cannot follow it).

  >>> x = render(np.array([0.25, 0.5]), 16)
  >>> x.shape, float(x.min()), round(float(x.max()), 3)
  ((2, 256), 0.0, 0.879)
  >>> d, r = nearest(x, 16, 0.0, 1.0)   # true renders: distance 0 at their own radius
  >>> bool(d.max() < 1e-3), np.round(r, 3).tolist()
  (True, [0.25, 0.5])
"""
import numpy as np

GRID = 2001   # radii the manifold is sampled at (its step is below 1/1000 of the range)


def render(radii, size):
  """(n, size*size) float32 images of rings of the given radii, centred."""
  radii = np.asarray(radii, np.float64)
  c = (np.arange(size) + 0.5) - size / 2      # pixel centres, the image centre at 0
  d = np.hypot(c[:, None], c[None, :]).ravel()
  return np.maximum(0.0, 1.0 - np.abs(d[None] - radii[:, None] * size / 2)).astype(np.float32)


def manifold(size, lo, hi):
  """(radii (GRID,), images (GRID, size*size)): the true rings finely sampled over [lo, hi]."""
  radii = np.linspace(lo, hi, GRID)
  return radii, render(radii, size)


def nearest(images, size, lo, hi):
  """Per image, its distance to the manifold (the RMSE to the nearest true ring with radius in
  [lo, hi]) and that ring's radius (the image's fitted radius). Non-finite images: nan."""
  images = np.asarray(images, np.float64).reshape(len(images), -1)
  radii, rings = manifold(size, lo, hi)
  rings = rings.astype(np.float64)
  ok = np.isfinite(images).all(1)
  x = np.where(ok[:, None], images, 0.0)
  # squared distances by |a|^2 - 2ab + |b|^2: one matrix product for every pair
  sq = (x ** 2).sum(1)[:, None] - 2 * x @ rings.T + (rings ** 2).sum(1)[None]
  best = np.argmin(sq, 1)
  dist = np.sqrt(np.maximum(sq[np.arange(len(x)), best], 0.0) / x.shape[1])
  return np.where(ok, dist, np.nan), np.where(ok, radii[best], np.nan)


def quality(images, size, lo, hi):
  """As circles.quality for point shapes: per image its fitted radius and its distance to the
  manifold (0 for a true ring)."""
  dist, radius = nearest(images, size, lo, hi)
  return {"radius": radius, "distance": dist}


ON_MANIFOLD = 0.05   # an image this close (RMSE) to a true ring counts as one: the training
                     # reconstructions of a trained net lie within ~0.02, PCA-2's decodes
                     # beyond 0.09 (BUILD_NOTES.md)


def coverage(radius, distance, band, bins=10):
  """The share of the band's radii (in `bins` equal bins) that some image draws as a true
  ring (distance below ON_MANIFOLD, fitted radius in the bin)."""
  edges = np.linspace(band[0], band[1], bins + 1)
  on = np.asarray(distance) < ON_MANIFOLD
  radius = np.asarray(radius)
  return float(np.mean([np.any(on & (radius >= a) & (radius <= b))
                        for a, b in zip(edges[:-1], edges[1:])]))
