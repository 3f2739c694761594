"""denoise: a denoising autoencoder on the font glyphs, measured over many noisy copies.

  python -m experiments.denoise                         # font2, 8 seeds, fresh noise
  python -m experiments.denoise --fixed_noise           # one fixed noisy copy, as the original
  python -m experiments.denoise --noise=salt --noise_model=p --train_noise=0:0.1 \\
      --eval_levels=0,0.02,0.05,0.1

The original used [35, 25, 20, 25, 35] and at most 200 iterations on one fixed noisy copy of
each glyph (2 or 3 pixels drawn with replacement, so sometimes fewer). Here each glyph gets
fresh noise at every step, at a level drawn from --train_noise, and the net is judged on
--eval_copies fresh noisy copies of every glyph at each --eval_levels level, against the
noisy input itself and a nearest-training-glyph (Hamming) decoder.
"""
import dataclasses

import jax
import numpy as np

from ae import InputError, autoencoder, denoise, memory, runs, train
from ae.autoencoder import AEConfig
from ae.config import TrainConfig
from ae.data import DataConfig
from ae.denoise import NoiseConfig
from experiments import common, denoise_report

NAME = "denoise"
EVAL_KEY = 1234  # every run, seed and setting is judged on the same noisy copies


@dataclasses.dataclass(frozen=True)
class Config:
  data: DataConfig = DataConfig()
  model: AEConfig = AEConfig(arch=(35, 25, 20, 25, 35))
  noise: NoiseConfig = NoiseConfig(train_noise="0:4")
  train: TrainConfig = TrainConfig(eta=0.01, iterations=5000, log_every=250, seeds=8)


def check(config):
  glyphs = config.data.load()
  config.model.check(glyphs.x.shape[1])
  config.noise.check(glyphs.x.shape[1])
  config.train.check(len(glyphs))
  if config.model.loss not in ("bce", "mse_sigmoid", "mse_tanh"):
    raise InputError("denoise restores binary glyphs: --loss must be bce, mse_sigmoid or "
                     "mse_tanh")
  memory.check_memory(config.train, config.model.n_params, len(glyphs), sum(config.model.arch))
  return glyphs


def task_and_data(config, glyphs):
  """Fresh noise: the denoising task on the clean glyphs. Fixed noise: the plain autoencoder
  task from one noisy copy of each glyph (drawn once) to its clean glyph."""
  if not config.noise.fixed_noise:
    noisy = np.asarray(denoise.corrupt(config.noise, jax.random.PRNGKey(EVAL_KEY),
                                       jax.numpy.asarray(glyphs.x)))
    return denoise.task(config.model, config.noise), {"x": glyphs.x, "noisy": noisy}
  noisy = np.asarray(denoise.corrupt(config.noise, jax.random.PRNGKey(config.train.seed),
                                     jax.numpy.asarray(glyphs.x)))
  return autoencoder.task(config.model), {"x": noisy, "y": glyphs.x}


def run(config, run_dir, progress=None, should_stop=None):
  """Trains config.train.seeds denoisers, evaluates them and writes the run directory."""
  glyphs = check(config)
  task, data = task_and_data(config, glyphs)
  with runs.Building(run_dir) as b:
    how = "one fixed noisy copy" if config.noise.fixed_noise else "fresh noise"
    common.header(NAME, f"{glyphs.title}, {len(glyphs)} glyphs, {how} "
                        f"{config.noise.noise} {config.noise.noise_model}="
                        f"{config.noise.train_noise}", config.train, config.model.arch)
    fit = train.fit_seeds(task, data, config.train, progress, should_stop)
    levels = denoise.evaluate(config.model, config.noise, fit.params, glyphs.x,
                              jax.random.PRNGKey(EVAL_KEY))
    metrics = denoise_report.metrics(config, glyphs, fit, levels)
    runs.write_run(b.tmp, NAME, config, *glyphs.saved())
    runs.save_params(b.tmp / "params.npz", fit.params)
    runs.save_history(b.tmp / "history.npz", fit.steps, fit.history, config.train.seed)
    if not fit.interrupted:
      denoise_report.figures(b.tmp, config, glyphs, fit, metrics)
    runs.save_json(b.tmp / "metrics.json", metrics)
  denoise_report.print_summary(config, glyphs, metrics, b.path)
  return metrics


if __name__ == "__main__":
  common.app(NAME, __doc__, Config(), run)
