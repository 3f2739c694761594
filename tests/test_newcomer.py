"""What a newcomer and a hostile user hit (issues 30 and 33), each made on the fly: numbers on
screen from the real seeds only, presets in every flag form, --helpfull, shared-readable runs."""
import dataclasses
import importlib
import os
import stat

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from ae import InputError, runs, train
from ae.autoencoder import AEConfig
from ae.config import TrainConfig
from ae.data import DataConfig
from ae.denoise import NoiseConfig
from experiments import common

X = np.eye(4, dtype=np.float32)


def _task(metrics=None):
  return train.Task(init=lambda key: {"w": jax.random.normal(key, (4,))},
                    loss=lambda p, batch, key: jnp.mean((batch["x"] @ p["w"] - 1) ** 2),
                    metrics=metrics)


def test_progress_sees_the_real_seeds_only():
  """1 seed on 2 devices is padded to 2: the bar's rows must still hold 1 seed, the one the
  history keeps (a median over the padding showed other numbers than the summary)."""
  assert len(jax.devices()) == 2  # tests/conftest.py
  seen = []
  fit = train.fit_seeds(_task(), {"x": X}, TrainConfig(seeds=1, iterations=60, log_every=20),
                        progress=lambda done, total, step, rows, **kw: seen.append(rows))
  rows = [r for r in seen if r is not None]
  assert rows and all(r["loss"].shape[0] == 1 for r in rows)
  assert rows[-1]["loss"][0, -1] == fit.history["loss"][0, -1]


def test_a_metric_must_be_a_scalar():
  task = _task(metrics=lambda p, data: {"per_glyph": data["x"] @ p["w"]})
  with pytest.raises(InputError, match="must return scalars: 'per_glyph' has shape"):
    train.fit_seeds(task, {"x": X}, TrainConfig(seeds=1, iterations=4, log_every=2))


def test_a_run_directory_follows_the_umask(tmp_path):
  old = os.umask(0o022)
  try:
    with runs.Building(tmp_path / "r") as b:
      runs.save_json(b.tmp / "metrics.json", {})
  finally:
    os.umask(old)
  assert stat.S_IMODE((tmp_path / "r").stat().st_mode) == 0o755  # not mkdtemp's 0700


@pytest.mark.parametrize("argv", [["p", "--preset=params1"], ["p", "-preset=params1"],
                                  ["p", "--preset", "params1"], ["p", "-preset", "params1"]])
def test_a_preset_applies_in_every_form_absl_accepts(argv):
  out = common.expand_presets(argv + ["--seeds=2"])
  assert out == ["p", f"--flagfile={common.preset_path('params1')}", "--seeds=2"]
  assert out[1].endswith(os.path.join("presets", "params1.flags"))


@pytest.mark.parametrize("name", ["../../x", "/abs/x", "params1.flags", ""])
def test_a_preset_is_a_shipped_name_not_a_path(name):
  with pytest.raises(InputError, match="preset must be one of params1, params2"):
    common.expand_presets(["p", f"--preset={name}"])
  assert common.expand_presets(["p", "--", "--preset=x"]) == ["p", "--", "--preset=x"]
  with pytest.raises(InputError, match="preset needs a name"):
    common.expand_presets(["p", "--preset"])


def test_labels_are_drawn_as_text_never_tex(tmp_path):
  """Labels from a header's comments or an .npz: '$' and backslashes failed the figures after
  training when matplotlib read them as TeX."""
  from ae import plotting  # pylint: disable=g-import-not-at-top
  z = np.random.default_rng(0).normal(size=(3, 2))
  labels = ["$\\frac{$", "$\\foo$", "$x$"]
  plotting.latent_scatter(tmp_path / "latent.png", z, labels, "a $\\frac{ title")
  plotting.reconstructions(tmp_path / "rec.png", X[:3, :4].repeat(9, 1)[:, :35],
                           X[:3, :4].repeat(9, 1)[:, :35], (7, 5), labels, "$\\foo")
  assert (tmp_path / "latent.png").stat().st_size and (tmp_path / "rec.png").stat().st_size


