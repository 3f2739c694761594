"""Pixel noise models for binary glyphs: pure, keyed, vectorised (JAX).

  flip_k(key, x, k, kind)   flip exactly k distinct pixels of each glyph (k: scalar or (n,))
  flip_p(key, x, p, kind)   flip each pixel independently with probability p
  kind: "flip" (any pixel), "salt" (only 0 -> 1) or "pepper" (only 1 -> 0). With salt or
  pepper a glyph with fewer than k eligible pixels has all of them flipped.

x is (n, d) in {0, 1}; every function returns the noisy copy, same shape and dtype.
"""
import jax
import jax.numpy as jnp


def _eligible(x, kind):
  if kind == "salt":
    return x < 0.5
  if kind == "pepper":
    return x > 0.5
  return jnp.ones(x.shape, bool)


# ranks() compares pairs when an array holds at most this many (int32: 64 MiB; XLA keeps them
# in memory), and sorts beyond: 1,797 8x8 digits train 3.6x faster with pairs, but their
# evaluation's 90,000 noisy copies at once peaked at 2.35 GB with pairs, 0.92 GB with sorts
PAIRS = 1 << 24


def ranks(u):
  """Each draw's rank along the last axis, 0 for the smallest, ties in index order: what
  argsort(argsort(u)) gives (stable). Counted pairwise up to PAIRS pairs: two sorts of a
  glyph's 35 draws took most of a denoising step on a CPU (BUILD_NOTES.md, "Why it is fast").

  >>> ranks(jnp.array([0.5, 0.1, 0.5, 0.2])).tolist()
  [2, 0, 3, 1]
  """
  d = u.shape[-1]
  if u.size * d > PAIRS:
    return jnp.argsort(jnp.argsort(u, axis=-1), axis=-1).astype(jnp.int32)
  i = jnp.arange(d)
  a, b = u[..., :, None], u[..., None, :]     # [.., i, j]: draw i against draw j
  earlier = (i[None, :] < i[:, None]).reshape((1,) * (u.ndim - 1) + (d, d))
  return ((b < a) | ((b == a) & earlier)).sum(-1, dtype=jnp.int32)


def flip_k(key, x, k, kind="flip", u=None):
  """Exactly k distinct eligible pixels per glyph flipped: the k eligible pixels with the
  smallest uniform draws (a uniformly random k-subset). u: the draws, if already made."""
  u = jax.random.uniform(key, x.shape) if u is None else u
  u = jnp.where(_eligible(x, kind), u, 2.0)
  rank = ranks(u)
  k = jnp.broadcast_to(jnp.asarray(k), x.shape[:-1])[..., None]
  flip = (rank < k) & (u < 2.0)
  return jnp.where(flip, 1.0 - x, x).astype(x.dtype)


def flip_p(key, x, p, kind="flip", u=None):
  """Each eligible pixel flipped with probability p (scalar or (n,))."""
  p = jnp.broadcast_to(jnp.asarray(p, jnp.float32), x.shape[:-1])[..., None]
  u = jax.random.uniform(key, x.shape) if u is None else u
  flip = (u < p) & _eligible(x, kind)
  return jnp.where(flip, 1.0 - x, x).astype(x.dtype)


def apply(key, x, level, model="k", kind="flip", u=None):
  """Noise of `model` ('k' or 'p') at `level` (a k or a p, scalar or per glyph)."""
  return (flip_k if model == "k" else flip_p)(key, x, level, kind, u)


def levels_from(u, lo, hi, model="k"):
  """Levels uniformly in [lo, hi] from uniform draws u: integers for k (both ends
  included), reals for p."""
  if model == "k":
    return jnp.minimum(lo + jnp.floor(u * (hi - lo + 1)), hi).astype(jnp.int32)
  return lo + u * (hi - lo)


def random_levels(key, x, lo, hi, model="k", kind="flip"):
  """x with each glyph corrupted at its own level drawn uniformly in [lo, hi]. One uniform
  draw serves both the levels and the pixels (each random draw is a separate compile)."""
  u = jax.random.uniform(key, (x.shape[0], x.shape[1] + 1))
  return apply(None, x, levels_from(u[:, 0], lo, hi, model), model, kind, u[:, 1:])
