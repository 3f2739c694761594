"""Glyph files other than C headers: the project's text fonts and NumPy .npy/.npz images.

Each reader returns plain arrays and labels; ae/data.py wraps them into Glyphs.
"""
import pathlib
import zipfile

import numpy as np

from ae import InputError, runfiles


def parse_text_font(text, name=""):
  """(x, labels, shape) of a font in the project's text format (ae/fonts/README.md); a glyph
  of another size than the first is an InputError naming the file, the line and the glyph."""
  glyphs, chars, starts, cur = [], [], [], None
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
      starts.append(lineno)
    elif cur is None or set(line) - set("#."):
      raise InputError(f"{name}:{lineno}: expected a row of '#' and '.', got {line!r}")
    else:
      cur.append((lineno, [c == "#" for c in line]))
  if not glyphs:
    raise InputError(f"{name}: no glyphs found")
  shape = _same_size(glyphs, chars, starts, name)
  x = np.array([[r for _, r in g] for g in glyphs], dtype=np.float32).reshape(len(glyphs), -1)
  return x, tuple(chars), shape


def _same_size(glyphs, chars, starts, name):
  """The font's (rows, cols), the first glyph's; InputError at the first row or glyph of
  another size."""
  for g, c, start in zip(glyphs, chars, starts):
    if not g:
      raise InputError(f"{name}:{start}: glyph {c!r} (0x{ord(c):02X}) has no rows of pixels")
  rows, cols = len(glyphs[0]), len(glyphs[0][0][1])
  first = f"the first glyph's (line {starts[0]})"
  for g, c, start in zip(glyphs, chars, starts):
    who = f"glyph {c!r} (0x{ord(c):02X})"
    for lineno, r in g:
      if len(r) != cols:
        raise InputError(f"{name}:{lineno}: a row of {len(r)} pixels in {who}; the font's rows "
                         f"have {cols}, as {first}")
    if len(g) != rows:
      raise InputError(f"{name}:{start}: {who} has {len(g)} rows; the font's glyphs have "
                       f"{rows}, as {first}")
  return rows, cols


def _declared(fp):
  """(bytes an .npy stream's header declares, the header's length); ValueError if it has no
  valid header."""
  shape, dtype = runfiles.header(fp)
  return int(np.prod(shape, dtype=object)) * dtype.itemsize, fp.tell()


def check_declared_sizes(path):
  """InputError when an .npy (or an .npz member) declares more data than the file holds: a
  100-byte file may declare terabytes, which np.load would try to allocate first."""
  path = pathlib.Path(path)
  try:
    if path.suffix.lower() == ".npy":
      with open(path, "rb") as fp:
        members = [(path.name, *_declared(fp), path.stat().st_size)]
    else:
      with zipfile.ZipFile(path) as zf:
        members = []
        for info in zf.infolist():
          if info.filename.endswith(".npy"):
            with zf.open(info) as fp:
              members.append((info.filename, *_declared(fp), info.file_size))
  except (OSError, ValueError, EOFError, zipfile.BadZipFile) as e:
    raise InputError(f"{path}: cannot read as numpy data ({str(e).splitlines()[0]})") from None
  for name, declared, header, size in members:
    if declared > size - header:
      raise InputError(f"{path}: {name} declares {declared:,} bytes of data but holds "
                       f"{max(size - header, 0):,} (damaged or forged)")


def load_numpy(path, width=5):
  """(x, labels, shape, classes) of binary images shaped (n, h, w) or (n, d) from .npy, or from
  .npz ('x' or the first array, and optional 'labels', one per image: repeated labels are
  classes, else classes is None)."""
  check_declared_sizes(path)
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
  return a.reshape(n, -1).astype(np.float32), chars, tuple(shape), classes
