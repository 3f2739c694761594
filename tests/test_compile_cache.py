"""A repeated run compiles from JAX's persistent cache (issue 41): every program the first run
compiled is kept, however quick, so the second identical run compiles nothing (JAX's
monitoring events, counted in the run's own process); rejected input makes no cache; the
garbage collector is kept off JAX's objects and at exit off all."""
import json
import subprocess
import sys

import pytest

from conftest import ROOT

DRIVER = """
import atexit, collections, gc, json, runpy, sys
atexit.register(lambda: print(f"FROZEN {gc.get_freeze_count()} {len(gc.get_objects())}",
                              file=sys.stderr))  # registered first: runs last
import jax.monitoring
seen = collections.Counter()
jax.monitoring.register_event_listener(lambda name, **kw: seen.update([name]))
atexit.register(lambda: print("EVENTS " + json.dumps(seen), file=sys.stderr))
sys.argv = ["latent2d", *sys.argv[1:]]
runpy.run_module("experiments.latent2d", run_name="__main__")
"""


@pytest.mark.slow   # two whole runs: about 12 s
def test_a_second_identical_run_finds_every_program_in_the_cache(tmp_path):
  counts = []
  for name in ("first", "second"):
    r = subprocess.run([sys.executable, "-c", DRIVER, "--n_chars=8", "--seeds=2",
                        "--iterations=100", f"--out_dir={tmp_path}", f"--run_name={name}",
                        f"--cache_dir={tmp_path / 'cache'}"], cwd=ROOT, capture_output=True,
                       text=True, timeout=180)
    assert r.returncode == 0, r.stderr[-2000:]
    counts.append(json.loads(r.stderr.rsplit("EVENTS ", 1)[1].splitlines()[0]))
    # the collector was kept off JAX's objects (experiments/startup.freeze_imports): at exit
    # they, and all the run made, are frozen, so the last full collection walks none of them
    frozen, left = map(int, r.stderr.rsplit("FROZEN ", 1)[1].split())
    assert frozen > 100_000 and left < frozen / 20, (frozen, left)
  first, second = counts
  requests = first["/jax/compilation_cache/compile_requests_use_cache"]
  # every program reaches the cache: the cache is on before the first one (it once came on at
  # training's compile, after a dozen small programs), and none is too quick to keep
  assert first["/jax/compilation_cache/cache_misses"] == requests, first
  assert second.get("/jax/compilation_cache/cache_misses", 0) == 0, second
  assert second["/jax/compilation_cache/cache_hits"] == requests, (first, second)
  assert second["/jax/compilation_cache/compile_requests_use_cache"] == requests, second


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
