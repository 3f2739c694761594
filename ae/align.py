"""Seeds' latent maps in one frame: generalised Procrustes analysis, and how stable each
glyph's neighbourhood is across seeds (NumPy, any latent dimension).

Each seed draws its own map of the same glyphs, in its own translation, scale, rotation and
reflection. `gpa` finds, for every seed, the similarity transform that best lays its codes
onto a common consensus (iterating to it), so seeds can be compared glyph by glyph;
`stability` asks, glyph by glyph, whether its k nearest glyphs are the same in a seed's map
as in the consensus, and `null_stability` what the same score gives when glyph identities
are shuffled between seeds (what "random" scores).

  >>> rng = np.random.default_rng(0)
  >>> base = rng.normal(size=(10, 2))
  >>> flip = np.array([[0., 1.], [1., 0.]])            # a reflection
  >>> codes = np.stack([base, 3 * base @ flip + 5, -0.5 * base])
  >>> a = gpa(codes)
  >>> bool(a.disparity.max() < 1e-12), a.seeds.tolist()
  (True, [0, 1, 2])
  >>> np.allclose(a.to_consensus(1, codes[1]), a.aligned[1]), float(stability(codes).mean())
  (True, 1.0)
"""
import concurrent.futures
import os
from typing import NamedTuple

import numpy as np

K = 3   # neighbours per glyph in the stability score
ITERATIONS, TOL = 100, 1e-12   # GPA stops at a consensus moving less than TOL, or after ITERATIONS


class Alignment(NamedTuple):
  """GPA of the seeds `seeds` (indices into the input; diverged ones left out, `dropped`):
  consensus (n, k) centred, the mean of the seeds' fits onto the unit-size consensus the
  iteration converged to (so each glyph's aligned codes centre on it); per kept seed its transform
  z -> scale * (z @ rotation) + shift, its aligned codes and its disparity (squared residual
  over the consensus's squared size); per glyph its spread (root-mean-square distance of the
  seeds' aligned codes to the consensus)."""
  consensus: np.ndarray
  seeds: np.ndarray
  dropped: np.ndarray
  scale: np.ndarray      # (s,)
  rotation: np.ndarray   # (s, k, k): orthogonal, reflections allowed
  shift: np.ndarray      # (s, k)
  aligned: np.ndarray    # (s, n, k)
  disparity: np.ndarray  # (s,)
  spread: np.ndarray     # (n,)

  def to_consensus(self, i, z):
    """Points of kept seed i's plane (rows of z) in the consensus frame."""
    return self.scale[i] * (np.asarray(z, float) @ self.rotation[i]) + self.shift[i]

  def to_seed(self, i, w):
    """Points of the consensus frame in kept seed i's own plane (to decode them)."""
    return ((np.asarray(w, float) - self.shift[i]) / self.scale[i]) @ self.rotation[i].T


def _unit(z):
  """Centred, unit root-mean-square size: (z', centre, size)."""
  centre = z.mean(-2, keepdims=True)
  c = z - centre
  size = np.sqrt((c ** 2).sum((-2, -1)) / z.shape[-2])
  return c / size[..., None, None], centre[..., 0, :], size


def _rotations(x, target):
  """The orthogonal R (reflections allowed) minimising |x R - target| for each seed: R = U V^T
  from the SVD of x^T target (orthogonal Procrustes)."""
  u, _, vt = np.linalg.svd(np.swapaxes(x, -1, -2) @ target)
  return u @ vt


def _usable(codes, ok=None):
  """The seeds gpa aligns: finite codes that do not all coincide, and in `ok` when given."""
  finite = np.isfinite(codes).all((1, 2))
  extent = np.ptp(np.where(finite[:, None, None], codes, 0), 1).max(-1)   # 0: all coincide
  use = finite & (extent > 0)
  if ok is not None:
    use &= np.asarray(ok, bool)
  if use.sum() < 2:
    raise ValueError(f"alignment needs 2 seeds with finite, distinct codes; {use.sum()} had")
  return use


def _fit(x, iterations, tol):
  """GPA of unit-size codes x (..., s, n, k), each leading index on its own (one iterates
  until it converges, then keeps its consensus): (rotations (..., s, k, k), fit scales
  (..., s), aligned codes (..., s, n, k), their mean (..., n, k))."""
  consensus = x[..., 0, :, :]
  going = np.ones(x.shape[:-3], bool)
  for _ in range(iterations):
    r = _rotations(x, consensus[..., None, :, :])
    new, _, _ = _unit((x @ r).mean(-3))
    # keep the frame from drifting
    new = new @ _rotations(new[..., None, :, :], consensus[..., None, :, :])[..., 0, :, :]
    done = np.sum((new - consensus) ** 2, (-2, -1)) < tol
    consensus = np.where(going[..., None, None], new, consensus)
    going &= ~done
    if not going.any():
      break
  r = _rotations(x, consensus[..., None, :, :])
  fitted = x @ r
  # the optimal scale of each unit-size seed onto the consensus (trace of the fit)
  fit_scale = np.einsum("...snk,...nk->...s", fitted, consensus) / x.shape[-2]
  aligned = fit_scale[..., None, None] * fitted
  return r, fit_scale, aligned, aligned.mean(-3)


