"""A run across processes against one process, on this machine: what the multi-process
runtime costs (start-up, collectives, the gather to every process) and whether training
itself slows.

  python -m bench.processes                 # latent2d --seeds=256, 3 rounds (~2 min)
  python -m bench.processes --seeds=1024 --rounds=5

Each round runs, one after the other, `python -m experiments.latent2d --seeds=N` as 1 process
with 2 CPU devices, and the same through `python -m experiments.launch --processes=2
--devices_per_process=1` (2 processes x 1 device: the same mesh, the same per-device work).
It reports medians over the rounds: the command's wall time, compile_seconds and
train_seconds from metrics.json, the overhead (the wall-time difference) and the training
time ratio (2 processes over 1; the target is at most 1.1x).
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

from absl import app, flags

SEEDS = flags.DEFINE_integer("seeds", 256, "Seeds of latent2d's default recipe.")
ROUNDS = flags.DEFINE_integer("rounds", 3, "Rounds, each running both set-ups.")


def one(out, name, launcher):
  """(wall seconds, compile seconds, train seconds) of one latent2d run."""
  args = ["latent2d", f"--seeds={SEEDS.value}", f"--out_dir={out}", f"--run_name={name}",
          "--cache_dir=none"]
  cmd = ([sys.executable, "-m", "experiments.launch", "--processes=2",
          "--devices_per_process=1", "--", *args] if launcher else
         [sys.executable, "-m", f"experiments.{args[0]}", *args[1:]])
  env = dict(os.environ, AE_LAB_CPU_DEVICES="2")
  t0 = time.perf_counter()
  subprocess.run(cmd, env=env, check=True, capture_output=True, timeout=1800)
  wall = time.perf_counter() - t0
  s = json.loads(open(os.path.join(out, "latent2d", name, "metrics.json"),
                      encoding="utf-8").read())["summary"]
  return wall, s["compile_seconds"], s["train_seconds"]


def main(argv):
  del argv
  out = tempfile.mkdtemp()
  rows = {"1 process x 2 devices": [], "2 processes x 1 device": []}
  for r in range(ROUNDS.value):
    rows["1 process x 2 devices"].append(one(out, f"one{r}", False))
    rows["2 processes x 1 device"].append(one(out, f"two{r}", True))
  med = {k: [statistics.median(x[i] for x in v) for i in range(3)] for k, v in rows.items()}
  print(f"latent2d --seeds={SEEDS.value}, medians of {ROUNDS.value} rounds\n")
  print("| set-up | wall | compile | train | train per seed |")
  print("|---|---|---|---|---|")
  for k, (wall, comp, tr) in med.items():
    print(f"| {k} | {wall:.2f} s | {comp:.2f} s | {tr:.2f} s | {tr / SEEDS.value * 1e3:.2f} ms |")
  (w1, _, t1), (w2, _, t2) = med.values()
  print(f"\noverhead (wall, 2 processes - 1): {w2 - w1:.2f} s; train time ratio: {t2 / t1:.2f}x")


if __name__ == "__main__":
  app.run(main)
