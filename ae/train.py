"""Training: `fit` runs the whole loop in lax.scan; `fit_seeds` vmaps it over seeds in one compile.

The loop is nested: an outer scan over log blocks (metrics recorded after each) and an inner scan
over `log_every` optimizer steps, so metrics cost nothing between log points.
"""
import dataclasses
import functools
import time

import jax
import jax.numpy as jnp
import numpy as np
import optax
from jax.flatten_util import ravel_pytree
from jax.sharding import Mesh, NamedSharding, PartitionSpec

from ae import InputError, losses, mlp, optim


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
    make_optimizer(self)  # validates optimizer, eta, schedule, adaptive


def make_optimizer(cfg):
  return optim.make(cfg.optimizer, cfg.eta, cfg.steps, cfg.schedule, cfg.adaptive)


def log_steps(cfg):
  """The step numbers at which `fit` records metrics: 0, log_every, 2*log_every, ..., steps."""
  s = list(range(0, cfg.steps, cfg.log_every)) + [cfg.steps]
  return s


def fit(key, x, y, cfg, progress=None):
  """Trains one autoencoder from `key` on inputs x (n, d) and targets y (n, d).

  Returns (params, history); history maps names to arrays over `log_steps(cfg)`: loss (full
  batch), max_pixel_error, mean_pixel_error, eta (the step size in use).
  progress: optional host callable(step) called after each log block (via jax.debug.callback).
  """
  x, y = jnp.asarray(x), jnp.asarray(y)
  k_init, k_batch = jax.random.split(key)
  # The optimizer sees one flat vector: one fused update instead of one per array (faster
  # to compile and to run); the loss unravels it back into the {w, b} list.
  flat, unravel = ravel_pytree(mlp.init(k_init, cfg.arch, cfg.init, cfg.init_std, cfg.init_mean))
  opt = make_optimizer(cfg)
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

  def metrics(carry, t):
    params, opt_state = carry
    err = losses.pixel_errors(unravel(params), x, y, cfg.acts, cfg.loss)
    eta = optim.current_eta(opt_state)
    return {
        "loss": loss_fn(params, x, y),
        "max_pixel_error": err.max(),
        "mean_pixel_error": err.mean(),
        "eta": jnp.asarray(lr(t) if eta is None else eta, jnp.float32),
    }

  def block(carry, ts):
    carry, _ = jax.lax.scan(step, carry, ts)
    if progress is not None:
      jax.debug.callback(progress, ts[-1] + 1)
    return carry, metrics(carry, ts[-1] + 1)

  carry = (flat, opt.init(flat))
  first = metrics(carry, 0)
  n_blocks, rem = divmod(cfg.steps, cfg.log_every)
  ts = jnp.arange(n_blocks * cfg.log_every).reshape(n_blocks, cfg.log_every)
  carry, hist = jax.lax.scan(block, carry, ts)
  parts = [jax.tree.map(lambda a: a[None], first), hist]
  if rem:
    carry, last = block(carry, jnp.arange(n_blocks * cfg.log_every, cfg.steps))
    parts.append(jax.tree.map(lambda a: a[None], last))
  history = jax.tree.map(lambda *a: jnp.concatenate(a), *parts)
  return unravel(carry[0]), history


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
