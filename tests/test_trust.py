"""Runs you can trust: self-contained, reloadable, atomic, interruptible, and hostile input gets
one line. Every hostile input is made here, on the fly."""
import dataclasses
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from ae import InputError, plotting, runs
from ae.autoencoder import AEConfig
from ae.config import TrainConfig
from ae.data import DataConfig
from conftest import ROOT
from experiments import common, latent2d

TINY = latent2d.Config(data=DataConfig(n_chars=6), model=AEConfig(arch=(35, 16, 2, 16, 35)),
                       train=TrainConfig(iterations=300, log_every=100, eta=0.02, seeds=2,
                                         seed=3), grid=4)


def _glyph_file(path, n=6):
  rng = np.random.default_rng(0)
  np.save(path, (rng.random((n, 7, 5)) > .5).astype(np.uint8))
  return path


@pytest.fixture(scope="module")
def file_run(tmp_path_factory):
  """A run trained on a relative .npy path, from a working directory of its own."""
  base = tmp_path_factory.mktemp("selfcontained")
  (base / "work").mkdir()
  _glyph_file(base / "work" / "g.npy")
  here = os.getcwd()
  os.chdir(base / "work")
  try:
    cfg = dataclasses.replace(TINY, data=DataConfig(dataset="g.npy"))
    metrics = latent2d.run(cfg, base / "runs" / "r")
  finally:
    os.chdir(here)
  return base, metrics


def test_a_run_reloads_after_its_data_file_changes_or_goes(file_run, tmp_path, monkeypatch):
  base, metrics = file_run
  monkeypatch.chdir(tmp_path)  # another working directory: the relative path means nothing
  _glyph_file(base / "work" / "g.npy", n=9)  # edited after training
  again = latent2d.rerun(base / "runs" / "r", tmp_path / "a")
  assert [p["pixel_errors"] for p in again["per_seed"]] == \
         [p["pixel_errors"] for p in metrics["per_seed"]]
  (base / "work" / "g.npy").unlink()  # deleted
  again = latent2d.rerun(base / "runs" / "r", tmp_path / "b")
  assert again["summary"]["seeds_le1"] == metrics["summary"]["seeds_le1"]


def _copy_run(src, dst):
  import shutil  # pylint: disable=g-import-not-at-top
  shutil.copytree(src, dst)
  return dst


@pytest.mark.parametrize("damage,match", [
    (lambda d: (d / "config.json").write_text((d / "config.json").read_text()[:50]),
     "config.json: not valid JSON"),
    (lambda d: (d / "config.json").write_text("{]"), "config.json: not valid JSON"),
    (lambda d: _edit_json(d / "config.json", lambda c: c["config"].update(colour=1)),
     "unknown key 'colour'"),
    (lambda d: _edit_json(d / "config.json", lambda c: c["config"]["train"].update(seeds=3)),
     "params.npz: does not hold 3 seeds"),
    (lambda d: _edit_json(d / "config.json", lambda c: c["config"]["train"].update(eta="x")),
     "eta = 'x' is not a valid float"),
    (lambda d: (d / "params.npz").write_bytes(b"PK\x03\x04 broken"), "params.npz: damaged"),
    (lambda d: (d / "metrics.json").write_text(""), "metrics.json: not valid JSON"),
    (lambda d: _edit_json(d / "metrics.json", lambda m: m["per_seed"].pop()),
     "metrics.json: per_seed does not list 2 seeds"),
    (lambda d: (d / "data.npz").write_bytes(b"nope"), "data.npz: damaged"),
    (lambda d: _edit_npz(d / "data.npz"), "does not match the hash"),
])
def test_a_damaged_run_is_named_in_one_line(file_run, tmp_path, damage, match):
  base, _ = file_run
  d = _copy_run(base / "runs" / "r", tmp_path / "copy")
  damage(d)
  with pytest.raises(InputError, match=match):
    latent2d.rerun(d, tmp_path / "out")
  assert not (tmp_path / "out").exists()


def _edit_json(path, fn):
  d = json.loads(path.read_text())
  fn(d)
  path.write_text(json.dumps(d))


def _edit_npz(path):
  with np.load(path) as f:
    arrays = {k: f[k] for k in f.files}
  arrays["a_x"] = 1 - arrays["a_x"]
  np.savez(path, **arrays)


def test_a_failing_figure_leaves_nothing(tmp_path, monkeypatch):
  def boom(*a, **k):
    raise RuntimeError("figure failed")
  monkeypatch.setattr(plotting, "manifold", boom)
  with pytest.raises(RuntimeError):
    latent2d.run(TINY, tmp_path / "runs" / "r")
  assert not (tmp_path / "runs").exists()  # no half-written run, no temp dir, no empty parent


