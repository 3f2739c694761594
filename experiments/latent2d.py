"""latent2d: font glyphs through a 2-D latent layer, many seeds at once, and what they learned.

  python -m experiments.latent2d --eta=0.0085
  python -m experiments.latent2d --dataset=font1 --seeds=32
  python -m experiments.latent2d --preset=params1 --seeds=8
  python -m experiments.latent2d --load=runs/latent2d/<run> --decode="0.5,-0.5;-0.8,0.8"
"""
import dataclasses

from absl import flags

from ae import InputError, autoencoder, memory, runs, train
from ae.autoencoder import AEConfig
from ae.config import TrainConfig, field
from ae.data import DataConfig, Glyphs
from experiments import cli, common, latent2d_report

NAME = "latent2d"


@dataclasses.dataclass(frozen=True)
class Config:
  data: DataConfig = DataConfig()
  model: AEConfig = AEConfig()
  train: TrainConfig = TrainConfig()
  decode: tuple = field(None, "Latent points to decode as new letters, 'x,y;x,y' (default: "
                        "midpoints between neighbouring glyphs).", "experiment", kind="points")
  grid: int = field(15, "The manifold figure decodes a grid x grid box of latent points.",
                    "experiment")


def check(config, glyphs=None):
  """Validates everything and returns the glyphs; InputError before any work."""
  if not 2 <= config.grid <= 40:
    raise InputError(f"--grid must be in 2..40, got {config.grid}")
  glyphs = glyphs or config.data.load()
  config.model.check(glyphs.x.shape[1])
  config.train.check(len(glyphs))
  if config.model.latent_dim != 2:
    raise InputError(f"latent2d needs a 2-D latent layer; --arch="
                     f"{','.join(map(str, config.model.arch))} has {config.model.latent_dim}")
  if config.decode is not None and any(len(p) != 2 for p in config.decode):
    raise InputError("--decode takes 2-D latent points, 'x,y;x,y'")
  memory.check_memory(config.train, config.model.n_params, len(glyphs), sum(config.model.arch))
  return glyphs


def run(config, run_dir, progress=None, should_stop=None):
  """Trains config.train.seeds autoencoders and writes the run directory; returns metrics."""
  glyphs = check(config)
  with runs.Building(run_dir) as b:
    common.header(NAME, f"{glyphs.title}, {len(glyphs)} glyphs", config.train,
                  config.model.arch)
    fit = train.fit_seeds(autoencoder.task(config.model), {"x": glyphs.x}, config.train,
                          progress, should_stop)
    metrics = latent2d_report.metrics(config, glyphs, fit.params, fit.timing, fit.history,
                                      fit.interrupted)
    runs.write_run(b.tmp, NAME, config, *glyphs.saved())
    runs.save_params(b.tmp / "params.npz", fit.params)
    runs.save_history(b.tmp / "history.npz", fit.steps, fit.history, config.train.seed)
    if not fit.interrupted:  # interrupted: stop quickly; --load draws them from the run
      latent2d_report.figures(b.tmp, config, glyphs, fit.params, metrics, fit.history,
                              fit.steps)
    runs.save_json(b.tmp / "metrics.json", metrics)
  latent2d_report.print_summary(config, glyphs, metrics, b.path)
  return metrics


def load(run_dir):
  """(config, glyphs, params with a seed axis, (steps, history)) of a saved latent2d run."""
  config, data, params, history = runs.read_run(run_dir, NAME, Config())
  return config, Glyphs.from_saved(*data, where=f"{run_dir}/data.npz"), params, history


def rerun(load_dir, run_dir, decode=None, grid=None):
  """--load: figures and decoded points from a saved run, into a new run directory."""
  config, glyphs, params, (steps, history) = load(load_dir)
  config = dataclasses.replace(config, decode=decode or config.decode, grid=grid or config.grid)
  check(config, glyphs)
  autoencoder.check_params(config.model, params, f"{load_dir}/params.npz")
  with runs.Building(run_dir) as b:
    metrics = latent2d_report.metrics(config, glyphs, params, None, history)
    metrics["loaded_from"] = str(load_dir)
    runs.write_run(b.tmp, NAME, config, *glyphs.saved(), loaded_from=load_dir)
    runs.save_params(b.tmp / "params.npz", params)
    if history is not None:
      runs.save_history(b.tmp / "history.npz", steps, history, config.train.seed)
    latent2d_report.figures(b.tmp, config, glyphs, params, metrics, history, steps)
    runs.save_json(b.tmp / "metrics.json", metrics)
  latent2d_report.print_summary(config, glyphs, metrics, b.path, loaded_from=load_dir)
  return metrics


def _main(config, stop):
  if not _LOAD.value:
    return common.train_run(NAME, run, config, stop)
  given = cli.present() - {"load", "decode", "grid", "out_dir", "run_name", "preset"}
  if given:
    raise InputError(f"--{sorted(given)[0]} cannot apply with --load, which re-draws a "
                     "finished run: only --decode, --grid, --out_dir and --run_name can")
  return rerun(_LOAD.value, common.run_dir(NAME),
               config.decode if flags.FLAGS["decode"].present else None,
               config.grid if flags.FLAGS["grid"].present else None)


if __name__ == "__main__":
  _LOAD = flags.DEFINE_string("load", None, "A run directory: re-draw its figures and decode "
                              "--decode points from its saved params, without training.")
  common.app(NAME, __doc__, Config(), run, extra_flags=[("load", "output")], body=_main,
             presets=True)
