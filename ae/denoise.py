"""The denoising autoencoder: its noise settings, its task (fresh noise from the step key),
and its evaluation on many fresh noisy copies against two baselines.

  task(model, noise_cfg)        loss: corrupt each glyph at a level drawn from the training
                                range, then reconstruct the clean glyph
  evaluate(model, noise_cfg, params, x, key)   per level and seed: exact-restore rate, mean
                                wrong pixels; and the noisy input's own error and the
                                nearest-training-glyph decoder's restore rate
"""
import functools

import jax
import jax.numpy as jnp
import numpy as np

from ae import autoencoder, baselines, losses, mlp, programs
from ae import noise as nz  # not "noise": NoiseConfig has a field of that name
from ae.models import NoiseConfig  # noqa: F401  (its flags build without JAX)
from ae.task import Task, keyed

def _corrupt(cfg, key, x):
  """x with each glyph corrupted at a level drawn from the training range."""
  lo, hi = cfg.train_range()
  return nz.random_levels(key, x, lo, hi, cfg.noise_model, cfg.noise)


corrupt = functools.partial(jax.jit, static_argnums=0)(_corrupt)   # in the training loss
corrupted = programs.jit(_corrupt, static_argnums=0)   # called by a run: kept (programs.py)


@keyed
def task(model, cfg):
  """Fresh noise at every step, from the step key; the target is the clean glyph. Its data:
  {"x": clean glyphs, "noisy": one fixed noisy copy, for the logged metrics}. With
  fixed_noise, the experiment trains autoencoder.task on {"x": noisy, "y": clean} instead."""
  def loss(params, batch, key):
    x = batch["x"]
    return losses.reconstruction_loss(params, corrupt(cfg, key, x), x, model.acts, model.loss,
                                      model.layout)

  def metrics(params, data):
    x = data["x"]  # data["noisy"]: one fixed draw, so the logged numbers compare across steps
    err = losses.pixel_errors(params, data["noisy"], x, model.acts, model.loss)
    clean = losses.pixel_errors(params, x, x, model.acts, model.loss)
    return {"max_pixel_error": clean.max(), "mean_pixel_error": clean.mean(),
            "denoise_error": err.mean()}

  return Task(lambda key: autoencoder.init(model, key), loss, metrics,
              group_seeds=model.group_seeds)


@programs.jit(static_argnums=0)
def _wrong(model, params, noisy, clean):
  """(seeds, m) wrong pixels after denoising `noisy` with every seed's params."""
  def one(p):
    out = losses.reconstruct(mlp.apply(p, noisy, model.acts), model.loss) > 0.5
    return jnp.sum(out != (clean > 0.5), axis=-1)
  return jax.vmap(one)(params)


@programs.jit(static_argnums=(3, 4))
def _noisy(key, x, level, model, kind):
  return nz.apply(key, x, level, model, kind)


def noisy_copies(cfg, key, x, level):
  """(copies * n, d) fresh noisy copies of every glyph at `level`, and their clean targets."""
  clean = np.tile(np.asarray(x), (cfg.eval_copies, 1))
  noisy = np.asarray(_noisy(key, clean, level, cfg.noise_model, cfg.noise))
  return noisy, clean


def evaluate(model, cfg, params, x, key):
  """Per level (in cfg.levels()): restore_rate (seeds,) (the share of copies denoised with 0
  wrong pixels), mean_pixel_error (seeds,), and the two baselines (scalars): the noisy input
  itself (noisy_input_error, noisy_input_restore_rate), the nearest training glyph by
  Hamming distance (nearest_glyph_restore_rate, nearest_glyph_error) and the linear
  denoiser: the noisy glyph projected by PCA with the net's latent width, fitted on the clean
  glyphs (pca_restore_rate, pca_error). Every seed sees the same noisy copies."""
  out = []
  linear = baselines.pca(x, model.latent_dim)
  for i, level in enumerate(cfg.levels()):
    noisy, clean = noisy_copies(cfg, jax.random.fold_in(key, i), x, level)
    wrong = np.asarray(_wrong(model, params, noisy, clean))
    near = np.asarray(x)[losses.nearest(noisy, x)[0]]
    projected = baselines.reconstruct(linear, noisy)
    out.append({
        "k" if cfg.noise_model == "k" else "p": level,
        "restore_rate": (wrong == 0).mean(axis=1),
        "mean_pixel_error": wrong.mean(axis=1),
        "noisy_input_error": float(((noisy > .5) != (clean > .5)).sum(1).mean()),
        "noisy_input_restore_rate": float(np.all((noisy > .5) == (clean > .5), 1).mean()),
        "nearest_glyph_restore_rate": float(np.all((near > .5) == (clean > .5), 1).mean()),
        "nearest_glyph_error": float(((near > .5) != (clean > .5)).sum(1).mean()),
        "pca_restore_rate": float(np.all((projected > .5) == (clean > .5), 1).mean()),
        "pca_error": float(baselines.pixel_errors(projected, clean).mean())})
  return out
