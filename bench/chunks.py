"""What running the compiled loop in chunks costs (progress and Ctrl-C between chunks).

  python -m bench.chunks                 # default recipe, font2, 32 seeds, 7 rounds

Each round trains the same seeds twice, in one process, alternating the order: chunks of
about train.TARGET_SECONDS (the default), and the whole schedule in one compiled call.
Prints the median train seconds of each and their ratio.
"""
import dataclasses
import statistics

from absl import app, flags

from ae import autoencoder, data, train
from ae.config import TrainConfig
from experiments import startup

_SEEDS = flags.DEFINE_integer("seeds", 32, "Seeds per fit.")
_ROUNDS = flags.DEFINE_integer("rounds", 7, "Rounds (each runs both ways).")


def main(argv):
  del argv
  startup.use_all_cores()
  g = data.load("font2")
  task = autoencoder.task(autoencoder.AEConfig())
  cfg = TrainConfig(seeds=_SEEDS.value)
  chunked_target = train.TARGET_SECONDS
  times = {"chunked": [], "one call": []}
  train.fit_seeds(task, {"x": g.x}, cfg)  # compile once, off the clock
  for r in range(_ROUNDS.value):
    order = ["chunked", "one call"] if r % 2 == 0 else ["one call", "chunked"]
    for way in order:
      train.TARGET_SECONDS = chunked_target if way == "chunked" else float("inf")
      fit = train.fit_seeds(task, {"x": g.x}, dataclasses.replace(cfg, seed=r))
      times[way].append(fit.timing["train_seconds"])
  med = {k: statistics.median(v) for k, v in times.items()}
  print(f"default recipe, font2, {_SEEDS.value} seeds, {_ROUNDS.value} rounds, chunks of "
        f"~{chunked_target} s")
  for k, v in times.items():
    print(f"{k:>9}: median {med[k]:.3f} s  ({' '.join(f'{t:.3f}' for t in v)})")
  print(f"ratio chunked / one call: {med['chunked'] / med['one call']:.3f}")


if __name__ == "__main__":
  app.run(main)
