"""Run directories: config.json, metrics.json, params.npz (every seed), figures/."""
import dataclasses
import json
import os
import pathlib
import secrets
import shutil
import subprocess
import sys
import zipfile

import jax
import numpy as np

from ae import InputError, flagfile, runfiles
from ae.rundata import HASH_COVERS, data_hash, load_data, plain, save_data  # noqa: F401


def check_new(run_dir):
  """Raises InputError if run_dir exists: an earlier run is never overwritten."""
  run_dir = pathlib.Path(run_dir)
  if os.path.lexists(run_dir):   # a dangling link too: the rename would fail at the end
    raise InputError(f"run directory {run_dir} already exists (an earlier run is never "
                     "overwritten): choose another run directory")
  return run_dir


class Building:
  """A run directory built aside and renamed into place when complete:

    >>> import tempfile
    >>> with Building(pathlib.Path(tempfile.mkdtemp()) / "run") as b:  # b.tmp/figures exists
    ...   save_json(b.tmp / "metrics.json", {"summary": {}})
    >>> sorted(p.name for p in b.path.iterdir())   # b.path: the finished run
    ['figures', 'metrics.json']

  A failure or an exception of any kind (Ctrl-C included) removes the temporary directory,
  and the parent directories it created if they are left empty: a run directory is complete
  or absent.
  """

  def __init__(self, run_dir):
    self.path = check_new(run_dir)
    self.tmp = None
    self.created = []  # parent directories this run made, deepest first

  def __enter__(self):
    parent = self.path.parent
    try:
      missing = parent
      while not missing.exists():
        self.created.append(missing)
        missing = missing.parent
      parent.mkdir(parents=True, exist_ok=True)
      while self.tmp is None:
        # named before it exists (mkdtemp names it after), so a signal the moment it is made
        # still finds it to remove; made with the umask's mode (mkdtemp's 0700 would survive
        # the rename)
        self.tmp = parent / f".{self.path.name}.{secrets.token_hex(8)}"
        try:
          self.tmp.mkdir()
        except FileExistsError:   # another run's (1 in 2**64): never touched, another name
          self.tmp = None
      (self.tmp / "figures").mkdir()
    except OSError as e:
      self._discard()
      raise InputError(f"cannot create a run directory in {parent}: {e.strerror}") from None
    except BaseException:  # a signal (KeyboardInterrupt) between the mkdirs: no __exit__
      self._discard()      # follows an exception inside __enter__, so clean up here
      raise
    return self

  def _discard(self):
    """Removes what this run began: its temporary directory and the parents it made."""
    if self.tmp is not None:
      shutil.rmtree(self.tmp, ignore_errors=True)
    self._remove_created()

  def _remove_created(self):
    for d in self.created:  # deepest first; one holding anything else stays
      try:
        d.rmdir()
      except OSError:
        break

  def __exit__(self, kind, value, tb):
    if kind is not None:
      self._discard()
      if issubclass(kind, OSError):  # a full disk, say: one line naming where, nothing left
        raise InputError(f"cannot write the run in {self.path.parent}: "
                         f"{value.strerror or value}; nothing was saved") from None
      return False
    try:
      check_new(self.path)
      os.rename(self.tmp, self.path)  # fails on a non-empty directory that appeared meanwhile
    except (InputError, OSError):
      self._discard()
      raise InputError(f"run directory {self.path} appeared while this run was being "
                       "written; nothing was saved under that name") from None
    return False


def save_json(path, obj):
  pathlib.Path(path).write_text(json.dumps(plain(obj), indent=1, ensure_ascii=False) + "\n")


def load_json(path, root=None):
  """A JSON file; InputError naming it when it is not a regular file or not valid JSON."""
  runfiles.regular(path, root)
  try:
    return json.loads(pathlib.Path(path).read_text())
  except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
    raise InputError(f"{path}: not valid JSON ({type(e).__name__})") from None
  except OSError as e:
    raise InputError(f"{path}: cannot read ({e.strerror})") from None


def save_params(path, params):
  """Any params pytree of dicts and lists (a leading seed axis kept) -> npz, one array per
  leaf named by its path: '#0/w' is params[0]["w"]."""
  arrays = {}
  for keys, leaf in jax.tree_util.tree_flatten_with_path(params)[0]:
    parts = [f"#{k.idx}" if hasattr(k, "idx") else str(k.key) for k in keys]
    arrays["/".join(parts)] = np.asarray(leaf)
  np.savez(path, **arrays)


