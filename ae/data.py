"""Glyph data sets: the built-in course fonts, font.h-style headers, .npy/.npz and text fonts.

Every loader returns a `Glyphs`: x (n, h*w) float32 in {0, 1}, one label (a character) per
glyph, and the glyph shape (h, w) for drawing.
"""
import dataclasses
import importlib.resources
import pathlib
import re
import zipfile

import numpy as np

from ae import InputError, cheader
from ae.config import field

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

  def inert(self):
    """{field: why} for fields without effect (see TrainConfig.inert)."""
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


# ---------------------------------------------------------------- text fonts (data/*.txt)
def parse_text_font(text, name=""):
  """Reads the project's text font format (see ae/fonts/README.md)."""
  glyphs, chars, cur = [], [], None
  for lineno, raw in enumerate(text.splitlines(), 1):
    line = raw.strip()
    if not line or line.startswith(";"):
      continue
    if line.startswith("glyph"):
      parts = line.split()
      try:
        chars.append(chr(int(parts[1], 16)))
      except (IndexError, ValueError):
        raise InputError(f"{name}:{lineno}: expected 'glyph 0xNN', got {line!r}") from None
      cur = []
      glyphs.append(cur)
    elif cur is None or set(line) - set("#."):
      raise InputError(f"{name}:{lineno}: expected a row of '#' and '.', got {line!r}")
    else:
      cur.append([c == "#" for c in line])
  if not glyphs:
    raise InputError(f"{name}: no glyphs found")
  shapes = {(len(g), len(g[0]) if g else 0) for g in glyphs}
  if len(shapes) != 1 or any(len(set(map(len, g))) != 1 for g in glyphs):
    raise InputError(f"{name}: glyphs differ in size: {sorted(shapes)}")
  (shape,) = shapes
  x = np.array(glyphs, dtype=np.float32).reshape(len(glyphs), -1)
  return Glyphs(x, tuple(chars), shape, name)


# ---------------------------------------------------------------- C headers (font.h)
def parse_header(text, width=5, name="", array=None, bit_order="msb"):
  """Every 2-D array of glyph rows in a C header (or only `array`): see ae/cheader.py."""
  x, labels, shape = cheader.parse(text, width, name, array, bit_order)
  return Glyphs(x, labels, shape, name)


# ---------------------------------------------------------------- numpy files
def load_numpy(path, width=5):
  """Binary images shaped (n, h, w) or (n, d) from .npy, or from .npz ('x' or the first array,
  and optional 'labels', one per image: repeated labels are classes)."""
  try:
    f = np.load(path, allow_pickle=False)
    a, labels = f, None
    if isinstance(f, np.lib.npyio.NpzFile):
      with f:
        keys = list(f.keys())
        if not keys:
          raise InputError(f"{path}: empty .npz")
        a = np.asarray(f["x"] if "x" in keys else f[keys[0]])
        labels = np.asarray(f["labels"]) if "labels" in keys else None
  except (OSError, ValueError, EOFError, zipfile.BadZipFile) as e:
    raise InputError(f"{path}: cannot read as numpy data ({str(e).splitlines()[0]})") from None
  if a.dtype == object or a.dtype.kind not in "biuf":
    raise InputError(f"{path}: images must be a numeric array, got dtype {a.dtype}")
  if a.ndim not in (2, 3) or a.shape[0] == 0 or 0 in a.shape[1:]:
    raise InputError(f"{path}: expected a non-empty array of images shaped (n, h, w) or (n, d), "
                     f"got shape {a.shape}")
  if not np.isin(a, (0, 1)).all():
    raise InputError(f"{path}: images must be binary (only 0 and 1)")
  if a.ndim == 3:
    shape = a.shape[1:]
  else:
    shape = (a.shape[1] // width, width) if a.shape[1] % width == 0 else (1, a.shape[1])
  n = a.shape[0]
  if labels is not None:
    if labels.ndim != 1 or labels.dtype.kind not in "iuUSb" or len(labels) != n:
      raise InputError(f"{path}: 'labels' must be {n} numbers or strings, one per image "
                       f"(got shape {labels.shape}, dtype {labels.dtype})")
    labels = tuple(str(s) for s in labels)
  chars = labels or tuple(str(i) for i in range(n))
  classes = labels if labels and len(set(labels)) < n else None
  return Glyphs(a.reshape(n, -1).astype(np.float32), chars, tuple(shape), str(path), classes)


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
  p = pathlib.Path(path)
  suffix = p.suffix.lower()
  if suffix not in (".h", ".npy", ".npz", ".txt"):
    raise InputError(f"--dataset={spec!r}: use font1, font2, font3 or a .h/.npy/.npz/.txt file")
  if not p.is_file():
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
