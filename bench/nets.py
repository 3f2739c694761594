"""What several benchmarks share: bench.peers' task (its net, Adam and step count) and the
default recipe, with the flags that size them (--steps, --batched_seeds, --seeds).

bench.peers, bench.layout, bench.profile and bench.tanh import this module, so the flags are
defined once; a benchmark changes a default with flags.set_default(nets.STEPS, ...).
"""
from absl import flags

from ae import autoencoder
from ae.config import TrainConfig

SEEDS = flags.DEFINE_integer("seeds", 8, "Seeds per tool and font (the peers' rows).",
                             lower_bound=1)
BATCHED = flags.DEFINE_integer("batched_seeds", 256, "Seeds of this project's batched row.",
                               lower_bound=1)
STEPS = flags.DEFINE_integer("steps", 3000, "Adam steps (L-BFGS: iterations).", lower_bound=1)

ARCH = (35, 29, 23, 2, 23, 29, 35)
ETA = 0.005
MODEL = autoencoder.AEConfig(arch=ARCH, activation="tanh", latent_activation="tanh",
                             loss="mse", init="glorot")


def config(seeds=1, seed=0):
  """This project's side of the task: --steps full-batch Adam steps at ETA, logged once."""
  return TrainConfig(optimizer="adam", schedule="constant", eta=ETA, iterations=STEPS.value,
                     log_every=STEPS.value, seeds=seeds, seed=seed)


def nets(seeds):
  """name -> (model, TrainConfig) for --steps full-batch steps: "peers", this task's net and
  Adam (config), and "default", the default recipe (bench.profile and bench.layout)."""
  return {"peers": (MODEL, config(seeds)),
          "default": (autoencoder.AEConfig(), TrainConfig(
              iterations=STEPS.value, log_every=STEPS.value, seeds=seeds))}


NETS = ("peers", "default")  # the names nets() gives


def define_net_flags(steps):
  """--nets and --repeat for a benchmark that times fits of nets() side by side
  (bench.layout, bench.tanh), and --steps' default for it. Returns (nets, repeat)."""
  flags.set_default(STEPS, steps)
  names = flags.DEFINE_list("nets", list(NETS),
                            "peers: bench.peers' net and Adam; default: the default recipe.")
  flags.register_validator("nets", lambda v: set(v) <= set(NETS),
                           "--nets takes peers and/or default")
  repeat = flags.DEFINE_integer("repeat", 3, "Timed fits per variant and net (median).",
                                lower_bound=1)
  return names, repeat
