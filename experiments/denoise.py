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
if __name__ == "__main__":  # as a program: a signal during the imports below ends it cleanly
  from experiments import startup
  startup.begin()

import dataclasses

import numpy as np

from ae import InputError
from ae.config import TrainConfig
from ae.data import DataConfig, Glyphs
from ae.models import AEConfig, NoiseConfig
from experiments import entry, explorer_pages

NAME = "denoise"
EVAL_KEY = 1234  # every run, seed and setting is judged on the same noisy copies


@dataclasses.dataclass(frozen=True)
class Config:
  data: DataConfig = DataConfig()
  model: AEConfig = AEConfig(arch=(35, 25, 20, 25, 35))
  noise: NoiseConfig = NoiseConfig(train_noise="0:4")
  train: TrainConfig = TrainConfig(eta=0.01, iterations=5000, log_every=250, seeds=8)
  explorer_seeds: int = explorer_pages.seeds_field()


def prepare(config, saved=None, loaded_from=None):
  """The run as a runner.Job (saved: a loaded run's data); InputError before any work."""
  import jax  # pylint: disable=g-import-not-at-top  (JAX: see entry.py)
  from ae import denoise  # pylint: disable=g-import-not-at-top
  from experiments import consensus, denoise_report, runner  # pylint: disable=g-import-not-at-top
  glyphs = (config.data.load() if saved is None else
            Glyphs.from_saved(*saved, where=f"{loaded_from}/data.npz"))
  config.model.check(glyphs.x.shape[1])
  config.noise.check(glyphs.x.shape[1])
  explorer_pages.check(config)
  reachable(config.noise, glyphs)
  if config.model.loss not in ("bce", "mse_sigmoid", "mse_tanh"):
    raise InputError("denoise restores binary glyphs: --loss must be bce, mse_sigmoid or "
                     "mse_tanh")
  task, data = task_and_data(config, glyphs)

  def evaluate(fit):
    levels = denoise.evaluate(config.model, config.noise, fit.params, glyphs.x,
                              jax.random.PRNGKey(EVAL_KEY))
    codes = consensus.autoencoder_codes(config.model, fit.params, glyphs.x)
    return (denoise_report.metrics(config, glyphs, fit, levels, codes),
            (codes, denoise_report.figure_noise(config, glyphs)))

  def figures(run_dir, fit, metrics, extra):
    from experiments import denoise_figures  # pylint: disable=g-import-not-at-top  (drawing.py)
    denoise_figures.figures(run_dir, config, glyphs, fit, metrics, *extra)

  how = "one fixed noisy copy" if config.noise.fixed_noise else "fresh noise"
  return runner.Job(
      name=NAME, config=config,
      what=f"{glyphs.title}, {len(glyphs)} glyphs, {how} {config.noise.noise} "
           f"{config.noise.noise_model}={config.noise.train_noise}",
      arch=config.model.arch, task=task, data=data, saved=glyphs.saved(),
      floats_per_sample=sum(config.model.arch), evaluate=evaluate,
      figures=figures,
      summary=lambda metrics: denoise_report.print_summary(config, glyphs, metrics),
      explorer=lambda run_dir, fit, metrics, extra: explorer_pages.autoencoder_page(
          run_dir, config, fit.params, metrics, explorer_pages.glyph_data(glyphs)))


def reachable(noise, glyphs):
  """InputError when a k level asks salt or pepper for more pixels than some glyph has to
  change (pepper turns off lit pixels only, salt lights dark ones): its copies would differ
  from the clean glyph by fewer pixels than the level says."""
  if noise.noise_model != "k" or noise.noise == "flip":
    return
  lit = glyphs.x.sum(1)
  can = lit if noise.noise == "pepper" else glyphs.x.shape[1] - lit
  i = int(np.argmin(can))
  top = max(max(noise.levels()), noise.train_range()[1])
  if top > can[i]:
    what = "turns off lit pixels" if noise.noise == "pepper" else "lights dark pixels"
    raise InputError(f"--noise={noise.noise} {what} only: glyph {glyphs.shown[i] or i!r} has "
                     f"{int(can[i])}, so k = {top:g} cannot be reached; keep --eval_levels and "
                     f"--train_noise at {int(can[i])} or below")


def task_and_data(config, glyphs):
  """Fresh noise: the denoising task on the clean glyphs. Fixed noise: the plain autoencoder
  task from one noisy copy of each glyph (drawn once) to its clean glyph."""
  import jax  # pylint: disable=g-import-not-at-top  (JAX: see entry.py)
  from ae import autoencoder, denoise  # pylint: disable=g-import-not-at-top
  if not config.noise.fixed_noise:
    noisy = np.asarray(denoise.corrupted(config.noise, jax.random.PRNGKey(EVAL_KEY),
                                         jax.numpy.asarray(glyphs.x)))
    return denoise.task(config.model, config.noise), {"x": glyphs.x, "noisy": noisy}
  noisy = np.asarray(denoise.corrupted(config.noise, jax.random.PRNGKey(config.train.seed),
                                       jax.numpy.asarray(glyphs.x)))
  return autoencoder.task(config.model), {"x": noisy, "y": glyphs.x}


def run(config, run_dir, progress=None, should_stop=None):
  """Trains config.train.seeds denoisers, evaluates them and writes the run directory."""
  from experiments import runner  # pylint: disable=g-import-not-at-top  (JAX: see entry.py)
  return runner.run(prepare(config), run_dir, progress, should_stop)


def redraw(load_dir, run_dir, **changes):
  """--load: metrics, figures and summary of a saved run, into a new run directory
  (changes: explorer_seeds=)."""
  from experiments import runner  # pylint: disable=g-import-not-at-top  (JAX: see entry.py)
  return runner.redraw(NAME, Config(), prepare, load_dir, run_dir, **changes)


if __name__ == "__main__":
  entry.app(NAME, __doc__, Config(), run, redraw=redraw, drawing=("explorer_seeds",),
             explorer=True)
