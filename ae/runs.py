"""Run directories: config.json, metrics.json, params.npz (every seed), figures/."""
import dataclasses
import json
import pathlib

import numpy as np

from ae import InputError


def check_new(run_dir):
  """Raises InputError if run_dir exists: an earlier run is never overwritten."""
  run_dir = pathlib.Path(run_dir)
  if run_dir.exists():
    raise InputError(f"run directory {run_dir} already exists; pick another --run_name "
                     f"or --out_dir")
  return run_dir


def create(run_dir):
  """Makes run_dir and run_dir/figures (fails if run_dir exists)."""
  run_dir = check_new(run_dir)
  (run_dir / "figures").mkdir(parents=True)
  return run_dir


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


def save_json(path, obj):
  pathlib.Path(path).write_text(json.dumps(plain(obj), indent=1, ensure_ascii=False) + "\n")


def load_json(path):
  return json.loads(pathlib.Path(path).read_text())


def save_params(path, params):
  """params: list of {w, b} (any leading seed axis kept) -> npz with w0, b0, w1, b1, ..."""
  arrays = {}
  for i, layer in enumerate(params):
    arrays[f"w{i}"] = np.asarray(layer["w"])
    arrays[f"b{i}"] = np.asarray(layer["b"])
  np.savez(path, **arrays)


def save_history(path, steps, history):
  """Per-seed training curves: steps (T,), and each history entry (seeds, T)."""
  np.savez(path, step=np.asarray(steps), **{k: np.asarray(v) for k, v in history.items()})


def load_history(path):
  """(steps, history dict) from save_history; (None, None) when the file is absent."""
  if not pathlib.Path(path).is_file():
    return None, None
  with np.load(path) as f:
    return f["step"], {k: f[k] for k in f.files if k != "step"}


def load_params(path):
  with np.load(path) as f:
    n = len([k for k in f.files if k.startswith("w")])
    return [{"w": f[f"w{i}"], "b": f[f"b{i}"]} for i in range(n)]


def load_run(run_dir):
  """(config dict, metrics dict, params) of a finished run; InputError if it is not one."""
  run_dir = pathlib.Path(run_dir)
  need = [run_dir / n for n in ("config.json", "metrics.json", "params.npz")]
  missing = [p.name for p in need if not p.is_file()]
  if missing:
    raise InputError(f"--load={run_dir}: not a finished run directory (missing "
                     f"{', '.join(missing)})")
  return load_json(need[0]), load_json(need[1]), load_params(need[2])
