"""Signals and stopping (SIGINT, SIGTERM, SIGHUP): a run stops within a chunk, is saved complete
and marked interrupted, exits 130; before training nothing is written; a second signal quits."""
import dataclasses
import json
import signal

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import spawn
from ae import plot_files, runs, train
from ae.autoencoder import AEConfig
from ae.config import TrainConfig
from ae.data import DataConfig
from conftest import ROOT
from experiments import latent2d

X = np.eye(4, dtype=np.float32)


def _task(metrics=None):
  return train.Task(init=lambda key: {"w": jax.random.normal(key, (4,))},
                    loss=lambda p, batch, key: jnp.mean((batch["x"] @ p["w"] - 1) ** 2),
                    metrics=metrics)


def _start(tmp_path, *args):
  """A latent2d process writing run `r` under tmp_path, and its Watch."""
  import spawn  # pylint: disable=g-import-not-at-top
  return spawn.Watch(spawn.start("latent2d", f"--out_dir={tmp_path}", "--run_name=r",
                                 "--cache_dir=none", *args))


TINY = latent2d.Config(data=DataConfig(n_chars=6), model=AEConfig(arch=(35, 16, 2, 16, 35)),
                       train=TrainConfig(iterations=300, log_every=100, eta=0.02, seeds=2,
                                         seed=3), grid=4)


def _cli(*args, cwd=ROOT, **kw):
  return spawn.start("latent2d", *args, cwd=cwd, **kw)


def test_stopping_and_progress_do_not_wait_for_the_log_interval():
  """--log_every as long as the run: Ctrl-C was only read at the end, and the bar showed
  'compiling…' until then. Now both happen every schedule.MAX_BLOCK steps at most."""
  asked, steps = [], []
  fit = train.fit_seeds(_task(), {"x": X}, TrainConfig(seeds=2, iterations=1000,
                                                       log_every=1000),
                        progress=lambda done, total, step, rows, **kw: steps.append(step),
                        should_stop=lambda: asked.append(1) or len(asked) >= 3)
  assert fit.interrupted and 0 < fit.steps[-1] < 1000 and fit.steps[0] == 0
  assert fit.history["loss"].shape == (2, len(fit.steps))
  assert any(0 < s < 1000 for s in steps)
  whole = train.fit_seeds(_task(), {"x": X}, TrainConfig(seeds=2, iterations=1000,
                                                         log_every=1000))
  assert whole.steps == [0, 1000]  # the history keeps the log points only


@pytest.mark.slow   # a whole run: about 5 s: the default suite keeps under 2 minutes
def test_a_signal_after_training_skips_the_figures_and_marks_the_run(tmp_path):
  """A signal during the figures stops there: the run saved, marked interrupted, figures
  left to --load."""
  from experiments import latent2d  # pylint: disable=g-import-not-at-top
  flag = []
  cfg = latent2d.Config(data=DataConfig(n_chars=4), model=AEConfig(arch=(35, 8, 2, 8, 35)),
                        train=TrainConfig(iterations=40, log_every=20), grid=3)
  m = latent2d.run(cfg, tmp_path / "r", should_stop=lambda: bool(flag),
                   progress=lambda done, total, *a, **k: done == total and flag.append(1))
  assert flag and m["summary"]["interrupted"] is True
  assert not list((tmp_path / "r" / "figures").iterdir())
  assert list(m["per_seed"][0]["pixel_errors"])  # trained to the end: metrics are whole


def test_a_stop_after_the_first_entry_alone_keeps_nothing():
  """The first chunk is step 0 alone (the starting loss): stopped there, nothing is trained,
  so nothing is kept (the stop handler has said nothing will be saved)."""
  asked = []
  fit = train.fit_seeds(_task(), {"x": X}, TrainConfig(seeds=2, iterations=100, log_every=10),
                        should_stop=lambda: asked.append(1) or len(asked) >= 2)
  assert len(asked) == 2 and fit.interrupted and fit.steps == [] and fit.history == {}


