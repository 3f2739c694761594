"""Wall time of whole latent2d runs from a cold start (new process each time), median of --repeat.

  python -m bench.wall                          # defaults: 1 seed and 32 seeds, each font
  python -m bench.wall --repeat=5 --fonts=font2

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
_FONTS = flags.DEFINE_list("fonts", ["font1", "font2", "font3"], "Datasets.")
_SEEDS = flags.DEFINE_list("seed_counts", ["1", "32"], "Values of --seeds to time.")


def one(font, seeds, out):
  name = f"{font}-{seeds}-{time.monotonic_ns()}"
  t0 = time.perf_counter()
  subprocess.run([sys.executable, "-m", "experiments.latent2d", f"--dataset={font}",
                  f"--seeds={seeds}", f"--out_dir={out}", f"--run_name={name}"],
                 check=True, capture_output=True)
  wall = time.perf_counter() - t0
  s = json.loads((pathlib.Path(out) / "latent2d" / name / "metrics.json").read_text())["summary"]
  return wall, s["compile_seconds"], s["train_seconds"], s["seeds_zero"]


def main(argv):
  del argv
  print("| dataset | seeds | wall s (median) | compile s | train s | seeds with 0 px |")
  print("|---|---|---|---|---|---|")
  with tempfile.TemporaryDirectory() as out:
    for font in _FONTS.value:
      for seeds in map(int, _SEEDS.value):
        rows = [one(font, seeds, out) for _ in range(_REPEAT.value)]
        med = [statistics.median(r[k] for r in rows) for k in range(3)]
        zero = min(r[3] for r in rows)
        print(f"| {font} | {seeds} | {med[0]:.1f} | {med[1]:.2f} | {med[2]:.2f} | "
              f"{zero}/{seeds} |", flush=True)


if __name__ == "__main__":
  app.run(main)
