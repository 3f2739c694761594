"""The exact training data a run holds (data.npz), the hash config.json keeps of it, and the
JSON-ready form of any config or metrics value."""
import dataclasses
import hashlib
import json
import zipfile

import numpy as np

from ae import InputError, runfiles


def plain(obj):
  """Dataclasses, tuples and numpy scalars/arrays -> JSON-ready Python values."""
  if dataclasses.is_dataclass(obj):
    return {f.name: plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
  if isinstance(obj, dict):
    return {str(k): plain(v) for k, v in obj.items()}
  if isinstance(obj, (list, tuple)):
    return [plain(v) for v in obj]
  if isinstance(obj, np.ndarray) or hasattr(obj, "__array__"):
    return plain(np.asarray(obj).tolist())
  if isinstance(obj, np.generic):
    return obj.item()
  if isinstance(obj, float) and not np.isfinite(obj):
    return None if np.isnan(obj) else str(obj)  # JSON has no nan/inf
  return obj


def data_hash(arrays, labels=None, meta=None):
  """sha256 over the arrays' names, dtypes, shapes and bytes, then (when given) the labels and
  the meta as JSON: everything data.npz holds."""
  h = hashlib.sha256()
  for name in sorted(arrays):
    a = np.ascontiguousarray(arrays[name])
    h.update(f"{name}:{a.dtype.str}:{a.shape};".encode())
    h.update(a.tobytes())
  if labels is not None:
    h.update(json.dumps([str(s) for s in labels], ensure_ascii=False).encode())
    h.update(json.dumps(plain(meta), sort_keys=True).encode())
  return h.hexdigest()


HASH_COVERS = "arrays, labels, meta"  # config.json's data_hash_covers since labels joined it


def save_data(path, arrays, labels, meta):
  """The exact training data in the run directory: arrays (name -> array), labels (one
  string per sample), meta (name, shape, ...). Returns the hash of all of it."""
  np.savez(path, labels=np.asarray(list(labels), dtype=str),
           meta=np.asarray(json.dumps(plain(meta))), **{f"a_{k}": v for k, v in arrays.items()})
  return data_hash(arrays, labels, meta)


def load_data(path, expect_hash, covers=HASH_COVERS, root=None):
  """(arrays, labels, meta) saved by save_data; InputError if damaged or not the data the
  run was trained on. covers None: a run from before the hash covered labels and meta (its
  arrays alone are checked; the loader validates the rest as it would a fresh data set)."""
  found = runfiles.members(path, root)   # headers first: nothing unpacked unchecked
  runfiles.check_kinds(path, found, {"labels": "U", "meta": "U", "*": "fiub"})
  try:
    with np.load(path, allow_pickle=False) as f:
      arrays = {k[2:]: f[k] for k in f.files if k.startswith("a_")}
      labels, meta = [str(s) for s in f["labels"]], json.loads(str(f["meta"]))
  except (OSError, ValueError, KeyError, EOFError, RecursionError,
          zipfile.BadZipFile) as e:
    raise InputError(f"{path}: damaged ({type(e).__name__})") from None
  got = data_hash(arrays) if covers is None else data_hash(arrays, labels, meta)
  if got != expect_hash:
    raise InputError(f"{path}: the data does not match the hash in config.json (edited?)")
  return arrays, labels, meta
