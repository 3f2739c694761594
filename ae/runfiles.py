"""A saved run's files are checked before they are read: only regular files inside the run (no
FIFO that would hang, no device, no link out of it), and an .npz's members judged by their
headers (names, dtypes, declared sizes) before any data is unpacked.

A run's own .npz files are written uncompressed (np.savez), so their declared sizes match
their bytes on disk; a 6 MB compressed member that unpacks to 13 GB is refused unread.
"""
import os
import pathlib
import stat
import zipfile

import numpy as np

from ae import InputError

RATIO = 100   # declared bytes per byte on disk at most (the tool's own files: about 1)


def regular(path, root=None):
  """InputError unless `path` is a regular file (a link only if it stays inside `root`)."""
  path = pathlib.Path(path)
  try:
    mode = os.lstat(path).st_mode
    if stat.S_ISLNK(mode):
      target = path.resolve(strict=True)
      if root is not None and not target.is_relative_to(pathlib.Path(root).resolve()):
        raise InputError(f"{path}: a link out of the run directory (to {target})")
      mode = os.stat(target).st_mode
  except FileNotFoundError:
    raise InputError(f"{path}: missing") from None
  except OSError as e:
    raise InputError(f"{path}: cannot read ({e.strerror})") from None
  if not stat.S_ISREG(mode):
    kind = ("a FIFO" if stat.S_ISFIFO(mode) else "a directory" if stat.S_ISDIR(mode) else
            "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a socket"
            if stat.S_ISSOCK(mode) else "not a regular file")
    raise InputError(f"{path}: {kind}, not a file this tool wrote")
  return path


def header(fp):
  """(shape, dtype) from an .npy stream's header, the stream left at its data; ValueError if
  it has none."""
  version = np.lib.format.read_magic(fp)
  read = (np.lib.format.read_array_header_1_0 if version == (1, 0) else
          np.lib.format.read_array_header_2_0)
  shape, _, dtype = read(fp)
  return tuple(int(s) for s in shape), dtype


def members(path, root=None):
  """{name: (shape, dtype)} of an .npz's arrays from their headers alone; InputError when
  the file is not a regular file, not an .npz, or declares more than it could hold."""
  path = regular(path, root)
  out, declared = {}, 0
  try:
    with zipfile.ZipFile(path) as zf:
      for info in zf.infolist():
        if not info.filename.endswith(".npy"):
          raise InputError(f"{path}: {info.filename[:80]!r} is not an array")
        with zf.open(info) as fp:
          shape, dtype = header(fp)
        if dtype.hasobject or dtype.fields is not None:
          raise InputError(f"{path}: {info.filename[:-4]} has dtype {dtype}, not plain numbers")
        declared += int(np.prod(shape, dtype=object)) * dtype.itemsize
        out[info.filename[:-4]] = (shape, dtype)
  except InputError:
    raise
  except (OSError, ValueError, EOFError, zipfile.BadZipFile, NotImplementedError) as e:
    raise InputError(f"{path}: damaged ({type(e).__name__})") from None
  if declared > RATIO * os.path.getsize(path) + 2**20:
    raise InputError(f"{path}: declares {declared:,} bytes of arrays in a file of "
                     f"{os.path.getsize(path):,} (damaged or forged)")
  return out


def check_kinds(path, found, kinds):
  """InputError unless every array's dtype kind is in kinds[name] (or kinds["*"]):
  "f" floats, "iu" integers, "b" booleans, "U" text."""
  for name, (_, dtype) in found.items():
    want = kinds.get(name, kinds.get("*", ""))
    if dtype.kind not in want:
      raise InputError(f"{path}: {name[:80]} has dtype {dtype}, expected "
                       f"{' or '.join(KIND_NAMES[k] for k in want)}")


KIND_NAMES = {"f": "floats", "i": "integers", "u": "integers", "b": "booleans", "U": "text"}
