"""Asking for help or mistyping a flag answers before JAX starts (issue 41): every program's
`--help`, an unknown flag and a value its choices refuse, each in a fresh interpreter that
reports, as it exits, which of the heavy libraries it imported (none may be), and whether
Python's garbage collector was on (a program holds it through its imports)."""
import subprocess
import sys

import pytest

from conftest import ROOT

HEAVY = ("jax", "jaxlib", "optax", "optimistix", "jaxopt", "equinox", "matplotlib", "scipy")
DRIVER = f"""
import atexit, gc, runpy, sys
atexit.register(lambda: print("HEAVY", *sorted(m for m in {HEAVY!r} if m in sys.modules),
                              "GC", gc.isenabled(), gc.get_freeze_count(), file=sys.stderr))
sys.argv = sys.argv[1:]
runpy.run_module(sys.argv[0], run_name="__main__")
"""
# latent2d in the default suite, the others in the slow one (a second each: the default suite
# keeps under 2 minutes)
EXPERIMENTS = ("latent2d", *(pytest.param(n, marks=pytest.mark.slow)
                             for n in ("circles", "denoise", "vae", "sweep")))


def _run(module, *args):
  """(exit status, stdout, stderr without the driver's line, the heavy modules imported,
  (whether the collector was on at the exit, objects frozen))."""
  r = subprocess.run([sys.executable, "-c", DRIVER, module, *args], cwd=ROOT,
                     capture_output=True, text=True, timeout=60)
  err, _, heavy = r.stderr.rpartition("HEAVY")
  heavy, _, collector = heavy.partition("GC")
  on, frozen = collector.split()
  return r.returncode, r.stdout, err, heavy.split(), (on == "True", int(frozen))


@pytest.mark.parametrize("name", EXPERIMENTS)
def test_help_answers_without_starting_jax(name):
  status, out, err, heavy, collector = _run(f"experiments.{name}", "--help")
  assert status == 0 and err == "", err
  assert out.startswith(f"{name}: ") and "--out_dir" in out   # the grouped help, in full
  assert heavy == []
  assert collector == (False, 0)   # held from the program's first line, never needed


@pytest.mark.parametrize("name", EXPERIMENTS)
def test_a_mistyped_flag_is_one_line_without_starting_jax(name):
  status, out, err, heavy, _ = _run(f"experiments.{name}", "--out_dirr=runs")
  assert (status, out) == (2, "")
  assert err == f"{name}: error: Unknown command line flag 'out_dirr'. Did you mean: out_dir ?\n"
  assert heavy == []


def test_a_value_outside_the_choices_is_one_line_without_starting_jax():
  status, _, err, heavy, _ = _run("experiments.latent2d", "--optimizer=adamw")
  assert status == 2 and err.startswith("latent2d: error: flag --optimizer=adamw: value "
                                        "should be one of <sgd|momentum|nesterov|adam|none>")
  assert err.count("\n") == 1 and heavy == []


def test_the_lab_command_and_its_listing_start_without_jax():
  for module, args in (("experiments.ae_lab", ("--help",)), ("experiments.runs", ("--help",))):
    status, _, err, heavy, _ = _run(module, *args)
    assert status == 0 and heavy == [], (module, err)


def test_a_run_does_start_jax():
  """The driver sees JAX when it is imported (the tests above could not fail otherwise)."""
  status, _, err, heavy, collector = _run("experiments.latent2d", "--iterations=0",
                                           "--cache_dir=none",
                                           "--out_dir=/nonexistent-ae-lab-test")
  assert status == 2 and "--iterations must be at least 1" in err
  assert "jax" in heavy
  on, frozen = collector   # JAX's objects frozen, then the collector on for the run
  assert on and frozen > 50_000, collector
