"""Compiled programs kept on disk, so a warm run loads its training program and helpers as
they were compiled, instead of tracing, lowering and compiling them again (issue 41).

JAX's persistent compilation cache is keyed by the lowered program, so it saves compiling
only: every run still traces and lowers (0.05-0.3 s a program). Here a compiled program is
kept whole (jax.experimental.serialize_executable: the executable JAX's cache would hold,
with its argument and result trees) in a folder of that cache, named by a digest of
everything that can change it:

  - the caller's key: the Task's own (ae/task.py `keyed`: its builder and arguments) and the
    static settings the program is built from;
  - the arguments' tree, shapes, dtypes and placements;
  - the lab's source (every file of the `ae` package), the versions of JAX and of the
    libraries a program traces through, JAX's config, XLA's flags, the devices and the CPU
    the program was compiled for.

A difference the digest missed would run a stale program, so a program is kept only where
the caller names it (a Task made by a `keyed` builder), and only where one process runs.
Only what jax.export can write is kept (no host callback: its executable points into this
process), compiled from that export as before; a program loaded computes the same bits. The
files are pickles of executables, read from the user's own cache folder only.
"""
import functools
import hashlib
import inspect
import os
import pathlib
import pickle
import platform
import sys
import tempfile

import jax
import numpy as np
from jax.experimental import serialize_executable

FOLDER = "ae-programs"  # inside JAX's cache folder (JAX's own files there end in -cache)
SUFFIX = ".xla"
# libraries a training program traces through: their versions are part of its name
LIBRARIES = ("jax", "jaxlib", "numpy", "ml_dtypes", "optax", "optimistix", "equinox", "jaxopt")


def folder():
  """Where programs are kept: FOLDER in JAX's persistent cache, or None when that cache is
  off or the run is one of several processes (a program there spans every process)."""
  cache = jax.config.values.get("jax_compilation_cache_dir")
  if not cache or jax.process_count() > 1:
    return None
  return pathlib.Path(cache) / FOLDER


@functools.cache
def source_digest():
  """sha256 of every source file of the `ae` package, by relative path (none found, as in an
  install of compiled files only: a random one, so no kept program is ever read back)."""
  root = pathlib.Path(__file__).parent
  paths = sorted(root.rglob("*.py"))
  if not paths:
    return os.urandom(16).hex()
  h = hashlib.sha256()
  for path in paths:
    h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
  return h.hexdigest()


def digest(key, args):
  """The file name of the program `key` names, traced for these arguments, here."""
  parts = [key, source_digest(), repr(sorted(jax.config.values.items())),
           os.environ.get("XLA_FLAGS", ""), repr([str(d) for d in jax.devices()]), _cpu(),
           repr([(n, _version(n)) for n in LIBRARIES if n in sys.modules]), types(args)]
  return hashlib.sha256("\n".join(parts).encode()).hexdigest() + SUFFIX


@functools.cache
def _cpu():
  """The CPU a program is compiled for: XLA uses every instruction set it offers (the flags
  of /proc/cpuinfo, where there is one), so a cache folder shared by machines keeps one
  program for each."""
  try:
    with open("/proc/cpuinfo") as f:
      return next((line for line in f if line.startswith(("flags", "Features"))), "")
  except OSError:
    return platform.machine() + " " + platform.processor()


def types(args):
  """What a program is traced for: the arguments' tree, and each leaf's shape, dtype (a
  Python number: its type, which JAX traces as a weak one), weak type and placement (None
  where jit may place it: a NumPy array, a JAX array not committed to its devices)."""
  leaves, tree = jax.tree.flatten(args)
  return repr((str(tree), [
      (np.shape(a), str(a.dtype) if hasattr(a, "dtype") else type(a).__name__,
       isinstance(a, jax.Array) and jax.typeof(a).weak_type,
       str(a.sharding) if getattr(a, "committed", False) else None)
      for a in leaves]))