def test_a_signal_before_training_writes_nothing(tmp_path):
  from experiments import latent2d, runner  # pylint: disable=g-import-not-at-top
  cfg = latent2d.Config(data=DataConfig(n_chars=4), model=AEConfig(arch=(35, 8, 2, 8, 35)),
                        train=TrainConfig(iterations=40, log_every=20), grid=3)
  with pytest.raises(runner.Stopped):
    latent2d.run(cfg, tmp_path / "out" / "r", should_stop=lambda: True)
  assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_signals_at_any_moment(tmp_path):
  """Within the first seconds (imports, compiling): exit 130, nothing written. SIGTERM then
  SIGINT 50 ms apart during training: exit 130, no run and no hidden temporary directory."""
  import signal, time  # pylint: disable=g-import-not-at-top,multiple-imports
  early = _start(tmp_path / "early", "--seeds=4", "--iterations=2000000")
  # the header is printed before compiling (seconds without a cache): the signal lands there
  assert early.wait_for("latent2d: ", timeout=60), early.said()
  assert "steps/s" not in early.said()
  early.proc.send_signal(signal.SIGINT)
  _, err = early.finish()
  assert early.proc.returncode == 130, err
  assert "Traceback" not in err and not (tmp_path / "early" / "latent2d" / "r").exists()
  # said plainly, once, from the start: nothing will be saved (issue 42)
  assert err.count("latent2d: SIGINT: stopping before training; nothing is trained yet, so "
                   "nothing will be saved") == 1, err
  assert "saving what is done" not in err and err.rstrip().endswith("stopped; nothing saved")
  assert not list((tmp_path / "early").glob("latent2d/.r.*"))
  p = _start(tmp_path / "twice", "--seeds=4", "--iterations=2000000")
  p.training()
  p.proc.send_signal(signal.SIGTERM)
  time.sleep(0.05)   # the second signal 50 ms after the first: quit at once
  p.proc.send_signal(signal.SIGINT)
  _, err = p.finish()
  assert p.proc.returncode == 130, err
  assert "Traceback" not in err
  left = list((tmp_path / "twice").rglob("*"))
  assert not [p for p in left if p.name.startswith(".r.")], left  # never a .r.* left


@pytest.mark.slow
def test_an_interrupted_sweep_keeps_its_finished_studies_and_names_the_rest(tmp_path,
                                                                           monkeypatch):
  from experiments import sweep, sweep_report  # pylint: disable=g-import-not-at-top
  drawn, draw = [], sweep_report.study_figures
  monkeypatch.setattr(sweep_report, "study_figures",
                      lambda *a, **k: drawn.append(a[1]) or draw(*a, **k))
  m = sweep.run(sweep.Config(study="all", seeds=1), tmp_path / "r",
                should_stop=lambda: bool(drawn))  # a signal during the first figures
  s = m["summary"]
  assert s["interrupted"] is True and list(m["studies"]) == ["eta"]
  assert s["studies_not_run"] == [st for st in sweep.STUDIES if st != "eta"]
  assert (tmp_path / "r" / "params_eta.npz").is_file()
  again = sweep.redraw(tmp_path / "r", tmp_path / "re")  # an interrupted sweep reloads
  assert list(again["studies"]) == ["eta"]
  assert {p.name for p in (tmp_path / "re" / "figures").iterdir()} >= {"eta_strip.png",
                                                                       "eta_panels.png"}