def test_a_label_past_unicode_keeps_the_comment_words():
  from ae import cheader  # pylint: disable=g-import-not-at-top
  assert cheader.label("U+110000 (far)") == "far"
  assert cheader.label("U+FFFFFF") == "U+FFFFFF"
  assert cheader.label("U+0041 (A)") == "A"


@pytest.mark.parametrize("experiment,parts,match", [
    ("latent2d", {"train": TrainConfig(eta=1e308)}, "beyond float32"),
    ("circles", {"model": AEConfig(arch=(42, 25, 15, 9, 3, 2, 3, 9, 15, 25, 42), loss="bce")},
     "use loss=mse"),
    ("vae", {"data": DataConfig(dataset="circles", chars="AB")}, "dataset=circles has none"),
    ("denoise", {"noise": NoiseConfig(eval_levels="0,0")}, "repeats a level"),
])
def test_flags_that_cannot_apply_are_errors(tmp_path, experiment, parts, match):
  """Accepted silently before: an eta that overflows float32, squashing losses on the
  circles' coordinates, glyph selections on circles, a repeated evaluation level."""
  module = importlib.import_module(f"experiments.{experiment}")
  with pytest.raises(InputError, match=match):
    module.run(dataclasses.replace(module.Config(), **parts), tmp_path / "out")
  assert not (tmp_path / "out").exists()


def test_blocks_cut_every_log_interval_into_bounded_entries():
  from ae import schedule  # pylint: disable=g-import-not-at-top
  seg = schedule.build(TrainConfig(iterations=250, log_every=250))
  e, logged = schedule.blocks(seg, 250, 100)
  assert e.tolist() == [[0, 0, 0], [1, 0, 100], [1, 100, 200], [1, 200, 250]]
  assert logged.tolist() == [True, False, False, True]
  assert schedule.entries(seg, 250).tolist() == [[0, 0, 0], [1, 0, 250]]  # the log rows


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


def test_a_signal_before_training_writes_nothing(tmp_path):
  from experiments import latent2d, skeleton  # pylint: disable=g-import-not-at-top
  cfg = latent2d.Config(data=DataConfig(n_chars=4), model=AEConfig(arch=(35, 8, 2, 8, 35)),
                        train=TrainConfig(iterations=40, log_every=20), grid=3)
  with pytest.raises(skeleton.Stopped):
    latent2d.run(cfg, tmp_path / "out" / "r", should_stop=lambda: True)
  assert not (tmp_path / "out").exists()


