"""Training: `fit` runs the whole loop in lax.scan; `fit_seeds` vmaps it over seeds in one compile.

The loop is nested: an outer scan over log blocks (metrics recorded after each) and an inner scan
over `log_every` optimizer steps, so metrics cost nothing between log points.
"""
import dataclasses
import functools
import time
from typing import Any, Callable, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax
from jax.flatten_util import ravel_pytree
from jax.sharding import Mesh, NamedSharding, PartitionSpec

from ae import InputError, losses, mlp, optim, solvers


@dataclasses.dataclass(frozen=True)
class TrainConfig:
  """How to train; the defaults are the measured recipe of BUILD_NOTES.md (32/32 seeds with 0
  wrong pixels on each course font)."""
  arch: tuple = (35, 64, 32, 2, 32, 64, 35)
  activation: str = "tanh"
  latent_activation: str = "identity"
  loss: str = "bce"
  init: str = "glorot"
  init_std: float = 0.6
  init_mean: float = 0.0
  optimizer: str = "adam"
  eta: float = 0.02
  schedule: str = "cosine"
  steps: int = 1000
  batch_size: int = 0        # 0: full batch
  log_every: int = 50
  adaptive: tuple = None     # (k, a, b) for the adaptive eta rule, or None
  solver: str = None         # full minimiser (solvers.METHODS) run every minimize_every steps
  solver_backend: str = None  # None: solvers.DEFAULT_BACKEND[solver]
  minimize_every: int = 0    # 0: never call the solver
  solver_steps: int = 20     # solver iterations per call
  solver_tol: float = 0.0    # stop a call early below this (0: run all solver_steps)
  solver_seconds: float = None  # wall-time cap per solver call (scipy backend only)

  @property
  def acts(self):
    """(hidden, latent) activations, as mlp.apply takes them."""
    return (self.activation, self.latent_activation)

  def check(self, n_glyphs=None, width=None):
    """Raises InputError naming the first bad field (nothing is computed)."""
    mlp.check_arch(self.arch, width)
    for flag, a in (("activation", self.activation), ("latent_activation", self.latent_activation)):
      if a not in mlp.ACTIVATIONS:
        raise InputError(f"--{flag} must be one of {', '.join(mlp.ACTIVATIONS)}, got {a!r}")
    if self.loss not in losses.LOSSES:
      raise InputError(f"--loss must be one of {', '.join(losses.LOSSES)}, got {self.loss!r}")
    if self.init not in mlp.INITS:
      raise InputError(f"--init must be one of {', '.join(mlp.INITS)}, got {self.init!r}")
    if self.init == "normal" and not self.init_std > 0:
      raise InputError(f"--init_std must be positive, got {self.init_std}")
    if self.steps < 1:
      raise InputError(f"--iterations must be at least 1, got {self.steps}")
    if self.log_every < 1:
      raise InputError(f"--log_every must be at least 1, got {self.log_every}")
    if self.batch_size < 0 or (n_glyphs is not None and self.batch_size > n_glyphs):
      raise InputError(f"--batch_size must be in 0..{n_glyphs} (0 = full batch), "
                       f"got {self.batch_size}")
    if self.optimizer == "none":
      if self.solver is None:
        raise InputError("--optimizer=none trains with the solver alone: set --solver")
    else:
      make_optimizer(self)  # validates optimizer, eta, schedule, adaptive
    if self.solver is not None:
      backend = solvers.backend_for(self.solver, self.solver_backend)
      if self.minimize_every < 0 or self.solver_steps < 1 or self.solver_tol < 0:
        raise InputError("--minimize_every must be >= 0, --solver_steps >= 1, --solver_tol >= 0")
      if self.solver_seconds is not None and (backend != "scipy" or self.solver_seconds <= 0):
        raise InputError("--solver_seconds caps scipy solver calls: use it with "
                         "--solver_backend=scipy and a positive number")
      if backend == "scipy" and self.batch_size:
        raise InputError("the scipy solver backend trains full batch: drop --batch_size")


def make_optimizer(cfg):
  return optim.make(cfg.optimizer, cfg.eta, cfg.steps, cfg.schedule, cfg.adaptive)


def uses_solver(cfg):
  return cfg.solver is not None and (cfg.optimizer == "none" or cfg.minimize_every > 0)


