"""The circles set of the original generative experiment, and harder variants: its config
(the flags) and a pure, keyed draw of it (x and y of each circle's points, interleaved, or
ring images)."""
import dataclasses
import functools

import numpy as np

from ae import InputError, rings
from ae.fields import check_finite, field

C = "circles"


@dataclasses.dataclass(frozen=True)
class CirclesConfig:
  """The circles set of the original generative experiment and harder variants."""
  circles: int = field(100, "How many circles.", C)
  radius_min: float = field(0.1, "Smallest radius (radii are evenly spaced).", C)
  radius_max: float = field(0.9, "Largest radius.", C)
  points: int = field(21, "Points per circle, at angles linspace(0, 360, points) degrees; "
                      "x and y interleaved, so 2 x points inputs.", C)
  centre_jitter: float = field(0.0, "Each centre uniform in [-c, c]^2 (0: all at the origin).", C)
  angle_offset: float = field(0.0, "Degrees added to every angle.", C)
  angle_jitter: float = field(0.0, "Each circle's angles shifted by a random phase uniform in "
                              "[-j, j] degrees (180: a random phase per circle).", C)
  original_radians: bool = field(False, "Reproduce the original's bug: the angles in degrees "
                                 "passed to cos/sin as radians (points scrambled).", C)
  holdout: str = field(None, "Leave out of training the circles with radii in a band, "
                       "'lo:hi' (e.g. 0.4:0.6), and test generation inside it.", C)
  render: str = field("points", "points: each circle as the x, y of its points (the "
                      "original's set, exactly linear in the radius); image: an anti-aliased "
                      "ring in an --image_size square, radii in units of its half-width (a "
                      "curved manifold: ae/rings.py; train it with --loss=bce).", C,
                      ("points", "image"))
  image_size: int = field(16, "Pixels per side of each ring image (--render=image).", C)

  def radii(self):
    """The circles' radii (n,), evenly spaced from --radius_min to --radius_max."""
    return np.linspace(self.radius_min, self.radius_max, self.circles)

  def band(self):
    """(lo, hi) of --holdout, or None."""
    if self.holdout is None:
      return None
    try:
      lo, hi = (float(v) for v in self.holdout.split(":"))
    except ValueError:
      raise InputError(f"--holdout takes 'lo:hi', e.g. 0.4:0.6, got {self.holdout!r}") from None
    return lo, hi

  def without_effect(self):
    """{field: why} for fields without effect (see TrainConfig.without_effect)."""
    if self.render == "image":
      why = "a ring image has no points (it is drawn from the radius alone)"
      return {k: why for k in ("points", "angle_offset", "angle_jitter", "original_radians")}
    return {"image_size": "it only applies to --render=image"}

  def check(self):
    check_finite(self)
    if self.render == "image" and not 8 <= self.image_size <= 64:
      raise InputError(f"--image_size must be in 8..64, got {self.image_size}")
    if self.render == "image" and self.centre_jitter > 0:
      raise InputError("--centre_jitter works with --render=points only: ring images are "
                       "drawn centred")
    if not 0 <= self.radius_min < self.radius_max:
      raise InputError(f"--radius_min must be >= 0 and below --radius_max, got "
                       f"{self.radius_min}:{self.radius_max}")
    if self.points < 3:
      raise InputError(f"--points must be at least 3 (a circle needs 3), got {self.points}")
    if not 2 <= self.circles <= 100_000:
      raise InputError(f"--circles must be in 2..100000, got {self.circles}")
    if self.centre_jitter < 0 or self.angle_jitter < 0:
      raise InputError("--centre_jitter and --angle_jitter must be >= 0")
    band = self.band()
    if band is not None:
      lo, hi = band
      r = self.radii()
      inside = (r >= lo) & (r <= hi)
      if lo >= hi:
        raise InputError(f"--holdout={self.holdout}: its bounds are reversed (lo:hi "
                         f"with lo below hi, e.g. --holdout={hi:g}:{lo:g})" if lo > hi else
                         f"--holdout={self.holdout}: an empty band (lo:hi with lo below hi)")
      if not inside.any():
        raise InputError(f"--holdout={self.holdout} leaves out no circle (radii run "
                         f"{self.radius_min}..{self.radius_max})")
      if not (r < lo).any() or not (r > hi).any():
        raise InputError(f"--holdout={self.holdout} must leave circles on both sides of the "
                         "band, to generate between them")


def circles(key, cfg):
  """(x (n, 2*points) float32, x and y interleaved; radii (n,); centres (n, 2)): a pure,
  keyed draw of the circles set `cfg` describes (the key only feeds the jitters). With
  --render=image, x is (n, image_size**2): ring images (rings.render)."""
  n, m, radii = cfg.circles, cfg.points, cfg.radii()
  if cfg.render == "image":
    return rings.render(radii, cfg.image_size), radii, np.zeros((n, 2))
  phase, centre = (np.asarray(a) for a in _jitters()(key, n))
  deg = np.linspace(0.0, 360.0, m)[None, :] + cfg.angle_offset
  deg = deg + phase * cfg.angle_jitter
  angle = deg if cfg.original_radians else np.deg2rad(deg)  # the original's bug: degrees as rad
  centres = centre * cfg.centre_jitter
  xy = np.stack([centres[:, :1] + radii[:, None] * np.cos(angle),
                 centres[:, 1:] + radii[:, None] * np.sin(angle)], -1)
  return xy.reshape(n, 2 * m).astype(np.float32), radii, centres


@functools.cache
def _jitters():
  """draw(key, n): each circle's phase jitter (n, 1) and centre jitter (n, 2), uniform in
  [-1, 1], as one compiled program (drawn op by op, the split and the draws were five), kept
  (ae/programs.py: a warm run loads it, 0.2 s not traced and lowered); the same bits."""
  import jax  # pylint: disable=g-import-not-at-top
  from ae import programs  # pylint: disable=g-import-not-at-top  (JAX: see the flags)

  def draw(key, n):
    k_phase, k_centre = jax.random.split(key)
    return (jax.random.uniform(k_phase, (n, 1), minval=-1.0, maxval=1.0),
            jax.random.uniform(k_centre, (n, 2), minval=-1.0, maxval=1.0))
  return programs.jit(draw, static_argnums=1)
