"""Where a warm run's JAX time goes: each experiment's default command, run twice with one
cache (the second is timed), counting JAX's own monitoring events in the run's process: the
functions traced, the programs lowered and read from the persistent cache, and their seconds.

  python -m bench.traces                          # the four default commands (~1 minute)
  python -m bench.traces --baseline=/tmp/old      # and an earlier checkout's, side by side

A kept program (ae/programs.py: the training program, and every helper made with
programs.jit) is loaded as compiled: it is neither traced, lowered nor read from JAX's cache,
so it is in none of these columns.
"""
import json
import os
import subprocess
import sys
import tempfile

from absl import app, flags

from bench import DEFAULT_COMMANDS

_BASELINE = flags.DEFINE_string("baseline", None, "An earlier checkout (its directory) whose "
                                "runs are counted beside this one's (cwd and PYTHONPATH there).")
_EXPERIMENTS = flags.DEFINE_list("experiments", DEFAULT_COMMANDS, "The commands counted.")

# in the run's own process: every duration event JAX reports, summed by name, at exit
DRIVER = """
import atexit, collections, json, runpy, sys
import jax.monitoring
seconds, counts = collections.Counter(), collections.Counter()
def seen(name, duration, **kw):
  seconds[name] += duration
  counts[name] += 1
jax.monitoring.register_event_duration_secs_listener(seen)
atexit.register(lambda: print("EVENTS " + json.dumps([seconds, counts]), file=sys.stderr))
sys.argv = sys.argv[1:]
runpy.run_module("experiments." + sys.argv[0], run_name="__main__")
"""
EVENTS = (("traced", "/jax/core/compile/jaxpr_trace_duration"),
          ("lowered", "/jax/core/compile/jaxpr_to_mlir_module_duration"),
          ("read from the cache", "/jax/compilation_cache/cache_retrieval_time_sec"))


def events(command, where, cache, out):
  """(seconds, counts) by event name, of the second of two runs of `command` with `cache`."""
  argv = [sys.executable, "-c", DRIVER, *command.split(), f"--out_dir={out}",
          f"--cache_dir={cache}"]
  env = dict(os.environ, PYTHONPATH=where)
  for _ in range(2):
    r = subprocess.run(argv, cwd=where, env=env, capture_output=True, text=True, check=True)
  return json.loads(r.stderr.rsplit("EVENTS ", 1)[1].splitlines()[0])


def main(argv):
  del argv
  where = {"this checkout": os.getcwd()}
  if _BASELINE.value:
    where["baseline"] = os.path.abspath(_BASELINE.value)
  print("| command | checkout | " + " | ".join(f"{name} (n, s)" for name, _ in EVENTS) + " |")
  print("|---|---|" + "---|" * len(EVENTS))
  with tempfile.TemporaryDirectory() as tmp:
    for command in _EXPERIMENTS.value:
      for label, path in where.items():
        seconds, counts = events(command, path, f"{tmp}/{label}-cache", f"{tmp}/{label}")
        cells = [f"{counts.get(e, 0)}, {seconds.get(e, 0):.3f}" for _, e in EVENTS]
        print(f"| `{command}` | {label} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
  app.run(main)