def log_steps(cfg):
  """Optimizer steps done at each history entry. Plain training: 0, log_every, ..., steps.
  With a solver every k steps: 0, k, k, 2k, 2k, ... (before and after each solver call;
  history["solver"] marks the entries right after one). Solver alone: 0, steps."""
  if not uses_solver(cfg):
    return list(range(0, cfg.steps, cfg.log_every)) + [cfg.steps]
  if cfg.optimizer == "none":
    return [0, cfg.steps]
  k = cfg.minimize_every
  n_blocks, rem = divmod(cfg.steps, k)
  return [0] + [k * (i // 2 + 1) for i in range(2 * n_blocks)] + ([cfg.steps] if rem else [])


class Parts(NamedTuple):
  """What every training loop is built from (shared by fit and train_host.fit_host)."""
  flat: jnp.ndarray      # initial params as one vector
  unravel: Callable      # vector -> [{w, b}, ...]
  loss_fn: Callable      # loss_fn(flat, x, y): the full-batch loss the solvers minimise
  step: Callable         # (flat, opt_state), t -> ((flat, opt_state), None): one optimizer step
  metrics: Callable      # (flat, opt_state), t, solver iterations or None -> dict of scalars
  opt_state: Any


def parts(key, x, y, cfg):
  x, y = jnp.asarray(x), jnp.asarray(y)
  k_init, k_batch = jax.random.split(key)
  # The optimizer sees one flat vector: one fused update instead of one per array (faster
  # to compile and to run); the loss unravels it back into the {w, b} list.
  flat, unravel = ravel_pytree(mlp.init(k_init, cfg.arch, cfg.init, cfg.init_std, cfg.init_mean))
  opt = make_optimizer(cfg) if cfg.optimizer != "none" else None
  lr = optim.schedule(cfg.schedule, cfg.eta, cfg.steps) if cfg.adaptive is None else None
  def loss_fn(flat, x, y):
    return losses.reconstruction_loss(unravel(flat), x, y, cfg.acts, cfg.loss)
  n = x.shape[0]

  def step(carry, t):
    params, opt_state = carry
    if cfg.batch_size and cfg.batch_size < n:
      idx = jax.random.permutation(jax.random.fold_in(k_batch, t), n)[:cfg.batch_size]
      xb, yb = x[idx], y[idx]
    else:
      xb, yb = x, y
    value, g = jax.value_and_grad(loss_fn)(params, xb, yb)
    updates, opt_state = opt.update(g, opt_state, params, value=value)
    return (optax.apply_updates(params, updates), opt_state), None

  def metrics(carry, t, solver_iterations=None):
    """solver_iterations: the iterations of the solver call just made, None after none."""
    params, opt_state = carry
    err = losses.pixel_errors(unravel(params), x, y, cfg.acts, cfg.loss)
    if opt is None:
      eta = jnp.nan
    else:
      eta = optim.current_eta(opt_state)
      eta = lr(t) if eta is None else eta
    return {
        "loss": loss_fn(params, x, y),
        "max_pixel_error": err.max(),
        "mean_pixel_error": err.mean(),
        "eta": jnp.asarray(eta, jnp.float32),
        "solver": jnp.asarray(solver_iterations is not None, jnp.float32),
        "solver_iterations": jnp.asarray(
            0 if solver_iterations is None else solver_iterations, jnp.int32),
    }

  return Parts(flat, unravel, loss_fn, step, metrics, opt.init(flat) if opt else ())


def _stack(*entries):
  return jax.tree.map(lambda *a: jnp.stack(a), *entries)


def fit(key, x, y, cfg, progress=None):
  """Trains one autoencoder from `key` on inputs x (n, d) and targets y (n, d).

  Returns (params, history); history maps names to arrays over `log_steps(cfg)`: loss (full
  batch), max_pixel_error, mean_pixel_error, eta (the step size in use), solver (1.0 right
  after a solver call) and solver_iterations (done so far: the cumulative sum of the
  per-entry counts that metrics records).
  progress: optional host callable(step) called after each log block (via jax.debug.callback).
  """
  x, y = jnp.asarray(x), jnp.asarray(y)
  p = parts(key, x, y, cfg)
  carry = (p.flat, p.opt_state)
  first = p.metrics(carry, 0)

  def block(carry, ts):
    carry, _ = jax.lax.scan(p.step, carry, ts)
    if progress is not None:
      jax.debug.callback(progress, ts[-1] + 1)
    return carry, p.metrics(carry, ts[-1] + 1)

  def split(every):
    """Step indices as whole blocks of `every` (n_blocks, every), and the remainder (or None)."""
    n_blocks, rem = divmod(cfg.steps, every)
    return (jnp.arange(n_blocks * every).reshape(n_blocks, every),
            jnp.arange(n_blocks * every, cfg.steps) if rem else None)

  if not uses_solver(cfg):
    ts, rest = split(cfg.log_every)
    carry, hist = jax.lax.scan(block, carry, ts)
    entries = [jax.tree.map(lambda a: a[None], first), hist]
  else:
    solver_backend = solvers.backend_for(cfg.solver, cfg.solver_backend)
    if solver_backend == "scipy":
      raise InputError("the scipy solver backend runs on the host: use train.fit_seeds")
    only = cfg.optimizer == "none"
    solve = solvers.make(p.loss_fn, cfg.solver, solver_backend,
                         cfg.steps if only else cfg.solver_steps, cfg.solver_tol)
    if only:
      flat, info = solve(p.flat, x, y)
      carry = (flat, ())
      entries, rest = [_stack(first, p.metrics(carry, cfg.steps, info["iterations"]))], None
    else:
      def solver_block(carry, ts):
        carry, before = block(carry, ts)
        flat, info = solve(carry[0], x, y)
        carry = (flat, carry[1])  # the optimizer's state (e.g. Adam moments) carries on
        return carry, (before, p.metrics(carry, ts[-1] + 1, info["iterations"]))

      ts, rest = split(cfg.minimize_every)
      carry, (before, after) = jax.lax.scan(solver_block, carry, ts)
      pairs = jax.tree.map(lambda a, b: jnp.stack([a, b], 1).reshape(-1), before, after)
      entries = [jax.tree.map(lambda a: a[None], first), pairs]
  if rest is not None:
    carry, last = block(carry, rest)
    entries.append(jax.tree.map(lambda a: a[None], last))
  history = jax.tree.map(lambda *a: jnp.concatenate(a), *entries)
  history["solver_iterations"] = jnp.cumsum(history["solver_iterations"]).astype(jnp.int32)
  return p.unravel(carry[0]), history


def seed_keys(seed, n_seeds):
  """Seed i trains from PRNGKey(seed + i): a seed's numbers do not depend on n_seeds."""
  return jax.vmap(jax.random.PRNGKey)(seed + jnp.arange(n_seeds))


def shard_seeds(keys):
  """Spreads the seed axis over all local devices (CPU cores exposed as devices by the entry
  points, or GPUs): XLA then runs each device's seeds on its own thread (measured 2.3x on 2
  cores). The seed count is padded up to a multiple of the device count with extra keys
  whose results the caller drops. Returns (keys, n_padded)."""
  devices = jax.devices()
  n = keys.shape[0]
  if len(devices) == 1 or n == 1:
    return keys, n
  pad = -n % len(devices)
  extra = jax.vmap(jax.random.fold_in, in_axes=(None, 0))(keys[0], 1 + jnp.arange(pad))
  keys = jnp.concatenate([keys, extra]) if pad else keys
  mesh = Mesh(np.array(devices), ("seed",))
  return jax.device_put(keys, NamedSharding(mesh, PartitionSpec("seed"))), n + pad


def fit_seeds(x, y, cfg, seed=0, n_seeds=1, progress=None):
  """Trains n_seeds autoencoders in one compiled, vmapped call.

  Returns (params, history, timing): params and history carry a leading seed axis; timing has
  compile_seconds (tracing + XLA) and train_seconds (the compiled call, run to completion).
  """
  if uses_solver(cfg) and solvers.backend_for(cfg.solver, cfg.solver_backend) == "scipy":
    from ae import train_host  # pylint: disable=g-import-not-at-top
    return train_host.fit_seeds_host(x, y, cfg, seed, n_seeds, progress)
  keys, _ = shard_seeds(seed_keys(seed, n_seeds))
  x, y = jnp.asarray(x), jnp.asarray(y)
  f = jax.jit(jax.vmap(functools.partial(fit, cfg=cfg, progress=progress), in_axes=(0, None, None)))
  t0 = time.perf_counter()
  compiled = f.lower(keys, x, y).compile()
  t1 = time.perf_counter()
  params, history = jax.block_until_ready(compiled(keys, x, y))
  t2 = time.perf_counter()
  params, history = jax.tree.map(lambda a: a[:n_seeds], (params, history))
  return params, history, {"compile_seconds": t1 - t0, "train_seconds": t2 - t1}


@functools.partial(jax.jit, static_argnames=("activation", "loss"))
def evaluate(params, x, y, activation="tanh", loss="bce"):
  """Per-seed final loss (seeds,) and pixel errors (seeds, n) for params with a seed axis."""
  def one(p):
    return (losses.reconstruction_loss(p, x, y, activation, loss),
            losses.pixel_errors(p, x, y, activation, loss))
  return jax.vmap(one)(params)
