"""Wall time of whole latent2d runs in new processes, with JAX's persistent compilation cache
empty (cold) and filled by the run before (warm); median of --repeat each.

  python -m bench.wall                          # defaults: 1 seed and 32 seeds, font2
  python -m bench.wall --repeat=5 --fonts=font1,font2,font3
  python -m bench.wall --floor                  # issue 41's table: ratios to JAX's start-up
  python -m bench.wall --floor --baseline=/tmp/old    # and an earlier commit's, interleaved
  python -m bench.wall --floor --nocold --experiments=circles,vae   # warm rows only

--floor times `--help`, a flag error, and each experiment's default command warm (cache
filled) and cold (--cache_dir=none), each right after a run of JAX's own start-up (the floor:
import jax and run one operation), and reports the median of those paired ratios: the
machine drifts by seconds between minutes, so one floor for the whole table is not enough.
With --baseline, the same commands of an earlier checkout beside them (cwd and PYTHONPATH
there, this interpreter), every row interleaved.

Reports the process's wall time and, from metrics.json, compile_seconds (the training program
traced or read back, and compiled or read from the cache) and train_seconds. --floor also
reports the CPU seconds a command used (user and system, its drawing processes included) and
the least ratio that work allows on this machine's cores: the floor's own work done first (a
run imports JAX and starts its backend as the floor does, before anything can run beside it),
then the rest spread perfectly over every core, 1 + (CPU - the floor's CPU) / (cores x floor).
"""
import importlib.metadata
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time
import typing

from absl import app, flags

import bench
from bench import DEFAULT_COMMANDS

_REPEAT = flags.DEFINE_integer("repeat", 3, "Runs per row; the median is reported.")
_FONTS = flags.DEFINE_list("fonts", ["font2"], "Datasets.")
_SEEDS = flags.DEFINE_list("seed_counts", ["1", "32"], "Values of --seeds to time.")
_ARGS = flags.DEFINE_list("args", [], "More latent2d flags, e.g. --args=--iterations=2000.")
_FLOOR = flags.DEFINE_bool("floor", False, "Issue 41's table: every command against JAX's "
                           "own start-up, in one run.")
_BASELINE = flags.DEFINE_string("baseline", None, "--floor: also time each experiment in this "
                                 "checkout of an earlier commit (its directory), interleaved "
                                 "with this one's, e.g. a `git worktree add /tmp/old <commit>`.")
_EXPERIMENTS = flags.DEFINE_list("experiments", DEFAULT_COMMANDS,
                                 "--floor: the default commands timed warm and cold.")
_COLD = flags.DEFINE_bool("cold", True, "--floor: time each command cold too (--nocold: warm "
                          "only, a third of the time).")


def one(font, seeds, out, cache):
  name = f"{font}-{seeds}-{time.monotonic_ns()}"
  t0 = time.perf_counter()
  subprocess.run([sys.executable, "-m", "experiments.latent2d", f"--dataset={font}",
                  f"--seeds={seeds}", f"--out_dir={out}", f"--run_name={name}",
                  f"--cache_dir={cache}", *_ARGS.value], check=True, capture_output=True)
  wall = time.perf_counter() - t0
  s = summary(pathlib.Path(out) / "latent2d" / name)
  return wall, s["compile_seconds"], s["train_seconds"], s["seeds_zero"]


def summary(run_dir):
  """The summary of a finished run's metrics.json."""
  return json.loads((pathlib.Path(run_dir) / "metrics.json").read_text())["summary"]


def versions():
  """The installed versions the floor depends on (BUILD_NOTES: the ml_dtypes cap)."""
  return ", ".join(f"{p} {importlib.metadata.version(p)}" for p in STACK)


STACK = ("jax", "jaxlib", "ml_dtypes", "numpy", "matplotlib")
FLOOR = ["-c", "import jax, jax.numpy as jnp; jnp.zeros(1).block_until_ready()"]


class Timing(typing.NamedTuple):
  """One run of a row, and of the floor just before it (seconds)."""
  wall: float
  floor: float
  compile: float | None   # the run's compile_seconds; None for --help and a flag error
  cpu: float
  floor_cpu: float


def floor_table(out):
  """{row: [Timing per repeat]}, the rows interleaved in each repeat."""
  where = {None: ""} if _BASELINE.value is None else {None: "", _BASELINE.value: ", baseline"}
  rows = {}
  for checkout, tag in where.items():
    rows[f"`python -m experiments.latent2d --help`{tag}"] = (
        ["-m", "experiments.latent2d", "--help"], (0,), checkout)
    rows[f"a flag error: `python -m experiments.latent2d --eta=abc`{tag}"] = (
        ["-m", "experiments.latent2d", "--eta=abc"], (2,), checkout)
  for command in _EXPERIMENTS.value:
    name, *args = command.split()
    for checkout, tag in where.items():
      out_dir = pathlib.Path(out) / f"runs{tag.strip(', ')}"
      base = ["-m", f"experiments.{name}", *args, f"--out_dir={out_dir}"]
      cache = pathlib.Path(out) / f"cache-{name}{tag.strip(', ')}"
      bench.timed([*base, f"--cache_dir={cache}"], where=checkout)   # fills the cache: warm finds
      rows[f"`python -m experiments.{command}`, warm{tag}"] = (   # every program in it
          [*base, f"--cache_dir={cache}"], (0,), checkout, out_dir / name)
      if _COLD.value:
        rows[f"`python -m experiments.{command}`, cold (`--cache_dir=none`){tag}"] = (
            [*base, "--cache_dir=none"], (0,), checkout, out_dir / name)
  times = {k: [] for k in rows}
  for _ in range(_REPEAT.value):
    for k, (argv, ok, where, *runs) in rows.items():
      floor, floor_cpu = bench.timed(FLOOR)
      run = f"r{time.monotonic_ns()}"
      wall, cpu = bench.timed([*argv, f"--run_name={run}"] if runs else argv, ok, where)
      compile_s = summary(runs[0] / run)["compile_seconds"] if runs else None
      times[k].append(Timing(wall, floor, compile_s, cpu, floor_cpu))
  return times


def main(argv):
  del argv
  if _FLOOR.value:
    with tempfile.TemporaryDirectory() as out:
      times = floor_table(out)
    floors = [t.floor for v in times.values() for t in v]
    print(f"floor: `python {FLOOR[0]} \"{FLOOR[1]}\"`, median {statistics.median(floors):.2f} s "
          f"(from {min(floors):.2f} to {max(floors):.2f} s over {len(floors)} runs)")
    print(f"with {versions()}\n")
    n = len(os.sched_getaffinity(0))
    print(f"| command | wall (median of {_REPEAT.value}) | x the floor run just before "
          f"(median) | its training program ready (compile_seconds) | CPU seconds | the least "
          f"ratio its CPU allows on {n} cores (a run) |\n|---|---|---|---|---|---|")
    for k, v in times.items():
      run = v[0].compile is not None   # a run, not --help or a flag error
      ready = f"{statistics.median(t.compile for t in v):.2f} s" if run else ""
      bound = statistics.median(bench.least(t.floor, t.cpu, t.floor_cpu, n) for t in v)
      print(f"| {k} | {statistics.median(t.wall for t in v):.2f} s | "
            f"{statistics.median(t.wall / t.floor for t in v):.2f} | {ready} | "
            f"{statistics.median(t.cpu for t in v):.2f} s | {f'{bound:.2f}' if run else ''} |")
    return
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
