"""Benchmarks (not installed): python -m bench.<name>; tables in BUILD_NOTES.md."""
import os
import resource
import statistics
import subprocess
import sys
import time

import numpy as np

# each experiment's default command (issue 41's rows: bench.wall --floor, bench.traces)
DEFAULT_COMMANDS = ["latent2d --eta=0.0085", "circles", "denoise", "vae"]


def median_seconds(f, n=5):
  """The median wall time of n calls of f()."""
  times = []
  for _ in range(n):
    t = time.perf_counter()
    f()
    times.append(time.perf_counter() - t)
  return statistics.median(times)


def timed(argv, ok=(0,), where=None):
  """(wall seconds, CPU seconds) of one process (python argv...) in checkout `where`
  (default: here); the CPU is user and system time of it and every process it waited for."""
  env = None if where is None else {**os.environ, "PYTHONPATH": str(where)}
  before = _cpu()
  t0 = time.perf_counter()
  r = subprocess.run([sys.executable, *argv], capture_output=True, check=False, cwd=where,
                     env=env)
  wall = time.perf_counter() - t0
  if r.returncode not in ok:
    raise RuntimeError(f"{argv}: exit {r.returncode}: {r.stderr.decode()[-500:]}")
  return wall, _cpu() - before


def _cpu():
  u = resource.getrusage(resource.RUSAGE_CHILDREN)
  return u.ru_utime + u.ru_stime


def least(floor, cpu, floor_cpu, n):
  """The least ratio to the floor a command using `cpu` CPU seconds could have on n cores:
  the floor's work first (`floor` s, `floor_cpu` CPU s), the rest spread over all n."""
  return 1 + max(cpu - floor_cpu, 0) / (n * floor)


def flops_per_seed(arch, n, steps):
  """Matrix-product FLOPs of `steps` full-batch training steps on n samples, one seed:
  6 x n x sum(fan_in x fan_out) per step (2 forward, 4 backward)."""
  return 6.0 * n * sum(a * b for a, b in zip(arch[:-1], arch[1:])) * steps


def write_digits(path):
  """scikit-learn's 1,797 digits (8x8), binarised (ink from grey level 8 of 16), as an .npz
  with their labels at `path` (bench.digits, bench.explorer); returns how many."""
  from sklearn.datasets import load_digits  # pylint: disable=g-import-not-at-top
  d = load_digits()
  x = (d.images >= 8).astype(np.uint8)  # (1797, 8, 8)
  np.savez(path, x=x, labels=d.target.astype(str))
  return len(x)
