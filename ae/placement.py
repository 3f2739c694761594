"""Where a fit's arrays live: the seed axis spread over every device (CPU cores exposed as
devices, or GPUs; with several processes, every process's), the rest replicated, and jit with
those placements."""
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec

from ae import processes, programs


class Placement(NamedTuple):
  """Where a fit's arrays live: the seed axis spread over the mesh's devices, the rest
  replicated on each."""
  mesh: Mesh
  seed: NamedSharding
  replicated: NamedSharding

  def data(self, per_run):
    """The data's sharding: per run on the seed axis, shared by every run replicated."""
    return self.seed if per_run else self.replicated


@programs.jit(static_argnums=1)   # one program, not one per eager op
def _padded(keys, pad):
  """The keys and `pad` more folded from the first (the runs they start are dropped)."""
  extra = jax.vmap(jax.random.fold_in, in_axes=(None, 0))(keys[0], 1 + jnp.arange(pad))
  return jnp.concatenate([keys, extra])


def shard_seeds(keys, group=None):
  """Spreads the seed axis over all devices (CPU cores exposed as devices by the entry
  points, or GPUs; with several processes, every process's, each placing its own shards):
  XLA then runs each device's seeds on its own thread. The seed count is padded up to a
  multiple of the device count (times the group size, when seeds run in groups) with extra
  keys whose results the caller drops. Returns (keys, a Placement, or None on one device)."""
  devices = jax.devices()
  n = keys.shape[0]
  multiple = len(devices) * (group or 1)
  pad = -n % multiple
  if pad:
    keys = _padded(keys, pad)
  if not processes.several() and (len(devices) == 1 or n == 1):
    return keys, None
  mesh = Mesh(np.array(devices), ("seed",))
  at = Placement(mesh, NamedSharding(mesh, PartitionSpec("seed")),
                 NamedSharding(mesh, PartitionSpec()))
  return processes.place(np.asarray(keys), at.seed), at


def jit(fn, at, ins):
  """jit of fn with its arguments placed as `ins` says (a Placement's shardings, one per
  argument) and every output on the seed axis; plain jit on one device (at None)."""
  if at is None:
    return jax.jit(fn)
  return jax.jit(fn, in_shardings=ins, out_shardings=at.seed)
