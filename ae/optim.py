"""Optax optimizers by name, learning-rate schedules, and the textbook adaptive eta.

Every optimizer is `chain(direction, step size)`: the direction is plain gradient (sgd), heavy-ball
momentum or Adam's moments; the step size is a schedule of eta or the adaptive rule. All of them
take the current loss as an extra argument (`update(g, state, params, value=loss)`), which only the
adaptive rule reads.
"""
from typing import NamedTuple

import jax.numpy as jnp
import optax

from ae import InputError
from ae.choices import OPTIMIZERS, SCHEDULES, check_optimizer


def schedule(name, eta, steps):
  """eta (peak) over `steps` steps: constant, or decayed towards 0 (exponential: to eta/100)."""
  steps = max(int(steps), 1)
  if name == "constant":
    return optax.constant_schedule(eta)
  if name == "cosine":
    return optax.cosine_decay_schedule(eta, steps)
  if name == "linear":
    return optax.linear_schedule(eta, 0.0, steps)
  if name == "exponential":
    return optax.exponential_decay(eta, steps, 0.01)
  if name == "warmup_cosine":
    return optax.warmup_cosine_decay_schedule(0.0, eta, max(steps // 20, 1), steps)
  raise InputError(f"--schedule must be one of {', '.join(SCHEDULES)}, got {name!r}")


def direction(name, momentum=0.9):
  """The update direction before the step size (a GradientTransformation)."""
  if name == "sgd":
    return optax.identity()
  if name == "momentum":
    return optax.trace(decay=momentum)
  if name == "nesterov":
    return optax.trace(decay=momentum, nesterov=True)
  if name == "adam":
    return optax.scale_by_adam()
  raise InputError(f"--optimizer must be one of {', '.join(OPTIMIZERS)}, got {name!r}")


class AdaptiveEtaState(NamedTuple):
  eta: jnp.ndarray        # current step size
  streak: jnp.ndarray     # consecutive loss decreases since eta last grew
  last_loss: jnp.ndarray  # loss seen at the previous update (nan before the first)


def adaptive_eta(eta, k=5, a=None, b=0.5):
  """Hertz-Krogh-Palmer adaptive step size, as a GradientTransformationExtraArgs.

  At every update, with `value` the loss at the current params:
    value > previous loss: eta <- eta * (1 - b), streak <- 0
    value < previous loss: streak += 1; when streak reaches k: eta <- eta + a, streak <- 0
  then updates <- -eta * updates. `a` defaults to eta / 10.
  """
  a = eta / 10 if a is None else a

  def init_fn(params):
    del params
    return AdaptiveEtaState(jnp.asarray(eta, jnp.float32), jnp.asarray(0, jnp.int32),
                            jnp.asarray(jnp.nan, jnp.float32))

  def update_fn(updates, state, params=None, *, value, **extra):
    del params, extra
    up = value > state.last_loss
    down = value < state.last_loss
    streak = jnp.where(down, state.streak + 1, 0)
    grow = streak >= k
    new_eta = jnp.where(up, state.eta * (1 - b), jnp.where(grow, state.eta + a, state.eta))
    streak = jnp.where(grow, 0, streak)
    updates = optax.tree.scale(-new_eta, updates)
    return updates, AdaptiveEtaState(new_eta, streak, jnp.asarray(value, jnp.float32))

  return optax.GradientTransformationExtraArgs(init_fn, update_fn)


def make(name, eta, steps, schedule_name="constant", adaptive=None, momentum=0.9):
  """The optimizer `name` with peak step size eta (a number, or a traced per-run value).

  adaptive: None, or (k, a, b) for the adaptive eta rule, which replaces the schedule.
  """
  check_optimizer(name, eta, schedule_name, adaptive)
  d = direction(name, momentum)
  if adaptive is not None:
    return optax.chain(d, adaptive_eta(eta, *adaptive))
  return optax.chain(d, optax.scale_by_learning_rate(schedule(schedule_name, eta, steps)))


def current_eta(opt_state):
  """The adaptive eta inside an optimizer state, or None when the optimizer has none."""
  for s in opt_state:
    if isinstance(s, AdaptiveEtaState):
      return s.eta
  return None