def jit(fn=None, *, static_argnums=(), static_argnames=()):
  """jax.jit for a function of the `ae` package (its source is in every name), with each
  program kept (`compiled`), named by the function, its static arguments' repr (a frozen
  config's names every field) and the other arguments' `types`: a warm run loads its
  evaluation and decoding helpers compiled, none traced. One program per static arguments
  and types, as jax.jit; not for a call inside another traced function."""
  if fn is None:
    return functools.partial(jit, static_argnums=static_argnums,
                             static_argnames=static_argnames)
  signature = inspect.signature(fn)
  names = list(signature.parameters)
  static = ({names[i] for i in np.atleast_1d(static_argnums)} |
            set([static_argnames] if isinstance(static_argnames, str) else static_argnames))
  ready = {}   # (name, types) -> the compiled program, in this process

  @functools.wraps(fn)
  def call(*args, **kwargs):
    bound = signature.bind(*args, **kwargs)
    bound.apply_defaults()
    fixed = {k: v for k, v in bound.arguments.items() if k in static}
    given = [k for k in bound.arguments if k not in static]
    values = tuple(bound.arguments[k] for k in given)
    name = f"{fn.__module__}.{fn.__qualname__}{sorted(fixed.items())!r}"
    key = (name, types(values))
    if key not in ready:
      ready[key] = compiled(lambda *v: fn(**dict(zip(given, v)), **fixed), values, name)
    return ready[key](*values)
  return call


def _version(name):
  """An imported library's version: its __version__, else its installed metadata's (jaxopt has
  no __version__; importlib.metadata costs 50 ms, so only where needed)."""
  import importlib.metadata  # pylint: disable=g-import-not-at-top  (see above)
  return getattr(sys.modules[name], "__version__", None) or importlib.metadata.version(name)


def compiled(fn, args, key, jit=jax.jit):
  """jit(fn).lower(*args).compile(), loaded from a file kept by an earlier run where `key` is
  given (a string naming everything fn depends on beyond its arguments) and programs are kept
  here (`folder`). jit: how fn is jitted (its placements). args: arrays or ShapeDtypeStructs
  in dicts, lists and tuples only, the containers jax.export can write."""
  where = folder()
  if key is None or where is None:
    return jit(fn).lower(*args).compile()
  path = where / digest(key, args)
  program = _read(path)
  if program is not None:
    return program
  try:
    exported = jax.export.export(jit(fn))(*args)
  except (NotImplementedError, ValueError):
    # what jax.export cannot write (a host callback, a custom call without a stable form)
    # is traced every run; an error of fn's own is raised again by the trace here
    return jit(fn).lower(*args).compile()
  program = jit(_named_anew(exported.call)).lower(*args).compile()
  _write(path, _serialized(program))
  return program


def _named_anew(call):
  """call, under a name no program had before. JAX's persistent cache keys a program by its
  name and text, and an executable it reads back cannot be written again whole (XLA leaves
  out its compiled functions: "Function ... not found" when the copy runs), so a kept program
  must be compiled here, never read from that cache: after an older lab's run of the same
  text, a damaged file, or another process keeping the same program a moment before. That
  cache's copy of it is never read (compressed: a fifth of the kept file's size)."""
  def kept(*args):
    return call(*args)
  kept.__name__ = kept.__qualname__ = f"kept_{os.urandom(8).hex()}"
  return kept


def _serialized(program):
  """The compiled program as a file holds it (with the ids of the devices it runs on, in
  its order), or None where JAX cannot write it."""
  try:
    devices = [d.id for d in program.runtime_executable().local_devices()]
    return pickle.dumps((*serialize_executable.serialize(program), devices))
  except Exception:  # pylint: disable=broad-except  (unwritable: compiled again next run)
    return None


def _read(path):
  """The program kept at path, loaded onto its devices, or None: missing, or a damaged or
  foreign file (it is compiled again and the file replaced)."""
  try:
    data, in_tree, out_tree, ids = pickle.loads(path.read_bytes())
    by_id = {d.id: d for d in jax.devices()}
    return serialize_executable.deserialize_and_load(
        data, in_tree, out_tree, execution_devices=[by_id[i] for i in ids])
  except Exception:  # pylint: disable=broad-except  (any unreadable file is a miss)
    return None


def _write(path, data):
  """data at path, whole or not at all (written aside, then renamed); None, or an unwritable
  folder, only costs the next run a compile."""
  if data is None:
    return
  try:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".new-")
  except OSError:
    return
  try:
    with os.fdopen(fd, "wb") as f:
      f.write(data)
    os.replace(tmp, path)
  except OSError:
    pass
  finally:
    if os.path.exists(tmp):  # not renamed: a failed write, or a signal
      os.unlink(tmp)