@pytest.mark.slow
def test_an_interrupted_run_is_complete_marked_and_reloadable(tmp_path, capsys):
  asked = []
  cfg = dataclasses.replace(TINY, train=dataclasses.replace(TINY.train, iterations=2000,
                                                            log_every=10))
  m = latent2d.run(cfg, tmp_path / "r", should_stop=lambda: asked.append(1) or len(asked) > 3)
  assert m["summary"]["interrupted"] is True
  saved = json.loads((tmp_path / "r" / "metrics.json").read_text())
  assert saved["summary"]["interrupted"] is True
  steps, _ = runs.load_history(tmp_path / "r" / "history.npz")
  assert 0 < steps[-1] < 2000
  # the step it reached, in metrics.json and in the summary (issue 42)
  assert (saved["summary"]["step_reached"], saved["summary"]["steps_planned"]) == (steps[-1], 2000)
  assert (f"interrupted at step {steps[-1]} of 2000: the run holds the steps done before the "
          f"signal; figures skipped (--load={tmp_path / 'r'} draws them)") in capsys.readouterr().out
  again = latent2d.redraw(tmp_path / "r", tmp_path / "again")
  assert [p["pixel_errors"] for p in again["per_seed"]] == \
         [p["pixel_errors"] for p in m["per_seed"]]
  assert (tmp_path / "again" / "figures" / "curves.png").is_file()


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_a_signal_stops_the_run_saves_it_and_exits_130(tmp_path, sig):
  p = _cli(f"--out_dir={tmp_path}", "--run_name=r", "--seeds=4", "--iterations=1000000")
  watch = spawn.Watch(p)
  watch.training()   # the progress bar's first trained chunk: training has begun
  p.send_signal(sig)
  out, err = watch.finish()
  assert p.returncode == 130, err
  assert "Traceback" not in err
  assert len([l for l in err.splitlines() if "stopping after this chunk" in l]) == 1
  run = tmp_path / "latent2d" / "r"
  assert json.loads((run / "metrics.json").read_text())["summary"]["interrupted"] is True
  assert out.strip().splitlines()[-1] == f"run dir: {run}"
  assert latent2d.redraw(run, tmp_path / "re")["summary"]["seeds"] == 4


# A run that sends SIGINT to the whole process group, as a terminal's Ctrl-C does, `times`
# times 50 ms apart, from the process building the figures (a program's drawing process,
# experiments/drawing.py): at its first figure write (the scope's end, its copy forked), or as
# its second figure is saved (the copy writing the first meanwhile).
_CTRL_C_IN_THE_FIGURES = """
import os, signal, sys, time, runpy
from ae import plot_files
builder, times, at = [], [int(sys.argv[1])], sys.argv[2]
def ctrl_c():
  while [os.getpid()] == builder and times[0]:
    times[0] -= 1
    os.killpg(0, signal.SIGINT)
    time.sleep(0.05)
real_write, real_add = plot_files.write, plot_files._Figures.add
def write(fig, path):
  if at == "write":
    ctrl_c()
  real_write(fig, path)
def add(self, fig, path):
  builder[:] = builder or [os.getpid()]
  if at == "save" and len(self.saved) == 1:
    ctrl_c()
  real_add(self, fig, path)
plot_files.write, plot_files._Figures.add = write, add
sys.argv = ["latent2d"] + sys.argv[3:]
runpy.run_module("experiments.latent2d", run_name="__main__")
"""


@pytest.mark.slow   # four whole runs in processes of their own: about 10 s
@pytest.mark.skipif(not plot_files.forks(),
                    reason="figures are written by one process here")
@pytest.mark.parametrize("at", ["write", "save"])
@pytest.mark.parametrize("times", [1, 2])
def test_ctrl_c_while_two_processes_write_the_figures(tmp_path, times, at):
  """Once: the run goes on and every figure is written (as before the figures were written
  by two processes). Twice: exit 130, nothing left (no run, no hidden directory) and no
  process of the run's group still alive."""
  import os, subprocess, sys  # pylint: disable=g-import-not-at-top,multiple-imports
  p = subprocess.Popen([sys.executable, "-c", _CTRL_C_IN_THE_FIGURES, str(times), at,
                        f"--out_dir={tmp_path}", "--run_name=r", "--seeds=2",
                        "--iterations=200", "--n_chars=8", "--arch=35,8,2,8,35"],
                       cwd=ROOT, env=spawn.ENV, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, start_new_session=True)
  out, err = p.communicate(timeout=120)
  run = tmp_path / "latent2d" / "r"
  if times == 1:
    assert p.returncode == 0, err
    figures = sorted(f.name for f in (run / "figures").iterdir())
    assert len(figures) >= 5 and "curves.png" in figures, figures
    assert json.loads((run / "metrics.json").read_text())["summary"]["interrupted"] is False
  else:
    assert p.returncode == 130, err
    assert "Traceback" not in err, err
    assert not list(tmp_path.rglob("*r*")), list(tmp_path.rglob("*"))
  with pytest.raises(ProcessLookupError):   # the copy was reaped: the group is empty
    os.killpg(p.pid, 0)
