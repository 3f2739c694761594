"""How circular a decoded shape is: circle fits, quality measures, and latent paths (NumPy).

A shape is a flat vector of m points, x and y interleaved (as the circles set stores them).

  >>> t = np.linspace(0, 2 * np.pi, 21)
  >>> shapes = np.stack([np.stack([r * np.cos(t), r * np.sin(t)], -1).ravel() for r in (.2, .5)])
  >>> q = quality(shapes)   # radius, circularity, centre and offset of each shape
  >>> np.round(q["radius"], 3).tolist(), bool(q["circularity"].max() < 1e-6)
  ([0.2, 0.5], True)
  >>> path(np.array([[0., 0.], [1., 0.], [1., 1.]]), 5).tolist()   # evenly along the codes
  [[0.0, 0.0], [0.5, 0.0], [1.0, 0.0], [1.0, 0.5], [1.0, 1.0]]
"""
import numpy as np


def points(shapes):
  """(k, 2m) interleaved -> (k, m, 2)."""
  shapes = np.asarray(shapes, np.float64)
  return shapes.reshape(shapes.shape[0], -1, 2)


def fit_circle(pts):
  """Least-squares (Kasa) circle through each point set (k, m, 2): centres (k, 2), radii (k,).
  Solves x^2 + y^2 + D x + E y + F = 0 for every shape at once."""
  pts = np.asarray(pts, np.float64)
  # A shape far out (a damaged or diverged model's) is fitted in units of its own size, so
  # its squares stay finite; a shape with a non-finite point has no circle (nan).
  size = np.abs(pts).max((1, 2)) if pts.size else np.zeros(len(pts))
  bad = ~np.isfinite(size)
  unit = np.where(bad | (size <= 1e6), 1.0, size)[:, None, None]
  pts = np.where(bad[:, None, None], 0.0, pts) / unit
  a = np.concatenate([pts, np.ones(pts.shape[:2] + (1,))], -1)     # (k, m, 3)
  b = -(pts ** 2).sum(-1)                                          # (k, m)
  ata = a.transpose(0, 2, 1) @ a + 1e-12 * np.eye(3)
  d, e, f = np.linalg.solve(ata, (a.transpose(0, 2, 1) @ b[..., None]))[..., 0].T
  centre = np.stack([-d / 2, -e / 2], -1)
  radius = np.sqrt(np.maximum((centre ** 2).sum(-1) - f, 0.0))
  centre, radius = centre * unit[:, 0], radius * unit[:, 0, 0]
  return np.where(bad[:, None], np.nan, centre), np.where(bad, np.nan, radius)


def quality(shapes, true_centre=(0.0, 0.0)):
  """Per shape: radius (the mean distance of its points to the fitted centre), circularity
  (the std of those distances over their mean: 0 for a perfect circle), centre (k, 2) and
  offset (the fitted centre's distance to true_centre)."""
  pts = points(shapes)
  centre, _ = fit_circle(pts)
  dist = np.linalg.norm(pts - centre[:, None], axis=-1)
  mean = dist.mean(1)
  with np.errstate(divide="ignore", invalid="ignore"):
    circ = np.where(mean > 1e-9, dist.std(1) / mean, np.inf)
  return {"radius": mean, "circularity": circ, "centre": centre,
          "offset": np.linalg.norm(centre - np.asarray(true_centre), axis=-1)}


def path(codes, n):
  """n points evenly spaced by arc length along the polyline through `codes` (in order)."""
  codes = np.asarray(codes, np.float64)
  seg = np.linalg.norm(np.diff(codes, axis=0), axis=1)
  at = np.concatenate([[0.0], np.cumsum(seg)])
  s = np.linspace(0.0, at[-1], n)
  return np.stack([np.interp(s, at, codes[:, k]) for k in range(codes.shape[1])], 1)


def monotonic(values):
  """True when the values strictly increase or strictly decrease."""
  d = np.diff(np.asarray(values, float))
  return bool(np.all(d > 0) or np.all(d < 0))


def between(z_a, z_b, n):
  """n latent points strictly between two codes (the end points themselves left out)."""
  t = np.linspace(0.0, 1.0, n + 2)[1:-1, None]
  return (1 - t) * np.asarray(z_a)[None] + t * np.asarray(z_b)[None], t[:, 0]
