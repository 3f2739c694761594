"""latent2d: font glyphs through a 2-D latent layer, many seeds at once, and what they learned.

  python -m experiments.latent2d --eta=0.0085
  python -m experiments.latent2d --dataset=font1 --seeds=32
  python -m experiments.latent2d --preset=params1 --seeds=8
  python -m experiments.latent2d --load=runs/latent2d/<run> --decode="0.5,-0.5;-0.8,0.8"
  python -m experiments.latent2d --load=runs/latent2d/<run> --decode="0.5,-0.5" --decode_seed=3
"""
if __name__ == "__main__":  # as a program: a signal during the imports below ends it cleanly
  from experiments import startup
  startup.begin()

import dataclasses
import math

from ae import InputError
from ae.config import TrainConfig
from ae.data import DataConfig, Glyphs
from ae.fields import field
from ae.models import AEConfig
from experiments import entry, explorer_pages

NAME = "latent2d"
MAX_DECODE = 200


@dataclasses.dataclass(frozen=True)
class Config:
  data: DataConfig = DataConfig()
  model: AEConfig = AEConfig()
  train: TrainConfig = TrainConfig()
  decode: tuple = field(None, "Latent points to decode as new letters, 'x,y;x,y' (default: "
                        "midpoints between neighbouring glyphs).", "experiment", kind="points")
  decode_seed: int = field(None, "The seed whose decoder turns --decode's points into glyphs "
                           "(default: the best seed); its figures are drawn too.", "experiment")
  grid: int = field(15, "The manifold figure decodes a grid x grid box of latent points.",
                    "experiment")
  explorer_seeds: int = explorer_pages.seeds_field()


def prepare(config, saved=None, loaded_from=None):
  """The run as a runner.Job (saved: a loaded run's data); InputError before any work."""
  from ae import autoencoder  # pylint: disable=g-import-not-at-top  (JAX: see entry.py)
  from experiments import consensus, latent2d_report, runner  # pylint: disable=g-import-not-at-top
  explorer_pages.check(config)
  if not 2 <= config.grid <= 40:
    raise InputError(f"--grid must be in 2..40, got {config.grid}")
  glyphs = (config.data.load() if saved is None else
            Glyphs.from_saved(*saved, where=f"{loaded_from}/data.npz"))
  config.model.check(glyphs.x.shape[1])
  if config.model.latent_dim != 2:
    raise InputError(f"latent2d needs a 2-D latent layer; --arch="
                     f"{','.join(map(str, config.model.arch))} has {config.model.latent_dim}")
  if config.decode is not None and any(
      len(p) != 2 or not all(isinstance(v, (int, float)) and math.isfinite(v) for v in p)
      for p in config.decode):
    raise InputError("--decode takes finite 2-D latent points, 'x,y;x,y'")
  if config.decode is not None and len(config.decode) > MAX_DECODE:
    raise InputError(f"--decode takes at most {MAX_DECODE} points (each is a tile of the "
                     f"new-letters figure), got {len(config.decode):,}")
  t = config.train
  if config.decode_seed is not None and not t.seed <= config.decode_seed < t.seed + t.seeds:
    raise InputError(f"--decode_seed must be one of the run's seeds, {t.seed}.."
                     f"{t.seed + t.seeds - 1}, got {config.decode_seed}")

  def evaluate(fit):   # every seed's codes, once: the metrics and the figures use them
    codes = consensus.autoencoder_codes(config.model, fit.params, glyphs.x)
    return latent2d_report.metrics(config, glyphs, fit.params, codes, fit.timing, fit.history,
                                   fit.interrupted), codes

  def figures(run_dir, fit, metrics, codes):
    from experiments import latent2d_figures  # pylint: disable=g-import-not-at-top  (drawing.py)
    latent2d_figures.figures(run_dir, config, glyphs, fit.params, codes, metrics, fit.history,
                            fit.steps)

  return runner.Job(
      name=NAME, config=config, what=f"{glyphs.title}, {len(glyphs)} glyphs",
      arch=config.model.arch, task=autoencoder.task(config.model), data={"x": glyphs.x},
      saved=glyphs.saved(), floats_per_sample=sum(config.model.arch), evaluate=evaluate,
      figures=figures, summary=lambda metrics: latent2d_report.print_summary(
          config, glyphs, metrics, loaded_from=loaded_from),
      explorer=lambda run_dir, fit, metrics, extra: explorer_pages.autoencoder_page(
          run_dir, config, fit.params, metrics, {**explorer_pages.glyph_data(glyphs), "decode": NAME}))


def run(config, run_dir, progress=None, should_stop=None):
  """Trains config.train.seeds autoencoders and writes the run directory; returns metrics."""
  from experiments import runner  # pylint: disable=g-import-not-at-top  (JAX: see entry.py)
  return runner.run(prepare(config), run_dir, progress, should_stop)


def load(run_dir):
  """(config, glyphs, params with a seed axis, (steps, history)) of a saved latent2d run."""
  from ae import runs  # pylint: disable=g-import-not-at-top  (JAX: see entry.py)
  config, data, params, history = runs.read_run(run_dir, NAME, Config())
  return config, Glyphs.from_saved(*data, where=f"{run_dir}/data.npz"), params, history


def redraw(load_dir, run_dir, **changes):
  """--load: figures, metrics and decoded points from a saved run, into a new run directory
  (changes: decode=, decode_seed=, grid=, explorer_seeds=)."""
  from experiments import runner  # pylint: disable=g-import-not-at-top  (JAX: see entry.py)
  return runner.redraw(NAME, Config(), prepare, load_dir, run_dir, **changes)


if __name__ == "__main__":
  entry.app(NAME, __doc__, Config(), run, redraw=redraw, drawing=("decode", "decode_seed", "grid", "explorer_seeds"),
             presets=True, explorer=True)