def _nest(items):
  """[(['#0', 'w'], array), ...] -> nested lists and dicts."""
  heads = {}
  for parts, a in items:
    heads.setdefault(parts[0], []).append((parts[1:], a))
  def build(rest):
    return rest[0][1] if rest[0][0] == [] else _nest(rest)
  if all(h.startswith("#") for h in heads):
    return [build(heads[h]) for h in sorted(heads, key=lambda h: int(h[1:]))]
  return {h: build(v) for h, v in heads.items()}


def save_history(path, steps, history, first_seed=0):
  """Per-seed training curves: steps (T,), and each history entry (seeds, T); also as
  history.csv beside it (one row per seed and logged step) for pandas or a spreadsheet."""
  path = pathlib.Path(path)
  np.savez(path, step=np.asarray(steps), **{k: np.asarray(v) for k, v in history.items()})
  names = list(history)
  with open(path.with_suffix(".csv"), "w", encoding="utf-8") as f:
    f.write(",".join(["seed", "step"] + names) + "\n")
    cols = [np.asarray(history[k]) for k in names]
    for s in range(cols[0].shape[0] if cols else 0):
      for t, step in enumerate(steps):
        f.write(",".join([str(first_seed + s), str(int(step))] +
                         [f"{c[s, t]:.7g}" for c in cols]) + "\n")


def load_history(path, seeds=None, root=None):
  """(steps, history dict) from save_history, checked (a loss curve, one row per seed, the
  steps as integers, the curves as numbers); (None, None) when the file is absent."""
  if not os.path.lexists(path):
    return None, None
  found = runfiles.members(path, root)
  runfiles.check_kinds(path, found, {"step": "iu", "*": "fiub"})
  shapes = {k: shape for k, (shape, _) in found.items()}
  if "step" not in shapes or "loss" not in shapes or len(shapes["step"]) != 1 or \
      shapes["step"][0] < 1:
    raise InputError(f"{path}: not a history this tool wrote (it needs steps and a loss "
                     "curve)")
  if any(len(v) != 2 or v[1] != shapes["step"][0] or (seeds is not None and v[0] != seeds)
         for k, v in shapes.items() if k != "step"):
    raise InputError(f"{path}: the curves do not have one row per seed"
                     f"{f' ({seeds})' if seeds else ''} and one column per step")
  try:
    with np.load(path, allow_pickle=False) as f:
      steps, history = f["step"], {k: f[k] for k in f.files if k != "step"}
  except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as e:
    raise InputError(f"{path}: damaged ({type(e).__name__})") from None
  return steps, history


def load_params(path, root=None):
  """The params pytree save_params wrote; InputError if the file is damaged or holds
  anything but float arrays."""
  runfiles.check_kinds(path, runfiles.members(path, root), {"*": "f"})
  try:
    with np.load(path, allow_pickle=False) as f:
      items = [(k.split("/"), f[k]) for k in f.files]
  except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as e:
    raise InputError(f"{path}: damaged ({type(e).__name__})") from None
  if not items:
    raise InputError(f"{path}: holds no arrays")
  try:
    return _nest(items)
  except (ValueError, IndexError):
    raise InputError(f"{path}: not a params file written by this tool") from None


def load_run(run_dir):
  """(config dict, metrics dict, params) of a finished run; InputError if it is not one."""
  run_dir = pathlib.Path(run_dir)
  if not run_dir.is_dir():
    raise InputError(f"--load={run_dir}: no such directory")
  need = [run_dir / n for n in ("config.json", "metrics.json", "params.npz")]
  missing = [p.name for p in need if not os.path.lexists(p)]
  if missing:
    raise InputError(f"--load={run_dir}: not a finished run directory (missing "
                     f"{', '.join(missing)})")
  return (load_json(need[0], run_dir), load_json(need[1], run_dir),
          load_params(need[2], run_dir))


# ---------------------------------------------------------------- configs back from JSON
def restore(default, d, source="config.json"):
  """The config `d` (a dict from JSON) describes, shaped like the dataclass instance
  `default`; InputError naming the key on an unknown key or a value of the wrong type."""
  if not isinstance(d, dict):
    raise InputError(f"{source}: expected an object, got {type(d).__name__}")
  names = {f.name: f for f in dataclasses.fields(default)}
  unknown = sorted(set(d) - set(names))
  if unknown:
    raise InputError(f"{source}: unknown key {unknown[0]!r}")
  kw = {}
  for name, v in d.items():
    cur = getattr(default, name)
    if dataclasses.is_dataclass(cur):
      kw[name] = restore(cur, v, f"{source}: {name}")
      continue
    t = names[name].type
    ok = (v is None or (t in (bool, "bool") and isinstance(v, bool))
          or (t in (int, "int") and isinstance(v, int) and not isinstance(v, bool))
          or (t in (float, "float") and isinstance(v, (int, float)) and not isinstance(v, bool))
          or (t in (str, "str") and isinstance(v, str))
          or (t in (tuple, "tuple") and isinstance(v, list)))
    if not ok:
      raise InputError(f"{source}: {name} = {v!r} is not a valid {getattr(t, '__name__', t)}")
    if isinstance(v, list):
      v = tuple(tuple(p) if isinstance(p, list) else p for p in v)
    kw[name] = float(v) if t in (float, "float") and v is not None else v
  return dataclasses.replace(default, **kw)


