"""The run directory: self-contained (it reloads when its data file changes or goes), atomic (a
failure leaves nothing), shared-readable, and a damaged file is named in one line."""
import dataclasses
import json
import os
import stat

import numpy as np
import pytest

import spawn
from ae import InputError, plotting, runs
from ae.autoencoder import AEConfig
from ae.config import TrainConfig
from ae.data import DataConfig
from conftest import ROOT
from experiments import latent2d

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


def _copy_run(src, dst):
  import shutil  # pylint: disable=g-import-not-at-top
  shutil.copytree(src, dst)
  return dst


def _edit_json(path, fn):
  d = json.loads(path.read_text())
  fn(d)
  path.write_text(json.dumps(d))


def _edit_npz(path):
  with np.load(path) as f:
    arrays = {k: f[k] for k in f.files}
  arrays["a_x"] = 1 - arrays["a_x"]
  np.savez(path, **arrays)


def _cli(*args, cwd=ROOT, **kw):
  return spawn.start("latent2d", *args, cwd=cwd, **kw)


def test_a_run_reloads_after_its_data_file_changes_or_goes(file_run, tmp_path, monkeypatch):
  base, metrics = file_run
  monkeypatch.chdir(tmp_path)  # another working directory: the relative path means nothing
  _glyph_file(base / "work" / "g.npy", n=9)  # edited after training
  again = latent2d.redraw(base / "runs" / "r", tmp_path / "a")
  assert [p["pixel_errors"] for p in again["per_seed"]] == \
         [p["pixel_errors"] for p in metrics["per_seed"]]
  (base / "work" / "g.npy").unlink()  # deleted
  again = latent2d.redraw(base / "runs" / "r", tmp_path / "b")
  assert again["summary"]["seeds_le1"] == metrics["summary"]["seeds_le1"]


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
    latent2d.redraw(d, tmp_path / "out")
  assert not (tmp_path / "out").exists()


def test_a_failing_figure_leaves_nothing(tmp_path, monkeypatch):
  def boom(*a, **k):
    raise RuntimeError("figure failed")
  monkeypatch.setattr(plotting, "manifold", boom)
  with pytest.raises(RuntimeError):
    latent2d.run(TINY, tmp_path / "runs" / "r")
  assert not (tmp_path / "runs").exists()  # no half-written run, no temp dir, no empty parent


@pytest.mark.slow
def test_two_runs_started_in_the_same_second_both_succeed(tmp_path):
  procs = [_cli(f"--out_dir={tmp_path}", "--iterations=20", "--n_chars=4",
                "--arch=35,8,2,8,35") for _ in range(2)]
  outs = [p.communicate(timeout=120) for p in procs]
  assert [p.returncode for p in procs] == [0, 0], [o[1] for o in outs]
  dirs = sorted((tmp_path / "latent2d").iterdir())
  assert len(dirs) == 2 and all((d / "metrics.json").is_file() for d in dirs)


@pytest.mark.slow
def test_a_full_disk_is_one_line_and_leaves_nothing(tmp_path, monkeypatch):
  import errno  # pylint: disable=g-import-not-at-top
  from experiments import latent2d  # pylint: disable=g-import-not-at-top
  def full(*a, **k):
    raise OSError(errno.ENOSPC, "No space left on device", "params.npz")
  monkeypatch.setattr(runs, "save_params", full)
  cfg = latent2d.Config(data=DataConfig(n_chars=4), model=AEConfig(arch=(35, 8, 2, 8, 35)),
                        train=TrainConfig(iterations=20, log_every=10), grid=3)
  with pytest.raises(InputError, match="cannot write the run in .*No space left on device"):
    latent2d.run(cfg, tmp_path / "out" / "latent2d" / "r")
  assert not (tmp_path / "out").exists()  # no temporary directory, no empty parents


def test_a_run_directory_follows_the_umask(tmp_path):
  old = os.umask(0o022)
  try:
    with runs.Building(tmp_path / "r") as b:
      runs.save_json(b.tmp / "metrics.json", {})
  finally:
    os.umask(old)
  assert stat.S_IMODE((tmp_path / "r").stat().st_mode) == 0o755  # not mkdtemp's 0700


