"""A large data set end to end: scikit-learn's 1,797 handwritten digits (8x8) through latent2d.

  python -m bench.digits                       # 2 seeds, 2000 steps; needs the bench extra

Writes the digits, binarised (a pixel is ink when its grey level is 8 of 16 or more), as an
.npz with their labels, runs `python -m experiments.latent2d` on it in a new process and
reports the process's wall time against its train_seconds (the goal: at most 3x).
"""
import json
import pathlib
import subprocess
import sys
import tempfile
import time

from absl import app, flags

from bench import write_digits

_SEEDS = flags.DEFINE_integer("seeds", 2, "Seeds.")
_ITERATIONS = flags.DEFINE_integer("iterations", 2000, "Optimizer steps.")
_KEEP = flags.DEFINE_string("keep", None, "Write the .npz and the run here (default: a temp dir).")


def main(argv):
  del argv
  with tempfile.TemporaryDirectory() as tmp:
    base = pathlib.Path(_KEEP.value or tmp)
    base.mkdir(parents=True, exist_ok=True)
    n = write_digits(base / "digits.npz")
    name = f"digits-{time.monotonic_ns()}"
    cmd = [sys.executable, "-m", "experiments.latent2d", f"--dataset={base / 'digits.npz'}",
           "--arch=64,64,32,2,32,64,64", f"--seeds={_SEEDS.value}",
           f"--iterations={_ITERATIONS.value}", f"--out_dir={base}", f"--run_name={name}",
           "--cache_dir=none"]
    t0 = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    if r.returncode:
      sys.exit(r.stderr)
    s = json.loads((base / "latent2d" / name / "metrics.json").read_text())["summary"]
    print(f"digits: {n} glyphs of 8x8, {_SEEDS.value} seeds, {_ITERATIONS.value} steps, "
          "arch 64-64-32-2-32-64-64, no compilation cache")
    print("| wall s | compile s | train s | wall / train | median worst-glyph px | "
          "median mean px |")
    print("|---|---|---|---|---|---|")
    print(f"| {wall:.1f} | {s['compile_seconds']:.2f} | {s['train_seconds']:.2f} | "
          f"{wall / s['train_seconds']:.2f} | {s['max_pixel_error_median']:g} | "
          f"{s['mean_pixel_error_mean']:.2f} |")
    print(r.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
  app.run(main)
