"""A repeated run compiles from JAX's persistent cache (issue 41): every program the first run
compiled is kept, however quick, so the second identical run compiles nothing (JAX's
monitoring events, counted in the run's own process), and it loads its training program and
evaluation helpers as compiled instead of tracing them (ae/programs.py), to the same bits;
rejected input makes no cache; the garbage collector is kept off JAX's objects and at exit
off all."""
import json
import subprocess
import sys

import numpy as np
import pytest

from ae import programs
from conftest import ROOT

DRIVER = """
import atexit, collections, gc, json, runpy, sys
atexit.register(lambda: print(f"FROZEN {gc.get_freeze_count()} {len(gc.get_objects())}",
                              file=sys.stderr))  # registered first: runs last
import jax.monitoring
seen = collections.Counter()
jax.monitoring.register_event_listener(lambda name, **kw: seen.update([name]))
atexit.register(lambda: print("EVENTS " + json.dumps(seen), file=sys.stderr))
traced = []   # the functions traced, by name
jax.monitoring.register_event_duration_secs_listener(
    lambda name, _, fun_name=None, **kw: traced.append(fun_name)
    if name.endswith("/jaxpr_trace_duration") else None)
atexit.register(lambda: print("TRACED " + json.dumps(traced), file=sys.stderr))
sys.argv = ["latent2d", *sys.argv[1:]]
runpy.run_module("experiments.latent2d", run_name="__main__")
"""


def last_json(stderr, tag):
  return json.loads(stderr.rsplit(tag + " ", 1)[1].splitlines()[0])


@pytest.mark.slow   # three whole runs: about 18 s
def test_a_second_identical_run_finds_every_program_in_the_cache(tmp_path):
  counts, traced = [], []
  for name, cache in (("first", tmp_path / "cache"), ("second", tmp_path / "cache"),
                      ("uncached", "none")):
    r = subprocess.run([sys.executable, "-c", DRIVER, "--n_chars=8", "--seeds=2",
                        "--iterations=100", f"--out_dir={tmp_path}", f"--run_name={name}",
                        f"--cache_dir={cache}"], cwd=ROOT, capture_output=True,
                       text=True, timeout=180)
    assert r.returncode == 0, r.stderr[-2000:]
    counts.append(last_json(r.stderr, "EVENTS"))
    traced.append(last_json(r.stderr, "TRACED"))
    # the collector was kept off JAX's objects (experiments/startup.freeze_imports): at exit
    # they, and all the run made, are frozen, so the last full collection walks none of them
    frozen, left = map(int, r.stderr.rsplit("FROZEN ", 1)[1].split())
    assert frozen > 100_000 and left < frozen / 20, (frozen, left)
  # the training program (train._plain_state's plain_run) and the evaluation helpers
  # (programs.jit: lambdas around them) are traced once and kept, compiled from their export
  # (its call, named anew: `kept_...`); the second run loads each as compiled, tracing none
  assert [t.count("plain_run") for t in traced] == [1, 0, 1], traced
  kept = len(list((tmp_path / "cache" / programs.FOLDER).glob("*" + programs.SUFFIX)))
  calls = [sum(name.startswith("kept_") for name in t) for t in traced]
  assert kept >= 2 and calls == [kept, 0, 0], (kept, traced)
  assert traced[0].count("<lambda>") - traced[1].count("<lambda>") == kept - 1, traced
  for f in ("params.npz", "history.npz"):   # kept, read back, or never kept: the same bits
    runs = [np.load(tmp_path / "latent2d" / name / f) for name in ("first", "second", "uncached")]
    assert all(set(z.files) == set(runs[0].files) and
               all(np.array_equal(z[k], runs[0][k]) for k in z.files) for z in runs[1:]), f
  first, second = counts[:2]
  requests = first["/jax/compilation_cache/compile_requests_use_cache"]
  # every program reaches the cache: the cache is on before the first one (it once came on at
  # training's compile, after a dozen small programs), and none is too quick to keep; the
  # second run asks JAX's cache for the programs it did not load whole, and finds each
  assert first["/jax/compilation_cache/cache_misses"] == requests, first
  assert second.get("/jax/compilation_cache/cache_misses", 0) == 0, second
  assert second["/jax/compilation_cache/cache_hits"] == requests - kept, (first, second)
  assert second["/jax/compilation_cache/compile_requests_use_cache"] == requests - kept, second


@pytest.mark.slow   # a process each: 4 s under load
@pytest.mark.parametrize("bad", [
    "--arch=35,3,35",   # the model's check counts parameters: from shapes, compiling nothing
    "--grid=1", "--holdout=0.6:0.4"])
def test_rejected_input_makes_no_cache_directory(tmp_path, bad):
  name = "circles" if "holdout" in bad else "latent2d"
  r = subprocess.run([sys.executable, "-m", f"experiments.{name}", bad, f"--out_dir={tmp_path}",
                      f"--cache_dir={tmp_path / 'cache'}"], cwd=ROOT, capture_output=True,
                     text=True, timeout=120)
  assert r.returncode == 2 and r.stderr.startswith(f"{name}: error: "), r.stderr
  assert not (tmp_path / "cache").exists()
