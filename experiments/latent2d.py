"""A 2-D latent autoencoder on font glyphs: train many seeds at once, plot what they learned.

  python -m experiments.latent2d --eta=0.0085
  python -m experiments.latent2d --dataset=font1 --seeds=32
  python -m experiments.latent2d --flagfile=experiments/presets/params1.flags
  python -m experiments.latent2d --load=runs/latent2d/<run> --decode="0.5,-0.5;-0.8,0.8"
"""
import dataclasses
import sys

from absl import app, flags

from ae import InputError, data, mlp, optim, runs, solvers, train
from ae.train import TrainConfig
from experiments import common, latent2d_report

DEFAULT = TrainConfig()  # the measured recipe: see BUILD_NOTES.md

_ARCH = flags.DEFINE_list("arch", list(map(str, DEFAULT.arch)),
                          "Layer sizes, input to output; the narrowest is the latent layer.")
_ACTIVATION = flags.DEFINE_enum("activation", DEFAULT.activation, list(mlp.ACTIVATIONS),
                                "Activation of the hidden layers.")
_LATENT_ACT = flags.DEFINE_enum("latent_activation", DEFAULT.latent_activation,
                                list(mlp.ACTIVATIONS), "Activation of the 2-D latent layer "
                                "(the original study: tanh, like every layer).")
_LOSS = flags.DEFINE_enum("loss", DEFAULT.loss, ["bce", "mse_sigmoid", "mse_tanh"],
                          "bce: logits + binary cross-entropy; mse_*: squashed output + MSE "
                          "(mse_tanh is the original study's).")
_INIT = flags.DEFINE_enum("init", DEFAULT.init, list(mlp.INITS),
                          "Weight init: glorot, or normal with --init_std/--init_mean.")
_INIT_STD = flags.DEFINE_float("init_std", DEFAULT.init_std, "Std of the normal init.")
_INIT_MEAN = flags.DEFINE_float("init_mean", DEFAULT.init_mean, "Mean of the normal init.")
_OPTIMIZER = flags.DEFINE_enum("optimizer", DEFAULT.optimizer, [*optim.OPTIMIZERS, "none"],
                               "Optimizer (optax); none: the --solver alone for --iterations.")
_ETA = flags.DEFINE_float("eta", DEFAULT.eta, "(Peak) learning rate.")
_SCHEDULE = flags.DEFINE_enum("schedule", DEFAULT.schedule, list(optim.SCHEDULES),
                              "Learning-rate schedule over the iterations.")
_ITERATIONS = flags.DEFINE_integer("iterations", DEFAULT.steps, "Optimizer steps.")
_BATCH = flags.DEFINE_integer("batch_size", DEFAULT.batch_size, "Glyphs per step; 0 = all.")
_LOG_EVERY = flags.DEFINE_integer("log_every", DEFAULT.log_every,
                                  "Record loss and pixel errors every this many steps.")
_ADAPTIVE = flags.DEFINE_bool("adaptive_eta", False, "Adaptive eta: after --adaptive_k loss "
                              "decreases eta += --adaptive_a; after an increase eta *= 1 - b.")
_ADAPTIVE_K = flags.DEFINE_integer("adaptive_k", 5, "Consecutive decreases before eta grows.")
_ADAPTIVE_A = flags.DEFINE_float("adaptive_a", None, "Added to eta (default eta/10).")
_ADAPTIVE_B = flags.DEFINE_float("adaptive_b", 0.5, "eta shrinks by this fraction on increase.")
_SOLVER = flags.DEFINE_enum("solver", None, list(solvers.METHODS), "A full minimiser run every "
                            "--minimize_every optimizer steps (or alone with --optimizer=none).")
_SOLVER_BACKEND = flags.DEFINE_enum("solver_backend", None, list(solvers.BACKENDS),
                                    "Library behind --solver (default: the fastest measured, "
                                    "see BUILD_NOTES.md).")
_MINIMIZE_EVERY = flags.DEFINE_integer("minimize_every", 0, "Run --solver after every k "
                                       "optimizer steps; 0 = never.")
_SOLVER_STEPS = flags.DEFINE_integer("solver_steps", DEFAULT.solver_steps,
                                     "Solver iterations per call.")
_SOLVER_TOL = flags.DEFINE_float("solver_tol", 0.0, "Stop a solver call early below this "
                                 "gradient/step size (0: run all --solver_steps).")
_SOLVER_SECONDS = flags.DEFINE_float("solver_seconds", None, "Wall-time cap per solver call "
                                     "(scipy backend; e.g. for Powell).")
_DECODE = flags.DEFINE_string("decode", None, "Latent points to decode as new letters, "
                              "'x,y;x,y' (default: midpoints between neighbouring glyphs).")
_GRID = flags.DEFINE_integer("grid", 15, "The latent manifold figure decodes a grid x grid box.")
_LOAD = flags.DEFINE_string("load", None, "A run directory: re-create its figures and decode "
                            "--decode points from its saved params, without training.")


@dataclasses.dataclass(frozen=True)
class Config:
  dataset: str = "font2"
  glyph_width: int = 5
  chars: str = None
  n_chars: int = None
  seed: int = 0
  seeds: int = 1
  train: TrainConfig = DEFAULT
  decode: tuple = None   # ((x, y), ...) or None for automatic points
  grid: int = 15


def load_glyphs(config):
  glyphs = data.load(config.dataset, config.glyph_width)
  return data.select(glyphs, config.chars, config.n_chars)


