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
if __name__ == "__main__":  # as a program: a signal during the imports below ends it cleanly
  from experiments import startup
  startup.begin()

import dataclasses
import os
import pathlib
import sys

import numpy as np

from ae import InputError, circles_data
from ae.config import TrainConfig
from ae.circles_data import CirclesConfig
from ae.data import DataConfig, Glyphs
from ae.fields import field
from ae.models import AEConfig, VAEConfig
from experiments import entry, explorer_pages

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
  explorer_seeds: int = explorer_pages.seeds_field()
  compare_ae: bool = field(False, "Also train the plain autoencoder (latent2d's default "
                           "recipe) on the same data and seeds, and compare the two.", E)


@dataclasses.dataclass(frozen=True)
class Data:
  x: np.ndarray
  labels: tuple
  shape: tuple
  name: str
  binary: bool


def load(config, saved=None, where="data.npz"):
  """The data: glyphs, or the original's circles (--dataset=circles); saved: a loaded run's
  (arrays, labels, meta), checked as a fresh load would be."""
  import jax  # pylint: disable=g-import-not-at-top  (JAX: see entry.py)
  from experiments import runner  # pylint: disable=g-import-not-at-top
  if config.data.dataset == "circles":
    x, radii, _ = circles_data.circles(jax.random.PRNGKey(0), CirclesConfig())
    if saved is not None:
      runner.check_regenerated(saved[0], {"x": x}, where, "circles")
    return Data(x, tuple(f"{r:.3f}" for r in radii), (x.shape[1] // 2, 2), "circles", False)
  g = config.data.load() if saved is None else Glyphs.from_saved(*saved, where=where)
  return Data(g.x, g.shown, g.shape, g.title, True)


def prepare(config, saved=None, loaded_from=None):
  """The run as a runner.Job (the likelihood made concrete; saved: a loaded run's data);
  InputError before any work."""
  import jax  # pylint: disable=g-import-not-at-top  (JAX: see entry.py)
  from ae import runs, vae  # pylint: disable=g-import-not-at-top
  from experiments import runner, vae_report  # pylint: disable=g-import-not-at-top
  config.model.check()
  explorer_pages.check(config)
  if config.data.dataset == "circles" and (config.data.chars is not None or
                                           config.data.n_chars is not None):
    raise InputError("--chars and --n_chars pick glyphs; --dataset=circles has none")
  d = load(config, saved, f"{loaded_from}/data.npz")
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
  if not d.binary and config.model.likelihood == "bernoulli":
    raise InputError("--likelihood=bernoulli models 0/1 pixels; the circles are continuous "
                     "coordinates: use gaussian (or auto)")
  cfg = vae.resolve(config.model, d.binary)
  if cfg.likelihood == "bernoulli" and cfg.sigma != VAEConfig().sigma:
    raise InputError("--sigma is the Gaussian likelihood's std; these glyphs take a bernoulli "
                     "likelihood (--likelihood=auto): drop --sigma or set "
                     "--likelihood=gaussian")
  config = dataclasses.replace(config, model=cfg)
  n = d.x.shape[1]

  def evaluate(fit):
    ev = vae_report.evaluate(config, d, fit.params, jax.random.PRNGKey(EVAL_KEY))
    if config.compare_ae and not fit.interrupted:
      model = ae_model(config, n)
      params = (plain_autoencoder(config, d, model) if loaded_from is None else
                saved_autoencoder(model, loaded_from, config.train.seeds))
      if params is not None:
        ev["ae"] = vae_report.plain_autoencoder(config, d, model, params)
        ev["ae"]["params"] = params
    return vae_report.metrics(config, d, fit, ev), ev

  def figures(run_dir, fit, metrics, ev):
    from experiments import vae_figures  # pylint: disable=g-import-not-at-top  (drawing.py)
    vae_figures.figures(run_dir, config, d, fit, ev, metrics)

  def save(run_dir, ev):
    if "ae" in ev:  # the comparison's own params: a --load of this run draws it again
      runs.save_params(run_dir / "params_ae.npz", ev["ae"]["params"])

  return runner.Job(
      name=NAME, config=config,
      what=f"{d.name}, {len(d.x)} samples, {cfg.likelihood} likelihood, latent "
           f"{cfg.latent_dim}-D, beta {cfg.beta:g}",
      arch=(n,) + cfg.hidden + (cfg.latent_dim,) + cfg.hidden[::-1] + (n,),
      task=vae.task(cfg, n), data={"x": d.x},
      saved=({"x": d.x}, d.labels, {"name": d.name, "shape": list(d.shape)}),
      floats_per_sample=2 * sum(cfg.hidden) + n, evaluate=evaluate,
      figures=figures,
      summary=lambda metrics: vae_report.print_summary(config, d, metrics),
      save=save, explorer=lambda run_dir, fit, metrics, ev: explorer_pages.vae_page(
          run_dir, config, fit.params, metrics, page_data(d), ev["mu"], ev["logvar"]))


def page_data(d):
  """The explorer page's samples: glyphs, or circles labelled by radius."""
  return {"kind": "glyphs" if d.binary else "circles", "labels": d.labels, "x": d.x,
          "shape": d.shape, "title": d.name}


def ae_model(config, n):
  """latent2d's default recipe on n inputs, with the VAE's hidden widths and a 2-D latent."""
  h = config.model.hidden
  return AEConfig(arch=(n,) + h + (2,) + h[::-1] + (n,))


def plain_autoencoder(config, d, model):
  """The comparison autoencoder's params, trained on the same data and seeds."""
  from ae import autoencoder, train  # pylint: disable=g-import-not-at-top  (JAX: see entry.py)
  t = config.train
  fit = train.fit_seeds(autoencoder.task(model), {"x": d.x}, TrainConfig(seed=t.seed,
                                                                         seeds=t.seeds))
  return fit.params


def saved_autoencoder(model, loaded_from, seeds):
  """The comparison autoencoder a loaded run saved, or None (with a note) when it has none:
  a run interrupted before the comparison trained."""
  from ae import autoencoder, runs  # pylint: disable=g-import-not-at-top  (JAX: see entry.py)
  from experiments import runner  # pylint: disable=g-import-not-at-top
  path = pathlib.Path(loaded_from) / "params_ae.npz"
  if not os.path.lexists(path):
    print(f"{NAME}: {path} is absent (the run stopped before the comparison trained): the "
          "plain autoencoder is left out", file=sys.stderr)
    return None
  params = runs.load_params(path, loaded_from)
  runner.check_params(autoencoder.task(model), params, str(path), seeds)
  return params


def run(config, run_dir, progress=None, should_stop=None):
  """Trains config.train.seeds VAEs, evaluates them and writes the run directory."""
  from experiments import runner  # pylint: disable=g-import-not-at-top  (JAX: see entry.py)
  return runner.run(prepare(config), run_dir, progress, should_stop)


def redraw(load_dir, run_dir, **changes):
  """--load: metrics, figures and summary of a saved run (changes: interpolate=, grid=,
  prior_samples=); with --compare_ae, the autoencoder saved beside it (params_ae.npz)."""
  from experiments import runner  # pylint: disable=g-import-not-at-top  (JAX: see entry.py)
  return runner.redraw(NAME, Config(), prepare, load_dir, run_dir, **changes)


if __name__ == "__main__":
  entry.app(NAME, __doc__, Config(), run, redraw=redraw,
             drawing=("interpolate", "grid", "prior_samples", "explorer_seeds"), explorer=True)