def test_an_interrupted_run_is_complete_marked_and_reloadable(tmp_path):
  asked = []
  cfg = dataclasses.replace(TINY, train=dataclasses.replace(TINY.train, iterations=2000,
                                                            log_every=10))
  m = latent2d.run(cfg, tmp_path / "r", should_stop=lambda: asked.append(1) or len(asked) > 3)
  assert m["summary"]["interrupted"] is True
  saved = json.loads((tmp_path / "r" / "metrics.json").read_text())
  assert saved["summary"]["interrupted"] is True
  steps, _ = runs.load_history(tmp_path / "r" / "history.npz")
  assert 0 < steps[-1] < 2000
  again = latent2d.rerun(tmp_path / "r", tmp_path / "again")
  assert [p["pixel_errors"] for p in again["per_seed"]] == \
         [p["pixel_errors"] for p in m["per_seed"]]
  assert (tmp_path / "again" / "figures" / "curves.png").is_file()


def _t(**kw):
  return dataclasses.replace(TINY, train=dataclasses.replace(TINY.train, **kw))


def _m(**kw):
  return dataclasses.replace(TINY, model=dataclasses.replace(TINY.model, **kw))


def _d(**kw):
  return dataclasses.replace(TINY, data=dataclasses.replace(TINY.data, **kw))


@pytest.mark.parametrize("config,match", [
    (_t(eta=float("inf")), "eta"), (_t(adaptive_eta=True, adaptive_a=float("inf")),
                                      "adaptive_a must be a finite"),
    (_m(init="normal", init_mean=float("nan")), "init_mean must be a finite"),
    (_m(init="normal", init_std=float("inf")), "init_std must be a finite"),
    (_t(solver_tol=float("nan")), "solver_tol must be a finite"),
    (_d(n_chars=0), "n_chars must be in 1..32"),
    (_d(chars="", n_chars=None), "chars is empty"),
    (_d(dataset="x.h", glyph_width=65), "glyph_width must be in 1..64"),
    (_t(seed=2**31 - 1), "seed"),
    (_t(seeds=100_000, solver="bfgs", minimize_every=5), "GiB"),
    (_m(arch=(35, 9000, 9000, 2, 9000, 9000, 35)), "over 50 million parameters"),
    (_t(minimize_every=5), "minimize_every needs a solver"),
    (_t(solver="lbfgs"), "never runs"),
])
def test_absurd_values_are_rejected_before_any_work(tmp_path, config, match):
  with pytest.raises(InputError, match=match):
    latent2d.run(config, tmp_path / "r")
  assert not (tmp_path / "r").exists()


def test_run_names_and_out_dirs(tmp_path, monkeypatch):
  with pytest.raises(InputError, match="at most 100 characters"):
    common.make_run_dir(tmp_path, "latent2d", "x" * 300)
  with pytest.raises(InputError, match="printable"):
    common.make_run_dir(tmp_path, "latent2d", "a\nb")
  (tmp_path / "f").write_text("")
  with pytest.raises(InputError, match="is a file"):
    common.make_run_dir(tmp_path / "f", "latent2d")
  monkeypatch.setattr(os, "access", lambda *a: False)
  with pytest.raises(InputError, match="not writable"):
    common.make_run_dir(tmp_path / "new", "latent2d")


def test_divergence_is_a_loss_ending_above_its_start(tmp_path):
  m = latent2d.run(_t(eta=1e6), tmp_path / "r")
  assert m["summary"]["diverged_seeds"] == [3, 4]
  assert m["summary"]["seeds_le1"] == 0 and m["summary"]["median_seed"] is None
  assert all(p["diverged"] for p in m["per_seed"])


def _cli(*args, cwd=ROOT, **kw):
  env = dict(os.environ, PYTHONPATH=ROOT)
  return subprocess.Popen([sys.executable, "-m", "experiments.latent2d", *args], cwd=cwd,
                          env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          **kw)


@pytest.mark.slow
def test_two_runs_started_in_the_same_second_both_succeed(tmp_path):
  procs = [_cli(f"--out_dir={tmp_path}", "--iterations=20", "--n_chars=4",
                "--arch=35,8,2,8,35") for _ in range(2)]
  outs = [p.communicate(timeout=120) for p in procs]
  assert [p.returncode for p in procs] == [0, 0], [o[1] for o in outs]
  dirs = sorted((tmp_path / "latent2d").iterdir())
  assert len(dirs) == 2 and all((d / "metrics.json").is_file() for d in dirs)


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_a_signal_stops_the_run_saves_it_and_exits_130(tmp_path, sig):
  p = _cli(f"--out_dir={tmp_path}", "--run_name=r", "--seeds=4", "--iterations=1000000")
  deadline = time.time() + 120
  while time.time() < deadline:  # wait for training to start (after compiling)
    if p.poll() is not None:
      break
    time.sleep(0.5)
    if list(tmp_path.glob("latent2d/.r.*")):  # the run is being built aside
      time.sleep(4)
      break
  p.send_signal(sig)
  out, err = p.communicate(timeout=60)
  assert p.returncode == 130, err
  assert "Traceback" not in err
  assert len([l for l in err.splitlines() if "stopping after this chunk" in l]) == 1
  run = tmp_path / "latent2d" / "r"
  assert json.loads((run / "metrics.json").read_text())["summary"]["interrupted"] is True
  assert out.strip().splitlines()[-1] == f"run dir: {run}"
  assert latent2d.rerun(run, tmp_path / "re")["summary"]["seeds"] == 4