def checked(config, where):
  """The restored config, its training, model and data fields checked as a fresh run's
  flags are; InputError naming `where` and the field (not a flag: --load takes none)."""
  try:
    for part in ("train", "model", "data"):
      getattr(getattr(config, part, None), "check", lambda: None)()
  except InputError as e:
    raise InputError(f"{where}: {e}") from None
  return config


def versions():
  """Python, jax, jaxlib, optax and project versions, and the git commit when there is one."""
  import importlib.metadata  # pylint: disable=g-import-not-at-top
  out = {"python": sys.version.split()[0]}
  for pkg in ("jax", "jaxlib", "optax", "ae-lab"):
    try:
      out[pkg] = importlib.metadata.version(pkg)
    except importlib.metadata.PackageNotFoundError:
      out[pkg] = None
  try:
    root = pathlib.Path(__file__).resolve().parent.parent
    r = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True,
                       text=True, timeout=5, check=False)
    out["git"] = r.stdout.strip() if r.returncode == 0 else None
  except (OSError, subprocess.SubprocessError):
    out["git"] = None
  return out


def machine():
  """Where the run trained: processes (JAX's multi-controller runtime), devices in all, and
  their platform."""
  return {"processes": jax.process_count(), "devices": jax.device_count(),
          "platform": jax.devices()[0].platform}


# ---------------------------------------------------------------- a whole run, written and read
def write_run(run_dir, experiment, config, arrays, labels, meta, loaded_from=None):
  """config.json (the config, the data's hash, versions), flags.txt (the flags that repeat
  it, ae/flagfile.py) and data.npz (the exact data: arrays name -> array, one label per
  sample, meta such as the data's name and shape)."""
  sha = save_data(pathlib.Path(run_dir) / "data.npz", arrays, labels, meta)
  (pathlib.Path(run_dir) / flagfile.NAME).write_text(
      flagfile.text(experiment, config, loaded_from), encoding="utf-8")
  save_json(pathlib.Path(run_dir) / "config.json", {
      "experiment": experiment, "config": config, "data_sha256": sha,
      "data_hash_covers": HASH_COVERS,
      "loaded_from": None if loaded_from is None else str(loaded_from),
      "versions": versions(), "machine": machine()})


def read_run(run_dir, experiment, default):
  """(config, (arrays, labels, meta), params, (steps, history)) of a finished run of
  `experiment`, from its own files only; InputError naming the file and the problem."""
  run_dir = pathlib.Path(run_dir)
  saved, metrics, params = load_run(run_dir)
  where = run_dir / "config.json"
  if not isinstance(saved, dict) or saved.get("experiment") != experiment:
    raise InputError(f"{where}: not a {experiment} run")
  unknown = set(saved) - {"experiment", "config", "data_sha256", "data_hash_covers",
                          "loaded_from", "versions", "machine"}
  if unknown or "config" not in saved or not isinstance(saved.get("data_sha256"), str):
    raise InputError(f"{where}: unexpected layout ({', '.join(sorted(unknown)) or 'keys missing'})")
  config = checked(restore(default, saved["config"], str(where)), where)
  covers = saved.get("data_hash_covers")
  if covers not in (None, HASH_COVERS):
    raise InputError(f"{where}: data_hash_covers is {covers!r}, not {HASH_COVERS!r}")
  data = load_data(run_dir / "data.npz", saved["data_sha256"], covers, run_dir)
  seeds = config.train.seeds
  if any(a.ndim < 1 or a.shape[0] != seeds for a in jax.tree.leaves(params)):
    raise InputError(f"{run_dir / 'params.npz'}: does not hold {seeds} seeds as config.json says")
  per_seed = metrics.get("per_seed") if isinstance(metrics, dict) else None
  if not isinstance(per_seed, list) or len(per_seed) != seeds:
    raise InputError(f"{run_dir / 'metrics.json'}: per_seed does not list {seeds} seeds")
  return config, data, params, load_history(run_dir / "history.npz", seeds, run_dir)