def check(config):
  """Loads the data and validates everything; returns the glyphs. Raises InputError."""
  if config.seeds < 1 or config.seed < 0:
    raise InputError(f"--seeds must be >= 1 and --seed >= 0, got {config.seeds}, {config.seed}")
  if not 2 <= config.grid <= 40:
    raise InputError(f"--grid must be in 2..40, got {config.grid}")
  glyphs = load_glyphs(config)
  config.train.check(len(glyphs), glyphs.x.shape[1])
  if config.train.arch[mlp.latent_index(config.train.arch)] != 2:
    raise InputError(f"latent2d needs a 2-D latent layer; --arch={','.join(map(str, config.train.arch))} has "
                     f"{min(config.train.arch)}")
  return glyphs


def run(config, run_dir, progress=None):
  """Trains config.seeds autoencoders and writes the run directory. Returns the metrics."""
  glyphs = check(config)
  run_dir = runs.create(run_dir)
  t = config.train
  solver = ""
  if train.uses_solver(t):
    solver = (f", {t.solver} ({solvers.backend_for(t.solver, t.solver_backend)}) "
              + ("alone" if t.optimizer == "none" else
                 f"x{t.solver_steps} every {t.minimize_every} steps"))
  print(f"latent2d: {glyphs.name}, {len(glyphs)} glyphs, {config.seeds} seed(s), arch "
        f"{'-'.join(map(str, t.arch))}, {t.optimizer} {t.schedule} eta={t.eta}, {t.steps} steps"
        f"{solver}", file=sys.stderr)
  params, history, timing = train.fit_seeds(glyphs.x, glyphs.x, t, config.seed, config.seeds,
                                             progress)
  metrics = latent2d_report.metrics(config, glyphs, params, timing, history)
  runs.save_json(run_dir / "config.json", config)
  runs.save_params(run_dir / "params.npz", params)
  runs.save_history(run_dir / "history.npz", train.log_steps(t), history)
  latent2d_report.figures(run_dir, config, glyphs, params, metrics, history)
  runs.save_json(run_dir / "metrics.json", metrics)
  latent2d_report.print_summary(config, glyphs, metrics, run_dir)
  return metrics


def rerun(load_dir, run_dir, decode=None, grid=None):
  """--load: figures and decoded points from a saved run, into a new run directory."""
  saved, _, params = runs.load_run(load_dir)
  config = config_from_json(saved)
  config = dataclasses.replace(config, decode=decode or config.decode, grid=grid or config.grid)
  glyphs = check(config)
  if mlp.sizes_of(params) != tuple(config.train.arch):
    raise InputError(f"--load={load_dir}: params.npz does not match its config's arch")
  run_dir = runs.create(run_dir)
  metrics = latent2d_report.metrics(config, glyphs, params, {"compile_seconds": 0.0,
                                                             "train_seconds": 0.0})
  metrics["loaded_from"] = str(load_dir)
  steps, history = runs.load_history(f"{load_dir}/history.npz")
  runs.save_json(run_dir / "config.json", dict(runs.plain(config), loaded_from=str(load_dir)))
  runs.save_params(run_dir / "params.npz", params)
  latent2d_report.figures(run_dir, config, glyphs, params, metrics, history, steps)
  runs.save_json(run_dir / "metrics.json", metrics)
  latent2d_report.print_summary(config, glyphs, metrics, run_dir)
  return metrics


def config_from_json(d):
  tr = dict(d["train"])
  tr["arch"] = tuple(tr["arch"])
  tr["adaptive"] = tuple(tr["adaptive"]) if tr.get("adaptive") else None
  dec = tuple(tuple(p) for p in d["decode"]) if d.get("decode") else None
  return Config(**dict(d, train=train.TrainConfig(**tr), decode=dec))


def config_from_flags():
  adaptive = (_ADAPTIVE_K.value, _ADAPTIVE_A.value, _ADAPTIVE_B.value) if _ADAPTIVE.value else None
  tc = train.TrainConfig(
      arch=common.parse_ints("arch", _ARCH.value), activation=_ACTIVATION.value,
      latent_activation=_LATENT_ACT.value,
      loss=_LOSS.value, init=_INIT.value, init_std=_INIT_STD.value, init_mean=_INIT_MEAN.value,
      optimizer=_OPTIMIZER.value, eta=_ETA.value, schedule=_SCHEDULE.value,
      steps=_ITERATIONS.value, batch_size=_BATCH.value, log_every=_LOG_EVERY.value,
      adaptive=adaptive, solver=_SOLVER.value, solver_backend=_SOLVER_BACKEND.value,
      minimize_every=_MINIMIZE_EVERY.value, solver_steps=_SOLVER_STEPS.value,
      solver_tol=_SOLVER_TOL.value, solver_seconds=_SOLVER_SECONDS.value)
  return Config(dataset=common.DATASET.value, glyph_width=common.GLYPH_WIDTH.value,
                chars=common.CHARS.value, n_chars=common.N_CHARS.value, seed=common.SEED.value,
                seeds=common.SEEDS.value, train=tc, decode=common.parse_points(_DECODE.value),
                grid=_GRID.value)


def main(argv):
  if len(argv) > 1:
    common.fail("latent2d", f"unexpected arguments {argv[1:]} (flags look like --name=value)")
  common.use_all_cores()

  def body():
    if _LOAD.value:
      rerun(_LOAD.value, common.run_dir("latent2d"), common.parse_points(_DECODE.value),
            _GRID.value if flags.FLAGS["grid"].present else None)
    else:
      config = config_from_flags()
      run(config, common.run_dir("latent2d"), common.Progress(config.train.steps))

  common.main_guard("latent2d", body)


if __name__ == "__main__":
  app.run(main)
