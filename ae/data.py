"""Glyph data sets: the built-in course fonts, font.h-style headers, .npy/.npz and text fonts.

Every loader returns a `Glyphs`: x (n, h*w) float32 in {0, 1}, one label (a character) per
glyph, and the glyph shape (h, w) for drawing.
"""
import dataclasses
import pathlib
import re

import numpy as np

from ae import InputError
from ae.config import field

FONT_DIR = pathlib.Path(__file__).resolve().parent.parent / "data"
BUILTIN = ("font1", "font2", "font3")
D = "data"


@dataclasses.dataclass(frozen=True)
class DataConfig:
  """Which glyphs to train on."""
  dataset: str = field("font2", "font1, font2, font3 (built in) or a path: .h C header "
                       "(file.h:ArrayName for one array), .npy/.npz binary images, .txt font "
                       "(data/README.md).", D)
  glyph_width: int = field(5, "Bits per row in a .h file (bit width-1 = leftmost pixel).", D)
  chars: str = field(None, "Train on these glyphs only, e.g. ABCDEFGHIJ.", D)
  n_chars: int = field(None, "Train on the first n glyphs only.", D)

  def load(self):
    """The selected Glyphs (InputError on any problem with the data)."""
    return select(load(self.dataset, self.glyph_width), self.chars, self.n_chars)


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
  """A visible label for a glyph character (space and DEL are invisible)."""
  return {" ": "␣", "\x7f": "DEL"}.get(ch, ch)


def rows_to_bits(rows, width):
  """Integer rows -> (len(rows), width) 0/1 array; bit width-1 is the leftmost pixel."""
  rows = np.asarray(rows, dtype=np.int64)
  shifts = np.arange(width - 1, -1, -1)
  return ((rows[:, None] >> shifts) & 1).astype(np.float32)


# ---------------------------------------------------------------- text fonts (data/*.txt)
def parse_text_font(text, name=""):
  """Reads the project's text font format (see data/README.md)."""
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
_ARRAY = re.compile(r"(\w+)\s*((?:\[[^\]]*\]\s*)+)=\s*\{")
_LABEL = re.compile(r"0x[0-9a-fA-F]+\s*,\s*(\S+)")
_NAMES = {"space": " ", "DEL": "\x7f", "\\\\": "\\"}


def _strip_block_comments(text):
  # Keep newlines so line numbers (and trailing // labels) stay where they were.
  return re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group().count("\n"), text, flags=re.S)


def _int(tok, where):
  try:
    if re.fullmatch(r"0[0-7]+", tok):
      return int(tok, 8)  # C octal literal
    return int(tok, 0)
  except ValueError:
    raise InputError(f"{where}: {tok!r} is not an integer row") from None


def parse_header(text, width=5, name="", array=None):
  """Reads every 2-D array of glyph rows in a C header (or only `array`)."""
  lines = _strip_block_comments(text).split("\n")
  code = "\n".join(l.split("//", 1)[0] for l in lines)
  notes = [l.split("//", 1)[1] if "//" in l else "" for l in lines]
  rows_all, chars, found = [], [], []
  for m in _ARRAY.finditer(code):
    arr = m.group(1)
    found.append(arr)
    if array is not None and arr != array:
      continue
    depth, i, start = 1, m.end(), None
    while depth and i < len(code):
      c = code[i]
      if c == "{":
        depth += 1
        start = i + 1
      elif c == "}":
        depth -= 1
        if depth == 1 and start is not None:  # one innermost {...} = one glyph
          line = code.count("\n", 0, i)
          where = f"{name}:{line + 1}"
          toks = [t for t in re.split(r"[\s,]+", code[start:i]) if t]
          rows_all.append([_int(t, where) for t in toks])
          note = _LABEL.search(notes[line])
          lab = _NAMES.get(note.group(1), note.group(1)) if note else None
          chars.append(lab if lab else f"{arr}[{len(chars)}]")
          start = None
      i += 1
  if array is not None and array not in found:
    raise InputError(f"{name}: no array named {array!r} (found: {', '.join(found) or 'none'})")
  if not rows_all:
    raise InputError(f"{name}: no 2-D array of glyph rows like 'int F[32][7] = {{{{...}}}}'")
  heights = {len(r) for r in rows_all}
  if len(heights) != 1:
    raise InputError(f"{name}: glyphs have different row counts {sorted(heights)}")
  big = max(max(r) for r in rows_all)
  if big >= 2 ** width or min(min(r) for r in rows_all) < 0:
    raise InputError(f"{name}: row value {big} does not fit --glyph_width={width} bits")
  x = np.stack([rows_to_bits(r, width).reshape(-1) for r in rows_all])
  return Glyphs(x, tuple(chars), (heights.pop(), width), name)


