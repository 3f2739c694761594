"""What the training core trains: a Task of pure functions, and its size.

A leaf module: models and experiments build Tasks without importing the engine.
"""
import functools
from typing import Callable, NamedTuple

import jax
import numpy as np


class Task(NamedTuple):
  """What the core trains. Pure functions; nothing else is known about the model or the data.

  init(key) -> params (a pytree).
  loss(params, batch, key) -> scalar: what the optimizer and the solvers minimise. batch is
    `data` (or a minibatch of its leading axis); key is fresh at every step (noise, samples).
  metrics(params, data) -> {name: scalar}: evaluated at log points only (optional).
  uses_step: loss is called as loss(params, batch, key, step), for losses that change over
    training (a KL warm-up); the logged loss and a solver call see the step they run at.
  group_seeds: on a CPU, run a device's seeds in groups of train.GROUP whenever it has more,
    however small their state (train.group_size); a speed hint, measured per loss.
  key: names these functions exactly (set by `keyed`); with one, a run keeps its traced
    training program on disk for the next (ae/programs.py). None: traced every run.
  """
  init: Callable
  loss: Callable
  metrics: Callable = None
  uses_step: bool = False
  group_seeds: bool = False
  key: str = None


def keyed(builder):
  """For a Task builder whose functions depend on its (hashable) arguments and the lab's
  code alone: memoised, so equal arguments give the same Task (a second fit reuses its
  compiled program), and each Task's `key` names the builder and the arguments' repr."""
  name = f"{builder.__module__}.{builder.__qualname__}"

  @functools.lru_cache(maxsize=64)
  @functools.wraps(builder)
  def build(*args, **kwargs):
    return builder(*args, **kwargs)._replace(key=f"{name}{args!r}{sorted(kwargs.items())!r}")
  return build


def task_of(task):
  """A Task, or the one a function hyper -> Task makes with no hyper values."""
  return task if isinstance(task, Task) else task({})


def param_shapes(task):
  """One seed's params of a Task (or a function hyper -> Task) as shapes (a pytree of
  jax.ShapeDtypeStruct), from a key's shape: nothing is computed or compiled."""
  return jax.eval_shape(task_of(task).init, jax.ShapeDtypeStruct((2,), np.uint32))


def param_count(task):
  """Parameters per seed of a Task (or a function hyper -> Task), from shapes alone: the one
  count every config, header and memory estimate uses."""
  return sum(int(np.prod(s.shape)) for s in jax.tree.leaves(param_shapes(task)))
