"""C headers of glyph rows, as in the course's font.h and public bitmap-font headers.

  const unsigned char Font2[32][7] = {
    {0x04, 0x0a, 0x11, 0x11, 0x1f, 0x11, 0x11},   // 0x41, A        (the course's labels)
    {0x0C, 0x1E, 0x33, 0x33, 0x3F, 0x33, 0x33, 0x00},   // U+0041 (A)   (public headers)

Every 2-D array of integer rows (hex, decimal, octal, 0b binary) is read, one innermost {...}
per glyph. Declared dimensions are checked against what was parsed; a brace out of place is an
error naming its line. bit_order "msb": the highest of `width` bits is the leftmost pixel;
"lsb": bit 0 is (many public headers store rows that way).
"""
import re

import numpy as np

from ae import InputError

_ARRAY = re.compile(r"(\w+)\s*((?:\[[^\]]*\]\s*)+)=\s*\{")
_COURSE_LABEL = re.compile(r"0x[0-9a-fA-F]+\s*,\s*(\S+)")
_UNICODE_LABEL = re.compile(r"U\+([0-9a-fA-F]{4,6})(?:\s*\(([^)]*)\))?")
_NAMES = {"space": " ", "DEL": "\x7f", "\\\\": "\\"}
MAX_WIDTH = 64


def _strip_block_comments(text):
  # Keep newlines so line numbers (and trailing // labels) stay where they were.
  return re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group().count("\n"), text, flags=re.S)


def _int(tok, where):
  try:
    if re.fullmatch(r"[+-]?0[0-7]+", tok):
      return int(tok, 8)  # C octal literal
    return int(tok.rstrip("uUlL") or tok, 0)
  except ValueError:
    raise InputError(f"{where}: {tok!r} is not an integer row") from None


def label(note):
  """The glyph a trailing comment names: '0x41, A' -> 'A'; 'U+0041 (A)' -> 'A';
  'U+0000 (nul)' -> 'nul' (an invisible character keeps its name); else None."""
  m = _UNICODE_LABEL.search(note)
  if m:
    code = int(m.group(1), 16)
    if code > 0x10FFFF:  # past Unicode: no character, keep the comment's own words
      return m.group(2) or f"U+{m.group(1).upper()}"
    ch = chr(code)
    return ch if ch.isprintable() else (m.group(2) or f"U+{m.group(1).upper()}")
  m = _COURSE_LABEL.search(note)
  return _NAMES.get(m.group(1), m.group(1)) if m else None


def _dims(text):
  """'[32][7]' -> [32, 7]; an empty [] -> None."""
  return [int(d, 0) if d.strip() else None for d in re.findall(r"\[([^\]]*)\]", text)]


def _array(code, notes, name, arr, dims, begin, width):
  """The glyphs of one array whose '{' ends at `begin`: (rows, labels, end index)."""
  line_of = lambda i: code.count("\n", 0, i) + 1
  opened = line_of(begin - 1)
  depth, i, start, rows, labels = 1, begin, None, [], []
  while depth:
    if i >= len(code):
      raise InputError(f"{name}:{opened}: the '{{' of {arr} is never closed")
    c = code[i]
    if c == "{":
      depth += 1
      if depth > 2:
        raise InputError(f"{name}:{line_of(i)}: braces nested too deep in {arr} (a glyph is "
                         "one {row, row, ...})")
      start = i + 1
    elif c == ";":
      raise InputError(f"{name}:{line_of(i)}: ';' inside the braces of {arr}: a '}}' is missing")
    elif c == "}":
      depth -= 1
      if depth == 1:  # one innermost {...} = one glyph
        where = f"{name}:{line_of(i)}"
        toks = [t for t in re.split(r"[\s,]+", code[start:i]) if t]
        if not toks:
          raise InputError(f"{where}: an empty glyph {{}} in {arr}")
        vals = [_int(t, where) for t in toks]
        for v in vals:
          if v < 0:
            raise InputError(f"{where}: row value {v} is negative")
          if v >= 2 ** width:
            raise InputError(f"{where}: row value {v} does not fit --glyph_width={width} bits")
        rows.append(vals)
        labels.append(label(notes[line_of(i) - 1]) or f"{arr}[{len(labels)}]")
    elif depth == 1 and not c.isspace() and c != ",":
      raise InputError(f"{name}:{line_of(i)}: {c!r} between the glyphs of {arr}")
    i += 1
  after = code[i:].lstrip()
  if not after.startswith(";"):
    raise InputError(f"{name}:{line_of(i)}: expected ';' after the closing '}}' of {arr}: "
                     "a '}' too many?")
  if len(dims) >= 1 and dims[0] is not None and dims[0] != len(rows):
    raise InputError(f"{name}:{opened}: {arr} declares {dims[0]} glyphs but holds {len(rows)}")
  if len(dims) >= 2 and dims[1] is not None:
    bad = [k for k, r in enumerate(rows) if len(r) != dims[1]]
    if bad:
      raise InputError(f"{name}:{opened}: {arr} declares {dims[1]} rows per glyph but glyph "
                       f"{bad[0]} has {len(rows[bad[0]])}")
  return rows, labels, i


def parse(text, width=5, name="", array=None, bit_order="msb"):
  """(x (n, h*width) 0/1 float32, labels, (h, width)) of every array (or only `array`)."""
  if not (isinstance(width, int) and 1 <= width <= MAX_WIDTH):
    raise InputError(f"--glyph_width must be in 1..{MAX_WIDTH}, got {width}")
  lines = _strip_block_comments(text).split("\n")
  code = "\n".join(l.split("//", 1)[0] for l in lines)
  notes = [l.split("//", 1)[1] if "//" in l else "" for l in lines]
  rows_all, labels, found, pos = [], [], [], 0
  while True:
    m = _ARRAY.search(code, pos)
    if m is None:
      break
    arr = m.group(1)
    found.append(arr)
    rows, labs, pos = _array(code, notes, name, arr, _dims(m.group(2)), m.end(), width)
    if array is None or arr == array:
      rows_all += rows
      labels += labs
  if array is not None and array not in found:
    raise InputError(f"{name}: no array named {array!r} (found: {', '.join(found) or 'none'})")
  if not rows_all:
    raise InputError(f"{name}: no 2-D array of glyph rows like 'int F[32][7] = {{{{...}}}}'")
  heights = {len(r) for r in rows_all}
  if len(heights) != 1:
    raise InputError(f"{name}: glyphs have different row counts {sorted(heights)}")
  x = np.stack([rows_to_bits(r, width, bit_order).reshape(-1) for r in rows_all])
  return x, tuple(labels), (heights.pop(), width)


def format_rows(bits):
  """A glyph (h, w) of 0/1 as one row of the course's font.h, '{0x0e, 0x11, ...}': the
  inverse of rows_to_bits (msb), two hex digits or more per row.

  >>> format_rows(rows_to_bits([0x0e, 0x11], 5))
  '{0x0e, 0x11}'
  """
  bits = np.asarray(bits, bool)
  digits = max(2, -(-bits.shape[1] // 4))
  ints = [int("".join("1" if b else "0" for b in row), 2) for row in bits]
  return "{" + ", ".join(f"0x{v:0{digits}x}" for v in ints) + "}"


def rows_to_bits(rows, width, bit_order="msb"):
  """Integer rows -> (len(rows), width) 0/1 array, leftmost pixel first."""
  rows = np.asarray(rows, dtype=np.uint64)
  shifts = np.arange(width - 1, -1, -1) if bit_order == "msb" else np.arange(width)
  return ((rows[:, None] >> shifts.astype(np.uint64)) & np.uint64(1)).astype(np.float32)
