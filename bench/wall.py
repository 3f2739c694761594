"""Wall time of whole latent2d runs in new processes, with JAX's persistent compilation cache
empty (cold) and filled by the run before (warm); median of --repeat each.

  python -m bench.wall                          # defaults: 1 seed and 32 seeds, font2
  python -m bench.wall --repeat=5 --fonts=font1,font2,font3

Reports the process's wall time and, from metrics.json, compile_seconds and train_seconds.
"""
import json
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

from absl import app, flags

_REPEAT = flags.DEFINE_integer("repeat", 3, "Runs per row; the median is reported.")
_FONTS = flags.DEFINE_list("fonts", ["font2"], "Datasets.")
_SEEDS = flags.DEFINE_list("seed_counts", ["1", "32"], "Values of --seeds to time.")
_ARGS = flags.DEFINE_list("args", [], "More latent2d flags, e.g. --args=--iterations=2000.")


def one(font, seeds, out, cache):
  name = f"{font}-{seeds}-{time.monotonic_ns()}"
  t0 = time.perf_counter()
  subprocess.run([sys.executable, "-m", "experiments.latent2d", f"--dataset={font}",
                  f"--seeds={seeds}", f"--out_dir={out}", f"--run_name={name}",
                  f"--cache_dir={cache}", *_ARGS.value], check=True, capture_output=True)
  wall = time.perf_counter() - t0
  s = json.loads((pathlib.Path(out) / "latent2d" / name / "metrics.json").read_text())["summary"]
  return wall, s["compile_seconds"], s["train_seconds"], s["seeds_zero"]


def main(argv):
  del argv
  print("| dataset | seeds | cache | wall s (median) | compile s | train s | seeds with 0 px |")
  print("|---|---|---|---|---|---|---|")
  with tempfile.TemporaryDirectory() as out:
    for font in _FONTS.value:
      for seeds in map(int, _SEEDS.value):
        rows = {"cold": [], "warm": []}
        for r in range(_REPEAT.value):
          cache = pathlib.Path(out) / f"cache-{font}-{seeds}-{r}"  # a new, empty cache
          rows["cold"].append(one(font, seeds, out, cache))
          rows["warm"].append(one(font, seeds, out, cache))
        for kind, rs in rows.items():
          med = [statistics.median(r[k] for r in rs) for k in range(3)]
          print(f"| {font} | {seeds} | {kind} | {med[0]:.1f} | {med[1]:.2f} | {med[2]:.2f} | "
                f"{min(r[3] for r in rs)}/{seeds} |", flush=True)


if __name__ == "__main__":
  app.run(main)