# ---------------------------------------------------------------- numpy files
def load_numpy(path, width=5):
  """Binary images shaped (n, h, w) or (n, d) from .npy, or from .npz ('x' or the first array)."""
  try:
    f = np.load(path, allow_pickle=False)
  except (OSError, ValueError) as e:
    raise InputError(f"{path}: cannot read as numpy data ({e})") from None
  labels = None
  if isinstance(f, np.lib.npyio.NpzFile):
    keys = list(f.keys())
    if not keys:
      raise InputError(f"{path}: empty .npz")
    a = f["x"] if "x" in keys else f[keys[0]]
    labels = [str(s) for s in f["labels"]] if "labels" in keys else None
  else:
    a = f
  a = np.asarray(a)
  if a.ndim not in (2, 3) or a.shape[0] == 0:
    raise InputError(f"{path}: expected images shaped (n, h, w) or (n, d), got {a.shape}")
  if not np.isin(a, (0, 1)).all():
    raise InputError(f"{path}: images must be binary (only 0 and 1)")
  if a.ndim == 3:
    shape = a.shape[1:]
  else:
    shape = (a.shape[1] // width, width) if a.shape[1] % width == 0 else (1, a.shape[1])
  n = a.shape[0]
  if labels is not None and len(labels) != n:
    raise InputError(f"{path}: {len(labels)} labels for {n} images")
  chars = tuple(labels) if labels else tuple(str(i) for i in range(n))
  return Glyphs(a.reshape(n, -1).astype(np.float32), chars, tuple(shape), str(path))


# ---------------------------------------------------------------- entry point
def load(spec, glyph_width=5):
  """'font1'..'font3', or a path: .h (optionally 'file.h:ArrayName'), .npy, .npz, .txt."""
  if spec in BUILTIN:
    path = FONT_DIR / f"{spec}.txt"
    return dataclasses.replace(parse_text_font(path.read_text(), spec), name=spec)
  if not isinstance(glyph_width, int) or glyph_width < 1:
    raise InputError(f"--glyph_width must be a positive integer, got {glyph_width}")
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
  if suffix == ".h":
    return parse_header(p.read_text(errors="replace"), glyph_width, str(p), array)
  if suffix == ".txt":
    return parse_text_font(p.read_text(), str(p))
  return load_numpy(p, glyph_width)


def select(glyphs, chars=None, n_chars=None):
  """A subset by characters (in the order given) or the first n_chars."""
  if chars and n_chars:
    raise InputError("use either --chars or --n_chars, not both")
  if chars:
    missing = [c for c in chars if c not in glyphs.chars]
    if missing:
      raise InputError(f"--chars: {''.join(missing)!r} not in {glyphs.name} "
                       f"(it has {''.join(c for c in glyphs.chars if len(c) == 1)!r})")
    if len(set(chars)) != len(chars):
      raise InputError(f"--chars: {chars!r} repeats a glyph")
    idx = [glyphs.chars.index(c) for c in chars]
  elif n_chars:
    if not 1 <= n_chars <= len(glyphs):
      raise InputError(f"--n_chars must be in 1..{len(glyphs)}, got {n_chars}")
    idx = list(range(n_chars))
  else:
    return glyphs
  return dataclasses.replace(glyphs, x=glyphs.x[idx], chars=tuple(glyphs.chars[i] for i in idx))