def _start(tmp_path, *args):
  import subprocess, sys  # pylint: disable=g-import-not-at-top,multiple-imports
  from conftest import ROOT  # pylint: disable=g-import-not-at-top
  return subprocess.Popen([sys.executable, "-m", "experiments.latent2d", f"--out_dir={tmp_path}",
                           "--run_name=r", "--cache_dir=none", *args], cwd=ROOT,
                          env=dict(os.environ, PYTHONPATH=ROOT), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
def test_signals_at_any_moment(tmp_path):
  """Within the first seconds (imports, compiling): exit 130, nothing written. SIGTERM then
  SIGINT 50 ms apart during training: exit 130, no run and no hidden temporary directory."""
  import signal, time  # pylint: disable=g-import-not-at-top,multiple-imports
  early = _start(tmp_path / "early", "--seeds=4", "--iterations=2000000")
  time.sleep(1.5)  # its imports and compiling take seconds: the signal lands there
  early.send_signal(signal.SIGINT)
  _, err = early.communicate(timeout=60)
  assert early.returncode == 130, err
  assert "Traceback" not in err and not (tmp_path / "early" / "latent2d" / "r").exists()
  assert not list((tmp_path / "early").glob("latent2d/.r.*"))
  p = _start(tmp_path / "twice", "--seeds=4", "--iterations=2000000")
  deadline = time.time() + 120
  while time.time() < deadline and not list(tmp_path.glob("twice/latent2d/.r.*")):
    time.sleep(0.2)
  time.sleep(2)
  p.send_signal(signal.SIGTERM)
  time.sleep(0.05)
  p.send_signal(signal.SIGINT)
  _, err = p.communicate(timeout=60)
  assert p.returncode == 130, err
  assert "Traceback" not in err
  left = list((tmp_path / "twice").rglob("*"))
  assert not [p for p in left if p.name.startswith(".r.")], left  # never a .r.* left


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


def test_paths_a_user_types(tmp_path, monkeypatch):
  from ae import data  # pylint: disable=g-import-not-at-top
  monkeypatch.setenv("HOME", str(tmp_path))
  np.save(tmp_path / "g.npy", np.eye(5, 35, dtype=np.uint8))
  assert len(data.load("~/g.npy")) == 5
  assert str(common.make_run_dir("~/runs", "latent2d", "r")).startswith(str(tmp_path))
  with pytest.raises(InputError, match="out_dir is empty"):
    common.make_run_dir("", "latent2d", "r")
  with pytest.raises(InputError, match="dataset: File name too long"):
    data.load(str(tmp_path / ("a" * 300 + ".npy")))
  with pytest.raises(InputError, match="out_dir: File name too long"):
    common.make_run_dir(str(tmp_path / ("a" * 300)), "latent2d", "r")


def test_a_numpy_header_declaring_terabytes_is_refused_before_reading(tmp_path):
  from ae import data  # pylint: disable=g-import-not-at-top
  import zipfile  # pylint: disable=g-import-not-at-top
  with open(tmp_path / "huge.npy", "wb") as f:
    np.lib.format.write_array_header_1_0(f, {"descr": "<f8", "fortran_order": False,
                                             "shape": (10**6, 10**6, 7)})
  with pytest.raises(InputError, match="declares 56,000,000,000,000 bytes"):
    data.load(str(tmp_path / "huge.npy"))
  with zipfile.ZipFile(tmp_path / "huge.npz", "w") as z:
    z.writestr("x.npy", (tmp_path / "huge.npy").read_bytes())
  with pytest.raises(InputError, match="x.npy declares"):
    data.load(str(tmp_path / "huge.npz"))


@pytest.mark.parametrize("build,match", [
    (lambda: NoiseConfig(train_noise="0:nan").check(35), "finite levels 'lo:hi'"),
    (lambda: NoiseConfig(eval_levels="nan").check(35), "finite levels separated"),
    (lambda: __import__("ae.vae").vae.VAEConfig(latent_dim=1).check(), "in 2..256"),
    (lambda: __import__("ae.vae").vae.VAEConfig(latent_dim=100000).check(), "in 2..256"),
    (lambda: __import__("experiments.sweep_studies").sweep_studies.values(
        "arch", override="35-16-3-16-35"), "a 3-D one"),
])
def test_hostile_values_are_one_line(build, match):
  with pytest.raises(InputError, match=match):
    build()


def test_pepper_cannot_turn_off_more_than_a_glyph_has():
  from ae import data  # pylint: disable=g-import-not-at-top
  from experiments import denoise  # pylint: disable=g-import-not-at-top
  glyphs = data.load("font2")
  with pytest.raises(InputError, match=r"glyph '\^' has 5, so k = 34 cannot be reached"):
    denoise.reachable(NoiseConfig(noise="pepper", eval_levels="0,34"), glyphs)
  denoise.reachable(NoiseConfig(noise="pepper", eval_levels="0,5", train_noise="0:2"), glyphs)


def test_sweep_flags_that_cannot_apply(tmp_path):
  from experiments import cli, sweep  # pylint: disable=g-import-not-at-top
  for config, given, match in [
      (sweep.Config(study="eta"), {"powell_seconds"}, "only the solver study runs Powell"),
      (sweep.Config(study="eta"), {"solver_steps"}, "only the solver and frequency"),
      (sweep.Config(study="presets"), {"base"}, "on no base")]:
    with pytest.raises(InputError, match=match):
      cli.check_inert(config, given)
  cli.check_inert(sweep.Config(study="solver"), {"powell_seconds", "solver_steps"})
  for config, match in [(sweep.Config(values=""), "values is empty"),
                        (sweep.Config(seed=2**31 - 1, seeds=2), "below 2\\*\\*31"),
                        (sweep.Config(study="arch", values="35-100000-2-100000-35",
                                      seeds=200), "need about")]:
    with pytest.raises(InputError, match=match):
      sweep.run(config, tmp_path / "out")
  assert not (tmp_path / "out").exists()


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
  again = sweep.rerun(tmp_path / "r", tmp_path / "re")  # an interrupted sweep reloads
  assert list(again["studies"]) == ["eta"] and (tmp_path / "re" / "figures").iterdir()


def test_the_summary_names_diverged_seeds_and_never_prints_none(tmp_path, capsys):
  """'diverged  0' read as a count, and 'None px' where every seed diverged."""
  from experiments import latent2d  # pylint: disable=g-import-not-at-top
  cfg = latent2d.Config(data=DataConfig(n_chars=4), model=AEConfig(arch=(35, 8, 2, 8, 35)),
                        train=TrainConfig(iterations=20, log_every=10, eta=1e6,
                                          schedule="constant"), grid=3)
  m = latent2d.run(cfg, tmp_path / "r")
  out = capsys.readouterr().out
  assert m["summary"]["diverged_seeds"] == [0]
  assert "seed 0" in next(l for l in out.splitlines() if l.startswith("diverged"))
  assert "None" not in out


@pytest.mark.parametrize("model,dataset,match", [
    (dict(sigma=0.1), "font2", "sigma is the Gaussian likelihood's std"),
    (dict(likelihood="bernoulli"), "circles", "the circles are continuous"),
])
def test_vae_likelihood_flags_that_cannot_apply(tmp_path, model, dataset, match):
  from ae.vae import VAEConfig  # pylint: disable=g-import-not-at-top
  from experiments import vae  # pylint: disable=g-import-not-at-top
  cfg = vae.Config(data=DataConfig(dataset=dataset), model=VAEConfig(**model))
  with pytest.raises(InputError, match=match):
    vae.run(cfg, tmp_path / "out")
  assert not (tmp_path / "out").exists()


def test_latent_plots_label_up_to_128_short_labels_and_say_when_codes_coincide(tmp_path):
  from ae import plotting  # pylint: disable=g-import-not-at-top
  assert plotting.labelled(["A"] * 96 + ["DEL"]) and not plotting.labelled(["A"] * 129)
  assert not plotting.labelled(["digit 1"] * 65) and plotting.labelled(["digit 1"] * 64)
  z = np.r_[np.ones((8, 2)), [[0.0, 0.0], [0.0, 2.0]]]  # params1: 8 of 10 codes in one place
  assert plotting.collapsed(z) == 8 and plotting.collapsed(np.eye(2)) == 0
  plotting.latent_scatter(tmp_path / "l.png", z, list("ABCDEFGHIJ"), "collapsed")
  assert (tmp_path / "l.png").stat().st_size


def test_library_errors_name_arguments_and_the_command_line_names_flags(tmp_path, capsys):
  """Issue 30 item 20: a Python caller reads argument names, the entry points print flags."""
  from experiments import latent2d  # pylint: disable=g-import-not-at-top
  with pytest.raises(InputError) as e:
    TrainConfig(eta=-1.0, seeds=0).check(32)
  assert "--" not in str(e.value) and str(e.value).startswith("seeds must be >= 1")
  assert e.value.flag_message.startswith("--seeds must be >= 1 and --seed >= 0")
  with pytest.raises(SystemExit) as code:
    common.fail("latent2d", e.value)
  assert code.value.code == 2
  assert capsys.readouterr().err == f"latent2d: error: {e.value.flag_message}\n"
  (tmp_path / "taken").mkdir()
  with pytest.raises(InputError, match="already exists") as e:
    latent2d.run(latent2d.Config(), tmp_path / "taken")
  assert "--" not in e.value.flag_message  # no --run_name to a Python caller
