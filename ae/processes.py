"""One run across many processes: JAX's multi-controller runtime, seen from the library.

Each process runs the same program; the seed axis spans `jax.devices()` of every process
(`placement.shard_seeds`), each process places only its own shards, and whatever the host needs
(history rows, the final params) is gathered to every process. Starting the runtime is the
entry point's job (`experiments/distributed.py`, `jax.distributed.initialize`); with one
process every function here is the plain single-process operation.
"""
import jax
import numpy as np
from jax.experimental import multihost_utils


def several():
  """True when this program is one of several processes of a run."""
  return jax.process_count() > 1


def is_writer():
  """Process 0 alone builds the run directory and prints."""
  return jax.process_index() == 0


def place(tree, sharding):
  """Host arrays (the same on every process) as global arrays laid out by `sharding`: each
  process places only the shards on its own devices."""
  if not several():
    return jax.device_put(tree, sharding)
  def one(a):
    a = np.asarray(a)
    return jax.make_array_from_callback(a.shape, sharding, lambda idx: a[idx])
  return jax.tree.map(one, tree)


def gather(tree):
  """Every process gets the whole of each (global) array, as NumPy."""
  if not several():
    return jax.device_get(tree)
  return jax.tree.map(lambda a: np.asarray(multihost_utils.process_allgather(a, tiled=True)),
                      tree)


def each(a):
  """Every process's copy of host array `a` (the same shape on each), stacked: (processes,
  ...); with one process, a[None]."""
  a = np.asarray(a)
  if not several():
    return a[None]
  return np.asarray(multihost_utils.process_allgather(a))


def agree(stop, seconds):
  """(whether any process asks to stop, the slowest process's seconds): one tiny collective,
  so every process takes the same chunk and stops at the same one."""
  if not several():
    return bool(stop), seconds
  both = np.asarray(multihost_utils.process_allgather(
      np.array([float(bool(stop)), -1.0 if seconds is None else float(seconds)])))
  slowest = float(both[:, 1].max())
  return bool(both[:, 0].any()), None if slowest < 0 else slowest


def any_process(flag):
  """True on every process when `flag` is True on any (a stop between a run's parts)."""
  return agree(flag, None)[0]
