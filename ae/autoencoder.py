"""The MLP autoencoder on binary images, as a Task for the training core, and its evaluation.

  >>> from ae import data, train
  >>> x = data.load("font2").x[:4]
  >>> model = AEConfig()                         # the measured default (linear 2-D latent)
  >>> fit = train.fit_seeds(task(model), {"x": x}, train.TrainConfig(seeds=2, iterations=50))
  >>> loss, errors = evaluate(model, fit.params, x)  # per seed: loss, wrong pixels per glyph
  >>> errors.shape
  (2, 4)
  >>> p = train.seed_params(fit.params, 0)       # one seed's params
  >>> decode(model, p, encode(model, p, x)).shape
  (4, 35)

Every function takes the AEConfig, so the activations and the output squashing always match
the model that was trained.
"""
import dataclasses
import functools

import jax
import jax.numpy as jnp
import numpy as np

from ae import choices, losses, mlp, programs
from ae.models import AEConfig  # noqa: F401  (its flags build without JAX)
from ae.task import Task, keyed

def init(cfg, key):
  return mlp.init(key, cfg.arch, cfg.init, cfg.init_std, cfg.init_mean)


RUN_FIELDS = ("init_std", "init_mean")  # AEConfig fields that may differ per run in one program


@functools.lru_cache(maxsize=64)
def task_factory(cfg):
  """hyper -> Task: the task with init_std / init_mean taken from the run's hyper values
  (train.fit_runs batches such runs into one compiled program)."""
  def make(hyper):
    fields = {k: v for k, v in hyper.items() if k in RUN_FIELDS}
    return _task(dataclasses.replace(cfg, **fields)) if fields else task(cfg)
  return make


@keyed
def task(cfg, grey=False):
  """The same Task object for equal configs (so a second fit reuses the compiled program).
  grey: the data is grey-level (ring images), so the history records the RMSE, not wrong
  pixels, whatever the loss."""
  return _task(cfg, grey)


def _task(cfg, grey=False):
  """Reconstruct data["x"] (or data["y"] when given: clean targets for noisy inputs)."""
  def loss(params, batch, key):
    del key  # deterministic: no noise, no sampling
    return losses.reconstruction_loss(params, batch["x"], batch.get("y", batch["x"]), cfg.acts,
                                      cfg.loss, cfg.layout)

  def metrics(params, data):
    y = data.get("y", data["x"])
    if grey or cfg.loss not in choices.PIXEL_LOSSES:  # continuous data: the RMSE
      out = losses.reconstruct(mlp.apply(params, data["x"], cfg.acts), cfg.loss)
      return {"rmse": jnp.sqrt(jnp.mean((out - y) ** 2))}
    err = losses.pixel_errors(params, data["x"], y, cfg.acts, cfg.loss)
    return {"max_pixel_error": err.max(), "mean_pixel_error": err.mean()}

  return Task(lambda key: init(cfg, key), loss, metrics, group_seeds=cfg.group_seeds)


def evaluate(cfg, params, x, y=None):
  """Per seed (params with a leading seed axis): final loss (seeds,) and wrong pixels per
  glyph (seeds, n)."""
  y = x if y is None else y
  return _evaluate(params, np.asarray(x), np.asarray(y), cfg.acts, cfg.loss)


@programs.jit(static_argnames=("acts", "loss"))
def _evaluate(params, x, y, acts, loss):
  def one(p):
    return (losses.reconstruction_loss(p, x, y, acts, loss),
            losses.pixel_errors(p, x, y, acts, loss))
  return jax.vmap(one)(params)


def encode(cfg, params, x):
  """Latent codes (n, k) of one seed's params."""
  return _encode(cfg, params, np.asarray(x))


def decode(cfg, params, z):
  """Pixel intensities in [0, 1] (n, d) decoded from latent points z (n, k)."""
  return _decode(cfg, params, np.asarray(z, np.float32))   # NumPy rounds as XLA, no program


def encode_np(cfg, params, x):
  """encode() in NumPy, for what figures draw (mlp.forward_np)."""
  sizes = mlp.sizes_of(params)
  k = choices.latent_index(sizes)
  return mlp.forward_np(params[:k], x, mlp.layer_activations(sizes, cfg.acts)[:k])


def decode_np(cfg, params, z):
  """decode() in NumPy, for what figures draw: no program per batch shape (mlp.forward_np)."""
  sizes = mlp.sizes_of(params)
  k = choices.latent_index(sizes)
  return losses.reconstruct_np(
      mlp.forward_np(params[k:], z, mlp.layer_activations(sizes, cfg.acts)[k:]), cfg.loss)


def reconstruct_np(cfg, params, x):
  """reconstruct() in NumPy, for what figures draw (mlp.forward_np)."""
  return decode_np(cfg, params, encode_np(cfg, params, x))


def latent_grid(z, n, margin=0.0):
  """An n x n grid of 2-D latent points over the box of the codes z, widened by `margin` of its
  span on each side: (points (n*n, 2), row-major from the top-left; lo; hi)."""
  z = np.asarray(z)
  span = np.ptp(z, axis=0) + 1e-6
  lo, hi = z.min(0) - margin * span, z.max(0) + margin * span
  points = np.stack(np.meshgrid(np.linspace(lo[0], hi[0], n), np.linspace(hi[1], lo[1], n)),
                    -1).reshape(-1, 2)
  return points, lo, hi


def reconstruct(cfg, params, x):
  """Pixel intensities of the whole autoencoder applied to x."""
  return _decode(cfg, params, _encode(cfg, params, np.asarray(x)))


# Jitted once per model config (hashable, static): eager op-by-op dispatch would compile
# every primitive on first use.
@programs.jit(static_argnums=0)
def _encode(cfg, params, x):
  return mlp.encode(params, x, cfg.acts)


@programs.jit(static_argnums=0)
def _decode(cfg, params, z):
  return losses.reconstruct(mlp.decode(params, z, cfg.acts), cfg.loss)