@pytest.mark.parametrize("moment", ["made", "figures"])
def test_a_signal_while_the_run_directory_is_being_made_leaves_nothing(tmp_path, monkeypatch,
                                                                       moment):
  """The CI failures: a first Ctrl-C the moment the hidden directory appeared (made: before
  the code held its name, which left an empty `.new.XXXX`), or after (figures: it left
  `.new.XXXX/figures`), still inside Building.__enter__, where no __exit__ follows."""
  real = os.mkdir

  def mkdir(path, *a, **k):
    real(path, *a, **k)
    name = os.path.basename(path)
    if name.startswith(".new.") and moment == "made" or name == "figures":
      raise KeyboardInterrupt   # the signal lands just after this directory is made
  monkeypatch.setattr(os, "mkdir", mkdir)
  with pytest.raises(KeyboardInterrupt):
    with runs.Building(tmp_path / "a" / "b" / "new"):
      pass
  assert not list(tmp_path.iterdir())   # neither the hidden directory nor the parents made


def test_flags_txt_says_every_flag_that_differs_and_nothing_else():
  from ae import flagfile  # pylint: disable=g-import-not-at-top
  from experiments import circles, latent2d  # pylint: disable=g-import-not-at-top
  cfg = latent2d.Config()
  cfg = dataclasses.replace(cfg, train=dataclasses.replace(cfg.train, eta=0.1 + 0.2, seeds=3),
                            model=dataclasses.replace(cfg.model, arch=(35, 8, 2, 8, 35)))
  assert flagfile.lines(cfg) == ["--arch=35,8,2,8,35", "--seeds=3", "--eta=0.30000000000000004"]
  assert flagfile.lines(latent2d.Config()) == []
  text = flagfile.text("latent2d", latent2d.Config(decode=((0.5, -1.0), (2.0, 3.0))), "runs/x")
  assert text.splitlines()[1:] == ["# (redrawn from runs/x: the flags train that run again)",
                                   "--decode=0.5,-1.0;2.0,3.0"]
  assert flagfile.lines(circles.Config(grid=5)) == ["--grid=5"]


@pytest.mark.slow
def test_a_run_repeats_bit_for_bit_from_its_flags_txt(tmp_path):
  """flags.txt (issue 42): the same flags again give the same params, history and metrics."""
  first = ["--dataset=font2", "--n_chars=8", "--seeds=2", "--iterations=60", "--eta=0.0085",
           "--arch=35,12,2,12,35", "--decode=0.25,-0.5", "--explorer_seeds=0"]
  for name, args in (("a", first), ("b", [f"--flagfile={tmp_path}/latent2d/a/flags.txt"])):
    done = spawn.run("latent2d", f"--out_dir={tmp_path}", f"--run_name={name}", *args)
    assert done.returncode == 0, done.stderr
  a, b = tmp_path / "latent2d" / "a", tmp_path / "latent2d" / "b"
  assert (a / "flags.txt").read_text() == (b / "flags.txt").read_text()
  for f in ("params.npz", "history.npz", "data.npz"):
    assert (a / f).read_bytes() == (b / f).read_bytes(), f
  ma, mb = (json.loads((d / "metrics.json").read_text()) for d in (a, b))
  for m in (ma, mb):
    for k in ("compile_seconds", "train_seconds", "train_seconds_per_seed"):
      m["summary"].pop(k, None)
  assert ma == mb


def test_a_load_of_a_path_that_does_not_exist_says_so(tmp_path):
  """Issue 42: not "not a finished run directory" for a path that is not there at all."""
  from experiments import latent2d, sweep  # pylint: disable=g-import-not-at-top
  for module in (latent2d, sweep):
    with pytest.raises(InputError, match=rf"^(--)?load={tmp_path / 'gone'}: no such directory$"):
      module.redraw(tmp_path / "gone", tmp_path / "re")
  assert not (tmp_path / "re").exists()
