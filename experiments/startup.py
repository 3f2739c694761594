"""Process start-up for any program on the library: every CPU core as a jax device, and JAX's
persistent compilation cache. Entry points (experiments, benchmarks) call these before jax
touches a backend; ae/ never changes jax.config itself.
"""
import atexit
import gc
import os
import signal

# The signals a program handles (one list: the early recorder, entry.Stop, the launcher):
# Ctrl-C, a scheduler's SIGTERM, a closed terminal's SIGHUP.
SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
# The flags that make a program one process of several (experiments/distributed.py defines
# them; the launcher sets them itself and --load refuses them).
JOINING = ("coordinator_address", "num_processes", "process_id", "distributed")
_EARLY = []  # signals that came before the program's Stop handler took over


class Stopped(Exception):
  """A signal came before any training: nothing is written."""


def begin():
  """What a program does first, before its imports (they take seconds): SIGINT, SIGTERM and
  SIGHUP are recorded from here on instead of raising inside some import (entry.Stop takes
  them over, so a signal at any moment ends the run cleanly), and Python's cyclic garbage
  collector waits until freeze_imports(): the imports make some 90,000 objects and next to
  no garbage, and each collection during them walked every object made so far (0.09 s of
  JAX's start-up: BUILD_NOTES.md)."""
  gc.disable()
  for sig in SIGNALS:
    signal.signal(sig, lambda signum, frame: _EARLY.append(signum))


def early_signal():
  """The first signal begin() recorded, or None."""
  return _EARLY[0] if _EARLY else None


CPU_DEVICES = "AE_LAB_CPU_DEVICES"  # set by experiments.launch: each process's share of cores


def use_all_cores():
  """Exposes each CPU core as a jax device so seeds shard across cores (see placement.shard_seeds);
  $AE_LAB_CPU_DEVICES, when set, is the number instead (a process's share of the cores).
  Must run before jax touches a backend; harmless on GPU."""
  import jax  # pylint: disable=g-import-not-at-top
  from absl import logging  # pylint: disable=g-import-not-at-top
  logging.set_verbosity(logging.WARNING)  # no "Unable to initialize backend 'tpu'" chatter
  share = os.environ.get(CPU_DEVICES, "")
  n = int(share) if share.isdigit() and int(share) > 0 else len(os.sched_getaffinity(0))
  jax.config.update("jax_num_cpu_devices", max(1, n))


def freeze_imports():
  """Keeps Python's cyclic garbage collector off every object made so far (call it once JAX
  is imported: some 90,000 objects of its modules), and off all of them at exit, and turns
  it on (begin() held it). Each full collection walked them again, and the last one, at
  exit, only freed memory the process hands back anyway: 0.4-0.6 s of a 4-8 s run (issue
  41). Objects still die when their last reference goes; one left in a reference cycle waits
  for the exit, where it is not finalised (every file the lab writes is closed by a `with`
  first)."""
  gc.freeze()
  gc.enable()
  atexit.register(gc.freeze)


def use_compile_cache(path):
  """JAX's persistent compilation cache in `path` ('none': off). Every compiled program is
  kept, however quick its compile: below JAX's default floor of 1 s a run's small evaluation
  and decoding programs were compiled again on every run. The entry points turn it on before
  a run's first program, so a second identical run compiles nothing
  (tests/test_compile_cache.py)."""
  import jax  # pylint: disable=g-import-not-at-top
  if not path or path.lower() == "none":
    return
  path = os.path.expanduser(path)
  probe = path  # JAX makes the directory at its first compile: none for rejected input
  while probe and not os.path.exists(probe):
    probe = os.path.dirname(probe.rstrip(os.sep)) or "."
  if not (os.path.isdir(probe) and os.access(probe, os.W_OK | os.X_OK)):
    return  # an unwritable cache only costs speed: run without it
  jax.config.update("jax_compilation_cache_dir", path)
  jax.config.update("jax_persistent_cache_min_compile_time_secs", 0)
  jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
