"""Glyph data sets: the built-in course fonts, font.h-style headers, .npy/.npz and text fonts.

Every loader returns a `Glyphs`: x (n, h*w) float32 in {0, 1}, one label (a character) per
glyph, and the glyph shape (h, w) for drawing.
"""
import dataclasses
import functools
import importlib.resources
import pathlib
import re

import numpy as np

from ae import InputError, cheader, glyphfiles, rings
from ae.fields import check_finite, field

BUILTIN = ("font1", "font2", "font3")
D = "data"


@dataclasses.dataclass(frozen=True)
class DataConfig:
  """Which glyphs to train on."""
  dataset: str = field("font2", "font1, font2, font3 (built in) or a path: .h C header "
                       "(file.h:ArrayName for one array), .npy/.npz binary images, .txt font "
                       "(ae/fonts/README.md).", D)
  glyph_width: int = field(5, "Bits per row in a .h file (the glyph's width), or the width of "
                           "a flat (n, d) .npy.", D)
  bit_order: str = field("msb", "Which bit of a .h row is the leftmost pixel: msb (bit "
                         "width-1, as in font.h) or lsb (bit 0, as in many public font "
                         "headers).", D, ("msb", "lsb"))
  chars: str = field(None, "Train on these glyphs only, e.g. ABCDEFGHIJ.", D)
  n_chars: int = field(None, "Train on the first n glyphs only.", D)

  def load(self):
    """The selected Glyphs (InputError on any problem with the data)."""
    return select(load(self.dataset, self.glyph_width, self.bit_order), self.chars,
                  self.n_chars)

  def without_effect(self):
    """{field: why} for fields without effect (see TrainConfig.without_effect)."""
    suffix = pathlib.Path(self.dataset.split(":")[0]).suffix.lower()
    out = {}
    if suffix != ".h":
      out["bit_order"] = "it only applies to a .h header"
      if suffix not in (".npy", ".npz"):
        out["glyph_width"] = "it only applies to a .h header or a flat .npy/.npz"
    return out


@dataclasses.dataclass(frozen=True)
class Glyphs:
  x: np.ndarray        # (n, h*w) float32, 0 or 1
  chars: tuple         # n labels, one character each (names only where a file gives no char)
  shape: tuple         # (h, w)
  name: str = ""
  classes: tuple = None  # class of each glyph when labels repeat (an .npz's labels), else None

  def __len__(self):
    return len(self.chars)

  def saved(self):
    """(arrays, labels, meta) for runs.write_run; Glyphs.from_saved reads them back."""
    meta = {"name": self.name, "shape": list(self.shape),
            "classes": None if self.classes is None else list(self.classes)}
    return {"x": self.x}, self.chars, meta

  @staticmethod
  def from_saved(arrays, labels, meta, where="data.npz"):
    """The Glyphs a run saved, checked as a fresh load is: 0/1 pixels, one label per glyph,
    a shape that holds the pixels, one class per glyph."""
    try:
      classes = meta.get("classes")
      g = Glyphs(np.asarray(arrays["x"], np.float32), tuple(labels), tuple(meta["shape"]),
                 str(meta["name"]), None if classes is None else tuple(classes))
    except (KeyError, TypeError, AttributeError, ValueError):
      raise InputError(f"{where}: not glyph data written by this tool") from None
    x, problem = g.x, None
    if x.ndim != 2 or not len(x):
      problem = f"x has shape {x.shape}, not (glyphs, pixels)"
    elif not np.isin(x, (0.0, 1.0)).all():
      problem = "x holds values other than 0 and 1"
    elif len(g.chars) != len(x):
      problem = f"{len(g.chars)} labels for {len(x)} glyphs"
    elif (len(g.shape) != 2 or not all(isinstance(v, int) and v > 0 for v in g.shape)
          or g.shape[0] * g.shape[1] != x.shape[1]):
      problem = f"shape {list(g.shape)} does not hold {x.shape[1]} pixels"
    elif g.classes is not None and len(g.classes) != len(x):
      problem = f"{len(g.classes)} classes for {len(x)} glyphs"
    if problem:
      raise InputError(f"{where}: {problem}")
    return g

  @property
  def title(self):
    """The data's name for figures: a file's name, never its whole path."""
    return pathlib.Path(self.name).name or "data"

  def repeats(self):
    """(blank glyph indices, {index: index of the earlier identical glyph})."""
    blank = [int(i) for i in np.flatnonzero(self.x.sum(1) == 0)]
    first, dup = {}, {}
    for i, row in enumerate(self.x.astype(np.uint8)):
      key = row.tobytes()
      if key in first:
        dup[i] = first[key]
      else:
        first[key] = i
    return blank, dup

  @property
  def shown(self):
    """Figure labels: a glyph identical to an earlier one gets none (it sits on top of it)."""
    _, dup = self.repeats()
    return tuple("" if i in dup else display(c) for i, c in enumerate(self.chars))

  def describe(self):
    """'font2: 32 glyphs of 7x5', with blank and duplicate glyphs counted."""
    blank, dup = self.repeats()
    text = f"{self.title}: {len(self)} glyphs of {self.shape[0]}x{self.shape[1]}"
    notes = []
    if blank:
      notes.append(f"{len(blank)} blank")
    if dup:
      pairs = [f"{display(self.chars[i])}={display(self.chars[j])}" for i, j in dup.items()]
      notes.append(f"{len(dup)} identical to an earlier glyph ({', '.join(pairs[:5])}"
                   f"{', ...' if len(pairs) > 5 else ''})")
    return text + (f" ({'; '.join(notes)})" if notes else "")


