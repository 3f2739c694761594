"""Bad input is one line before any work, naming the flag (or the argument, from Python), and
nothing is written: values out of range, flags without effect, presets, paths, hostile files."""
import dataclasses
import importlib
import os

import numpy as np
import pytest

from ae import InputError
from ae.autoencoder import AEConfig
from ae.config import TrainConfig
from ae.data import DataConfig
from ae.denoise import NoiseConfig
from experiments import cli, entry, latent2d

TINY = latent2d.Config(data=DataConfig(n_chars=6), model=AEConfig(arch=(35, 16, 2, 16, 35)),
                       train=TrainConfig(iterations=300, log_every=100, eta=0.02, seeds=2,
                                         seed=3), grid=4)


def _t(**kw):
  return dataclasses.replace(TINY, train=dataclasses.replace(TINY.train, **kw))


def _m(**kw):
  return dataclasses.replace(TINY, model=dataclasses.replace(TINY.model, **kw))


def _d(**kw):
  return dataclasses.replace(TINY, data=dataclasses.replace(TINY.data, **kw))


@pytest.mark.parametrize("argv", [["p", "--preset=params1"], ["p", "-preset=params1"],
                                  ["p", "--preset", "params1"], ["p", "-preset", "params1"]])
def test_a_preset_applies_in_every_form_absl_accepts(argv):
  out = cli.expand_presets(argv + ["--seeds=2"])
  assert out == ["p", f"--flagfile={cli.preset_path('params1')}", "--seeds=2"]
  assert out[1].endswith(os.path.join("presets", "params1.flags"))


@pytest.mark.parametrize("name", ["../../x", "/abs/x", "params1.flags", ""])
def test_a_preset_is_a_shipped_name_not_a_path(name):
  with pytest.raises(InputError, match="preset must be one of params1, params2"):
    cli.expand_presets(["p", f"--preset={name}"])
  assert cli.expand_presets(["p", "--", "--preset=x"]) == ["p", "--", "--preset=x"]
  with pytest.raises(InputError, match="preset needs a name"):
    cli.expand_presets(["p", "--preset"])


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


def test_paths_a_user_types(tmp_path, monkeypatch):
  from ae import data  # pylint: disable=g-import-not-at-top
  monkeypatch.setenv("HOME", str(tmp_path))
  np.save(tmp_path / "g.npy", np.eye(5, 35, dtype=np.uint8))
  assert len(data.load("~/g.npy")) == 5
  assert str(entry.make_run_dir("~/runs", "latent2d", "r")).startswith(str(tmp_path))
  with pytest.raises(InputError, match="out_dir is empty"):
    entry.make_run_dir("", "latent2d", "r")
  with pytest.raises(InputError, match="dataset: File name too long"):
    data.load(str(tmp_path / ("a" * 300 + ".npy")))
  with pytest.raises(InputError, match="out_dir: File name too long"):
    entry.make_run_dir(str(tmp_path / ("a" * 300)), "latent2d", "r")


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
      cli.reject_without_effect(config, given)
  cli.reject_without_effect(sweep.Config(study="solver"), {"powell_seconds", "solver_steps"})
  for config, match in [(sweep.Config(values=""), "values is empty"),
                        (sweep.Config(seed=2**31 - 1, seeds=2), "below 2\\*\\*31"),
                        (sweep.Config(study="arch", values="35-100000-2-100000-35",
                                      seeds=200), "need about")]:
    with pytest.raises(InputError, match=match):
      sweep.run(config, tmp_path / "out")
  assert not (tmp_path / "out").exists()


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


def test_library_errors_name_arguments_and_the_command_line_names_flags(tmp_path, capsys):
  """Issue 30 item 20: a Python caller reads argument names, the entry points print flags."""
  from experiments import latent2d  # pylint: disable=g-import-not-at-top
  with pytest.raises(InputError) as e:
    TrainConfig(eta=-1.0, seeds=0).check(32)
  assert "--" not in str(e.value) and str(e.value).startswith("seeds must be >= 1")
  assert e.value.flag_message.startswith("--seeds must be >= 1 and --seed >= 0")
  with pytest.raises(SystemExit) as code:
    entry.fail("latent2d", e.value)
  assert code.value.code == 2
  assert capsys.readouterr().err == f"latent2d: error: {e.value.flag_message}\n"
  (tmp_path / "taken").mkdir()
  with pytest.raises(InputError, match="already exists") as e:
    latent2d.run(latent2d.Config(), tmp_path / "taken")
  assert "--" not in e.value.flag_message  # no --run_name to a Python caller


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
    entry.make_run_dir(tmp_path, "latent2d", "x" * 300)
  with pytest.raises(InputError, match="printable"):
    entry.make_run_dir(tmp_path, "latent2d", "a\nb")
  (tmp_path / "f").write_text("")
  with pytest.raises(InputError, match="is a file"):
    entry.make_run_dir(tmp_path / "f", "latent2d")
  monkeypatch.setattr(os, "access", lambda *a: False)
  with pytest.raises(InputError, match="not writable"):
    entry.make_run_dir(tmp_path / "new", "latent2d")
