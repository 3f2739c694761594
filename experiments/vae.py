"""vae: a variational autoencoder on the glyphs (or circles), and what its prior generates.

  python -m experiments.vae                          # font2, 2-D latent, 8 seeds
  python -m experiments.vae --compare_ae             # beside the plain autoencoder
  python -m experiments.vae --beta=4 --interpolate=A,Z
  python -m experiments.vae --dataset=circles        # a Gaussian likelihood

The plain autoencoder leaves most of its latent plane to decode into blurs between the codes;
a VAE's KL term pulls the codes into a standard normal and fills it. Figures: the posterior
means with their spread, the decoded grid at standard-normal quantiles, samples from the prior
against their nearest training glyph, and an interpolation between two glyphs.
"""
import dataclasses

import jax
import numpy as np

from ae import InputError, data, memory, runs, train, vae
from ae.config import TrainConfig, field
from ae.data import CirclesConfig, DataConfig
from ae.vae import VAEConfig
from experiments import common, vae_report

NAME = "vae"
E = "experiment"
EVAL_KEY = 4321


@dataclasses.dataclass(frozen=True)
class Config:
  data: DataConfig = DataConfig()
  model: VAEConfig = VAEConfig()
  train: TrainConfig = TrainConfig(eta=0.01, iterations=3000, log_every=100, seeds=8)
  interpolate: str = field(None, "Two glyphs to interpolate between, 'A,B' (default: the two "
                           "whose codes lie farthest apart).", E)
  grid: int = field(15, "The decoded prior grid is grid x grid (coverage is measured on it).",
                    E)
  prior_samples: int = field(500, "Samples from the prior, each compared with its nearest "
                             "training glyph.", E)
  compare_ae: bool = field(False, "Also train the plain autoencoder (latent2d's default "
                           "recipe) on the same data and seeds, and compare the two.", E)


@dataclasses.dataclass(frozen=True)
class Data:
  x: np.ndarray
  labels: tuple
  shape: tuple
  name: str
  binary: bool


def load(config):
  """The data: glyphs, or the original's circles (--dataset=circles)."""
  if config.data.dataset == "circles":
    x, radii, _ = data.circles(jax.random.PRNGKey(0), CirclesConfig())
    return Data(x, tuple(f"{r:.3f}" for r in radii), (x.shape[1] // 2, 2), "circles", False)
  g = config.data.load()
  return Data(g.x, g.shown, g.shape, g.title, True)


def check(config):
  config.model.check()
  d = load(config)
  config.train.check(len(d.x))
  if not 2 <= config.grid <= 40 or not 1 <= config.prior_samples <= 100_000:
    raise InputError("--grid must be in 2..40 and --prior_samples in 1..100000")
  if config.interpolate is not None:
    pair = config.interpolate.split(",")
    missing = [c for c in pair if c not in d.labels]
    if len(pair) != 2 or missing:
      raise InputError(f"--interpolate takes two glyphs of the data, 'A,B', got "
                       f"{config.interpolate!r}")
  if config.compare_ae and (not d.binary or config.model.latent_dim != 2):
    raise InputError("--compare_ae compares 2-D latent spaces of glyphs: use a font or a "
                     "glyph file and --latent_dim=2")
  memory.check_memory(config.train, config.model.n_params(d.x.shape[1]), len(d.x),
                      2 * sum(config.model.hidden) + d.x.shape[1])
  return d


def run(config, run_dir, progress=None, should_stop=None):
  """Trains config.train.seeds VAEs, evaluates them and writes the run directory."""
  d = check(config)
  cfg = vae.resolve(config.model, d.binary)
  config = dataclasses.replace(config, model=cfg)
  with runs.Building(run_dir) as b:
    common.header(NAME, f"{d.name}, {len(d.x)} samples, {cfg.likelihood} likelihood, "
                        f"latent {cfg.latent_dim}-D, beta {cfg.beta:g}", config.train,
                  (d.x.shape[1],) + cfg.hidden + (cfg.latent_dim,) + cfg.hidden[::-1] +
                  (d.x.shape[1],))
    fit = train.fit_seeds(vae.task(cfg, d.x.shape[1]), {"x": d.x}, config.train, progress,
                          should_stop)
    ev = vae_report.evaluate(config, d, fit.params, jax.random.PRNGKey(EVAL_KEY))
    if config.compare_ae and not fit.interrupted:
      ev["ae"] = vae_report.plain_autoencoder(config, d, ev)
    metrics = vae_report.metrics(config, d, fit, ev)
    runs.write_run(b.tmp, NAME, config, {"x": d.x}, d.labels,
                   {"name": d.name, "shape": list(d.shape)})
    runs.save_params(b.tmp / "params.npz", fit.params)
    runs.save_history(b.tmp / "history.npz", fit.steps, fit.history, config.train.seed)
    if not fit.interrupted:
      vae_report.figures(b.tmp, config, d, fit, ev, metrics)
    runs.save_json(b.tmp / "metrics.json", metrics)
  vae_report.print_summary(config, d, metrics, b.path)
  return metrics


if __name__ == "__main__":
  common.app(NAME, __doc__, Config(), run)
