"""Glyph data sets: the built-in course fonts, font.h-style headers, .npy/.npz and text fonts.

Every loader returns a `Glyphs`: x (n, h*w) float32 in {0, 1}, one label (a character) per
glyph, and the glyph shape (h, w) for drawing.
"""
import dataclasses
import importlib.resources
import pathlib
import re

import numpy as np

from ae import InputError, cheader, glyphfiles
from ae.fields import field

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