def gpa(codes, ok=None, iterations=ITERATIONS, tol=TOL):
  """Aligns codes (seeds, n, k) of the same n glyphs; ok: a mask of seeds to use (default:
  those with finite codes that do not all coincide). Needs at least 2 usable seeds."""
  codes = np.asarray(codes, float)
  use = _usable(codes, ok)
  seeds, dropped = np.flatnonzero(use), np.flatnonzero(~use)
  x, centre, size = _unit(codes[seeds])
  r, fit_scale, aligned, consensus = _fit(x, iterations, tol)
  scale = fit_scale / size
  shift = -scale[:, None] * np.einsum("sk,skj->sj", centre, r)
  # consensus: the mean of the fits, so each glyph's seeds centre on it
  disparity = ((aligned - consensus) ** 2).sum((1, 2)) / (consensus ** 2).sum()
  spread = np.sqrt(((aligned - consensus) ** 2).sum(-1).mean(0))
  return Alignment(consensus, seeds, dropped, scale, r, shift, aligned, disparity, spread)


def evenness(z):
  """How evenly a map spreads its n points: the median distance from a point to its nearest
  other point, over the map's root-mean-square radius, times sqrt(n) so maps of different n
  compare (free of translation, scale, rotation and reflection). Points piled in clumps or
  strung on a line score low; nan for a non-finite map."""
  z = np.asarray(z, float)
  if not np.isfinite(z).all():
    return np.nan
  c = z - z.mean(0)
  radius = np.sqrt((c ** 2).sum(1).mean())
  d = np.sqrt(((z[:, None] - z[None]) ** 2).sum(-1)) + np.diag(np.full(len(z), np.inf))
  return float(np.median(d.min(1)) / radius * np.sqrt(len(z))) if radius > 0 else 0.0


def neighbours(z, k=K):
  """(..., n, k) indices of each point's k nearest other points, as a set (in no order)."""
  sq = (z ** 2).sum(-1)
  d = sq[..., :, None] + sq[..., None, :] - 2 * z @ np.swapaxes(z, -1, -2)
  n = z.shape[-2]
  d[..., np.arange(n), np.arange(n)] = np.inf
  return np.argpartition(d, k - 1, axis=-1)[..., :k]


def jaccard(codes, consensus, k=K):
  """(..., seeds, n): per seed and glyph, the Jaccard index between the glyph's k nearest
  glyphs in the seed's map and in the consensus (leading axes: maps aligned on their own).
  Neighbours do not depend on a seed's similarity transform, so raw codes do."""
  mine = neighbours(np.asarray(codes, float), k)   # (..., s, n, k)
  theirs = neighbours(np.asarray(consensus), k)    # (..., n, k)
  shared = (mine[..., :, None] == theirs[..., None, :, None, :]).any(-1).sum(-1)
  return shared / (2 * k - shared)


def stability(codes, consensus=None, k=K):
  """Per glyph, the mean over seeds of `jaccard` against the consensus (GPA of the codes when
  not given): 1 when every seed agrees with the consensus."""
  codes = np.asarray(codes, float)
  if consensus is None:
    consensus = gpa(codes).consensus
  return jaccard(codes, consensus, k).mean(0)


def null_stability(codes, k=K, maps=320, seed=0):
  """The stability score when each seed's glyph identities are shuffled (independently per
  seed): what maps that share nothing score. Per glyph, the mean over enough shuffles of the
  seeds to hold about `maps` shuffled maps in all (at most 20 shuffles; one for 320 seeds or
  more, which keeps it under a second at 1,024 seeds). The same bits as `stability` of each
  shuffle in turn (tests/test_align.py)."""
  codes = np.asarray(codes, float)
  rng = np.random.default_rng(seed)
  shuffled = np.stack([np.stack([c[rng.permutation(len(c))] for c in codes])
                       for _ in range(min(20, -(-maps // len(codes))))])
  use = _usable(codes)   # shuffling a seed's glyphs changes neither test
  # the shuffles aligned together, not one by one: a 2-D GPA is mostly Python's overhead
  # (circles' null: a third of the time). Wider codes' GPA is mostly SVDs, which NumPy runs
  # without the GIL: a group of shuffles on each core; 2-D ones gain nothing from a second
  # core (BUILD_NOTES.md)
  workers = min(len(os.sched_getaffinity(0)), len(shuffled)) if codes.shape[-1] > 2 else 1

  def scores(group):   # (shuffles, n)
    consensus = _fit(_unit(group[:, use])[0], ITERATIONS, TOL)[3]
    return jaccard(group, consensus, k).mean(-2)
  with concurrent.futures.ThreadPoolExecutor(workers) as pool:
    return np.concatenate(list(pool.map(scores, np.array_split(shuffled, workers)))).mean(0)
