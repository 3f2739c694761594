"""experiments/drawing.py: a program's figures drawn by a process forked before training, the
same files as a run drawing its own; a failure or a stop there leaves no file and no process."""
import json
import os
import pathlib
import subprocess
import sys
import time

import jax.numpy as jnp
import numpy as np
import pytest

import spawn
from ae import plot_files, runs
from ae.plotting import plt
from conftest import ROOT
from experiments import drawing

pytestmark = pytest.mark.skipif(not plot_files.forks(), reason="figures are drawn here")


def _aside(monkeypatch):
  monkeypatch.setitem(drawing._ASIDE, "on", True)  # pylint: disable=protected-access


def _figure(path, k=0):
  fig, ax = plt.subplots(figsize=(2, 2))
  ax.plot(np.arange(5), np.arange(5) ** k)
  return plot_files.save(fig, path)


def _gone(pid):
  with pytest.raises(ChildProcessError):   # reaped: no child of this process is left
    os.waitpid(pid, os.WNOHANG)


def test_the_figures_are_drawn_by_another_process_from_numpy(tmp_path, monkeypatch):
  _aside(monkeypatch)

  def figures(run_dir, fit, metrics, extra):
    _figure(run_dir / "a.png", 1)
    _figure(run_dir / "b.png", 2)
    metrics["drawn_by"] = os.getpid()
    metrics["given"] = [type(fit["w"]).__name__, type(extra).__name__]

  with drawing.drawer(figures) as d:
    assert d.pid is not None
    d.draw(tmp_path, {"w": jnp.ones(3)}, {"summary": {}}, jnp.zeros(2))
    metrics = d.result()
  assert metrics["drawn_by"] not in (os.getpid(), None)
  assert metrics["given"] == ["ndarray", "ndarray"]   # no JAX array reaches it
  assert sorted(p.name for p in tmp_path.iterdir()) == ["a.png", "b.png"]
  expected = tmp_path / "here.png"
  _figure(expected, 2)
  assert (tmp_path / "b.png").read_bytes() == expected.read_bytes()


def test_a_failure_in_the_drawing_process_fails_the_run(tmp_path, monkeypatch, capfd):
  _aside(monkeypatch)

  def figures(run_dir, fit, metrics, extra):
    _figure(run_dir / "a.png")
    raise ValueError("no such panel")

  with pytest.raises(RuntimeError, match="the process drawing the figures failed"):
    with drawing.drawer(figures) as d:
      pid = d.pid
      d.draw(tmp_path, {}, {}, None)
      d.result()
  _gone(pid)
  assert "ValueError: no such panel" in capfd.readouterr().err
  assert not list(tmp_path.iterdir())


def test_a_run_that_fails_stops_the_drawing_and_keeps_no_figure(tmp_path, monkeypatch):
  """An exception here while the figures are drawn: the drawing process is stopped and
  reaped, with its copy, and no file of theirs is left."""
  _aside(monkeypatch)

  def figures(run_dir, fit, metrics, extra):
    for k in range(3):
      _figure(run_dir / f"{k}.png", k)
    (run_dir / "go").touch()   # the scope's files are being written, or will be
    time.sleep(60)

  start = time.monotonic()
  with pytest.raises(KeyError):
    with drawing.drawer(figures) as d:
      pid = d.pid
      d.draw(tmp_path, {}, {}, None)
      while not (tmp_path / "go").exists():
        assert time.monotonic() - start < 60, "the drawing never started"
        time.sleep(0.01)
      raise KeyError("the run failed")
  assert time.monotonic() - start < 30   # stopped, not waited for
  _gone(pid)
  assert [p.name for p in tmp_path.iterdir()] == ["go"]


def test_a_run_without_figures_stops_the_drawing_process(monkeypatch):
  _aside(monkeypatch)
  with drawing.drawer(lambda *a: None) as d:
    pid = d.pid
  _gone(pid)


def test_figures_drawn_in_this_process_may_not_call_jax(tmp_path):
  """In-process (tests, notebooks) the figures are checked as the drawing process needs
  them: a call to JAX (which would hang there) raises."""
  def figures(run_dir, fit, metrics, extra):
    return jnp.tanh(fit["w"])
  with drawing.drawer(figures) as d:
    assert d.pid is None   # only programs draw aside
    d.draw(tmp_path, {"w": jnp.ones(3)}, {}, None)
    with pytest.raises(Exception, match="host-to-device transfer"):
      d.result()


# Each experiment as a program, small: its figures and metrics against the same config run
# in this process (which draws its own), and matplotlib never imported by the program.
_MAIN = """
import atexit, runpy, sys
atexit.register(lambda: print("matplotlib here:", "matplotlib" in sys.modules, file=sys.stderr))
sys.argv = sys.argv[1:]
runpy.run_module("experiments." + sys.argv[0], run_name="__main__")
"""
SMALL = {"latent2d": ["--seeds=2", "--iterations=200", "--n_chars=8", "--arch=35,8,2,8,35"],
         "circles": ["--seeds=2", "--iterations=200", "--circles=20"],
         "denoise": ["--seeds=2", "--iterations=200", "--n_chars=8", "--eval_copies=5"],
         "vae": ["--seeds=2", "--iterations=200", "--n_chars=8", "--compare_ae"]}


def _files(run):
  return {p.relative_to(run).as_posix(): p.read_bytes() for p in run.rglob("figures/*")}


@pytest.mark.slow   # four small runs as programs, and again in this process: about 40 s
@pytest.mark.parametrize("name", sorted(SMALL))
def test_a_program_draws_aside_the_figures_a_run_draws_itself(tmp_path, name):
  import importlib  # pylint: disable=g-import-not-at-top
  p = subprocess.run([sys.executable, "-c", _MAIN, name, f"--out_dir={tmp_path}",
                      "--run_name=r", "--cache_dir=none", *SMALL[name]], cwd=ROOT,
                     env=spawn.ENV, capture_output=True, text=True, timeout=300)
  assert p.returncode == 0, p.stderr
  assert "matplotlib here: False" in p.stderr
  run = tmp_path / name / "r"
  mod = importlib.import_module(f"experiments.{name}")
  config = runs.read_run(run, name, mod.Config())[0]
  mine = mod.run(config, tmp_path / "here")
  drawn = _files(run)
  assert len(drawn) >= 4 and drawn == _files(tmp_path / "here")
  theirs = json.loads((run / "metrics.json").read_text())
  assert theirs.get("new_letters") == json.loads(json.dumps(mine.get("new_letters")))
  assert theirs["per_seed"] == json.loads(json.dumps(mine["per_seed"]))
  assert pathlib.Path(run / "explorer.html").exists() == ("explorer" in mine and bool(
      mine["explorer"]["file"]))