def display(ch):
  """A visible label for a glyph character (space, DEL and control characters are not)."""
  special = {" ": "␣", "\x7f": "DEL"}
  if ch in special:
    return special[ch]
  return ch if ch.isprintable() else f"U+{ord(ch):04X}" if len(ch) == 1 else repr(ch)


def rows_to_bits(rows, width):
  """Integer rows -> (len(rows), width) 0/1 array; bit width-1 is the leftmost pixel."""
  return cheader.rows_to_bits(rows, width)


def parse_text_font(text, name=""):
  """A font in the project's text format (ae/fonts/README.md)."""
  return Glyphs(*glyphfiles.parse_text_font(text, name), name)


def parse_header(text, width=5, name="", array=None, bit_order="msb"):
  """Every 2-D array of glyph rows in a C header (or only `array`): see ae/cheader.py."""
  return Glyphs(*cheader.parse(text, width, name, array, bit_order), name)


def load_numpy(path, width=5):
  """Binary images from .npy/.npz (see glyphfiles.load_numpy)."""
  x, chars, shape, classes = glyphfiles.load_numpy(path, width)
  return Glyphs(x, chars, shape, str(path), classes)


# ---------------------------------------------------------------- entry point
def load(spec, glyph_width=5, bit_order="msb"):
  """'font1'..'font3', or a path: .h (optionally 'file.h:ArrayName'), .npy, .npz, .txt."""
  if spec in BUILTIN:
    text = importlib.resources.files("ae").joinpath("fonts", f"{spec}.txt").read_text("utf-8")
    return dataclasses.replace(parse_text_font(text, spec), name=spec)
  if not (isinstance(glyph_width, int) and 1 <= glyph_width <= cheader.MAX_WIDTH):
    raise InputError(f"--glyph_width must be in 1..{cheader.MAX_WIDTH}, got {glyph_width}")
  path, array = spec, None
  m = re.fullmatch(r"(.+\.h):(\w+)", spec)
  if m:
    path, array = m.groups()
  p = pathlib.Path(path).expanduser()
  suffix = p.suffix.lower()
  if suffix not in (".h", ".npy", ".npz", ".txt"):
    raise InputError(f"--dataset={spec!r}: use font1, font2, font3 or a .h/.npy/.npz/.txt file")
  try:
    found = p.is_file()
  except OSError as e:  # a name over the system's limit, say
    raise InputError(f"--dataset: {e.strerror}: {path[:60]}...") from None
  if not found:
    raise InputError(f"--dataset: no such file {path}")
  try:
    if suffix == ".h":
      return parse_header(p.read_text(errors="replace"), glyph_width, str(p), array, bit_order)
    if suffix == ".txt":
      return parse_text_font(p.read_text(encoding="utf-8"), str(p))
  except UnicodeDecodeError:
    raise InputError(f"{p}: not UTF-8 text (a font in the format of ae/fonts/README.md "
                     "is plain UTF-8)") from None
  except OSError as e:
    raise InputError(f"{p}: cannot read ({e.strerror})") from None
  return load_numpy(p, glyph_width)


def select(glyphs, chars=None, n_chars=None):
  """A subset by characters (in the order given) or the first n_chars."""
  if chars is not None and n_chars is not None:
    raise InputError("use either --chars or --n_chars, not both")
  if chars is not None:
    if not chars:
      raise InputError("--chars is empty: name the glyphs to train on, e.g. --chars=ABC")
    missing = [c for c in chars if c not in glyphs.chars]
    if missing:
      raise InputError(f"--chars: {''.join(missing)!r} not in {glyphs.title} "
                       f"(it has {''.join(c for c in glyphs.chars if len(c) == 1)!r})")
    if len(set(chars)) != len(chars):
      raise InputError(f"--chars: {chars!r} repeats a glyph")
    idx = [glyphs.chars.index(c) for c in chars]
  elif n_chars is not None:
    if not 1 <= n_chars <= len(glyphs):
      raise InputError(f"--n_chars must be in 1..{len(glyphs)}, got {n_chars}")
    idx = list(range(n_chars))
  else:
    return glyphs
  classes = None if glyphs.classes is None else tuple(glyphs.classes[i] for i in idx)
  return dataclasses.replace(glyphs, x=glyphs.x[idx], chars=tuple(glyphs.chars[i] for i in idx),
                             classes=classes)


# ---------------------------------------------------------------- circles (the generative set)
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
      r = np.linspace(self.radius_min, self.radius_max, self.circles)
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
  n, m = cfg.circles, cfg.points
  if cfg.render == "image":
    radii = np.linspace(cfg.radius_min, cfg.radius_max, n)
    return rings.render(radii, cfg.image_size), radii, np.zeros((n, 2))
  phase, centre = (np.asarray(a) for a in _jitters()(key, n))
  radii = np.linspace(cfg.radius_min, cfg.radius_max, n)
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
  [-1, 1], as one compiled program (drawn op by op, the split and the draws were five);
  the same bits."""
  import jax  # pylint: disable=g-import-not-at-top

  def draw(key, n):
    k_phase, k_centre = jax.random.split(key)
    return (jax.random.uniform(k_phase, (n, 1), minval=-1.0, maxval=1.0),
            jax.random.uniform(k_centre, (n, 2), minval=-1.0, maxval=1.0))
  return jax.jit(draw, static_argnums=1)
