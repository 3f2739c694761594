"""Every experiment reloads (issue 33): `--load` of a finished or interrupted run gives a new,
complete run directory from the saved params and data alone, the loaded run untouched; a
data.npz edited anywhere (arrays, labels, meta) or damaged params are named in one line."""
import dataclasses
import hashlib
import json
import shutil

import numpy as np
import pytest

import spawn
from ae import InputError, runs
from ae.autoencoder import AEConfig
from ae.config import TrainConfig
from ae.circles_data import CirclesConfig
from ae.data import DataConfig
from ae.denoise import NoiseConfig
from ae.vae import VAEConfig
from experiments import circles, denoise, latent2d, vae

T = TrainConfig(eta=0.02, iterations=60, log_every=20, seeds=2, seed=1)
CONFIGS = {
    "latent2d": (latent2d, latent2d.Config(data=DataConfig(n_chars=6), train=T, grid=3,
                                           model=AEConfig(arch=(35, 16, 2, 16, 35)))),
    "denoise": (denoise, denoise.Config(
        data=DataConfig(n_chars=6), model=AEConfig(arch=(35, 16, 12, 16, 35)), train=T,
        noise=NoiseConfig(train_noise="0:2", eval_levels="0,1", eval_copies=3))),
    "circles": (circles, circles.Config(
        data=CirclesConfig(circles=12, points=8), model=AEConfig(arch=(16, 8, 2, 8, 16),
                                                                 loss="mse"),
        train=T, path_points=5, grid=3)),
    "vae": (vae, vae.Config(data=DataConfig(n_chars=6), model=VAEConfig(hidden=(8,)), train=T,
                            grid=3, prior_samples=10, compare_ae=True)),
    # the variants whose data or figures differ: ring images, a VAE on the circles
    "circles_image": (circles, circles.Config(
        data=CirclesConfig(circles=20, render="image", image_size=8, holdout="0.45:0.6"),
        model=AEConfig(arch=(64, 16, 2, 16, 64), loss="bce"), train=T, path_points=5,
        grid=3)),
    "vae_circles": (vae, vae.Config(data=DataConfig(dataset="circles"),
                                    model=VAEConfig(hidden=(8,)), train=T, grid=3,
                                    prior_samples=10)),
}
EVERY_RUN = {"config.json", "data.npz", "metrics.json", "params.npz", "history.npz",
             "history.csv", "figures"}


def _files(d):
  return {p.relative_to(d): hashlib.sha256(p.read_bytes()).hexdigest()
          for p in sorted(d.rglob("*")) if p.is_file()}


def _numbers(metrics):
  """The per-seed numbers a reload must give again (timing and paths aside)."""
  skip = ("seconds", "loaded_from")
  strip = lambda o: ({k: strip(v) for k, v in o.items() if not any(s in k for s in skip)}
                     if isinstance(o, dict) else [strip(v) for v in o]
                     if isinstance(o, list) else o)
  return strip(metrics["per_seed"])


@pytest.fixture(scope="module", params=[  # the default suite reloads one; CI's slow one all
    n if n == "latent2d" else pytest.param(n, marks=pytest.mark.slow)
    for n in sorted(CONFIGS)])
def saved(request, tmp_path_factory):
  name = request.param
  module, config = CONFIGS[name]
  d = tmp_path_factory.mktemp(name) / "run"
  return name, module, d, module.run(config, d)


@pytest.fixture(scope="module")
def glyph_run(tmp_path_factory):
  module, config = CONFIGS["latent2d"]
  d = tmp_path_factory.mktemp("glyphs") / "run"
  module.run(config, d)
  return module, d


def test_every_experiment_reloads_a_finished_run(saved, tmp_path):
  name, module, d, metrics = saved
  before = _files(d)
  again = module.redraw(d, tmp_path / "re")
  assert _files(d) == before  # the loaded run is only read
  assert _numbers(again) == _numbers(metrics)
  assert again["loaded_from"] == str(d)
  out = tmp_path / "re"
  assert EVERY_RUN <= {p.name for p in out.iterdir()}
  assert {p.name for p in (out / "figures").iterdir()} == {
      p.name for p in (d / "figures").iterdir()}
  if name == "vae":  # the comparison autoencoder travels with the run
    assert (out / "params_ae.npz").is_file() and "latent_coverage_ae" in again["summary"]
  assert _numbers(module.redraw(out, tmp_path / "re2")) == _numbers(metrics)  # reloads again


@pytest.mark.parametrize("name", [n if n == "latent2d" else pytest.param(n, marks=pytest.mark.slow)
                                  for n in sorted(CONFIGS)])
def test_an_interrupted_run_gets_its_figures_from_a_reload(name, tmp_path):
  module, config = CONFIGS[name]
  asked = []
  # asked before training, then before each chunk: the first is step 0 alone (a stop there
  # keeps nothing), the second trains steps
  stopped = module.run(config, tmp_path / "r",
                       should_stop=lambda: asked.append(1) or len(asked) > 3)
  assert stopped["summary"]["interrupted"] is True
  assert not list((tmp_path / "r" / "figures").iterdir())
  again = module.redraw(tmp_path / "r", tmp_path / "re")
  assert again["summary"]["interrupted"] is False
  assert list((tmp_path / "re" / "figures").iterdir())
  assert 0 < stopped["summary"]["step_reached"] < stopped["summary"]["steps_planned"]
  assert not again["summary"]["diverged_seeds"] and not stopped["summary"]["diverged_seeds"]


@pytest.mark.slow
def test_drawing_flags_change_a_reload(tmp_path):
  module, config = CONFIGS["circles"]
  module.run(config, tmp_path / "r")
  again = module.redraw(tmp_path / "r", tmp_path / "re", grid=4, path_points=7)
  cfg = json.loads((tmp_path / "re" / "config.json").read_text())["config"]
  assert (cfg["grid"], cfg["path_points"]) == (4, 7) and again["summary"]["seeds"] == 2


def _edit_data(d, fn, rehash):
  """data.npz edited by fn(arrays) (keys a_x, labels, meta); rehash: config.json's hash made
  to match, as a careful forger would."""
  with np.load(d / "data.npz") as f:
    arrays = {k: f[k] for k in f.files}
  fn(arrays)
  np.savez(d / "data.npz", **arrays)
  if rehash:
    labels, meta = [str(s) for s in arrays["labels"]], json.loads(str(arrays["meta"]))
    sha = runs.data_hash({k[2:]: v for k, v in arrays.items() if k.startswith("a_")},
                         labels, meta)
    c = json.loads((d / "config.json").read_text())
    c["data_sha256"] = sha
    (d / "config.json").write_text(json.dumps(c))


@pytest.mark.parametrize("edit,rehash,match", [
    (lambda a: a.update(labels=a["labels"][:3]), False, "does not match the hash"),
    (lambda a: a.update(meta=np.asarray(json.dumps({"name": "x", "shape": [3, 3]}))), False,
     "does not match the hash"),
    (lambda a: a.update(labels=a["labels"][:3]), True, "3 labels for 6 glyphs"),
    (lambda a: a.update(meta=np.asarray(json.dumps({"name": "x", "shape": [3, 3]}))), True,
     r"shape \[3, 3\] does not hold 35 pixels"),
    (lambda a: a.update(meta=np.asarray(json.dumps({"name": "x", "shape": [1, 35],
                                                    "classes": [1]}))), True,
     "1 classes for 6 glyphs"),
    (lambda a: a.update(a_x=np.where(a["a_x"] > 0, np.nan, 0).astype(np.float32)), True,
     "values other than 0 and 1"),
    (lambda a: a.update(a_x=3 * a["a_x"]), True, "values other than 0 and 1"),
])
def test_edited_data_is_named_in_one_line(glyph_run, tmp_path, edit, rehash, match):
  """Glyph data (latent2d, denoise, vae read it through Glyphs.from_saved); the circles are
  checked against their config (below)."""
  module, d = glyph_run
  copy = shutil.copytree(d, tmp_path / "copy")
  _edit_data(copy, edit, rehash)
  with pytest.raises(InputError, match=match):
    module.redraw(copy, tmp_path / "out")
  assert not (tmp_path / "out").exists()


def test_damaged_params_and_deep_json_are_named(saved, tmp_path):
  name, module, d, _ = saved
  copy = shutil.copytree(d, tmp_path / "copy")
  params = runs.load_params(copy / "params.npz")
  runs.save_params(copy / "params.npz", _transposed(params))
  with pytest.raises(InputError, match="params.npz: its arrays do not have the shapes"):
    module.redraw(copy, tmp_path / "out")
  (copy / "config.json").write_text("[" * 100_000 + "]" * 100_000)
  with pytest.raises(InputError, match="config.json: not valid JSON"):
    module.redraw(copy, tmp_path / "out")
  assert not (tmp_path / "out").exists()


def _transposed(params):
  """Every 3-D weight (seeds, in, out) as (seeds, out, in): the wrong shapes, same sizes."""
  if isinstance(params, dict):
    return {k: _transposed(v) for k, v in params.items()}
  if isinstance(params, list):
    return [_transposed(v) for v in params]
  return np.swapaxes(params, 1, 2) if params.ndim == 3 else params[:, None]


@pytest.mark.slow
def test_a_circles_reload_checks_the_circles_against_its_config(tmp_path):
  module, config = CONFIGS["circles"]
  module.run(dataclasses.replace(config, train=dataclasses.replace(T, iterations=20)),
             tmp_path / "r")
  _edit_data(tmp_path / "r", lambda a: a.update(a_x=a["a_x"] * 1.5), rehash=True)
  with pytest.raises(InputError, match="not the circles its config.json describes"):
    module.redraw(tmp_path / "r", tmp_path / "out")


@pytest.mark.slow
def test_the_load_flag_of_an_experiment(tmp_path):
  """--load on the command line (experiments/entry.py): drawing flags apply, any other flag
  is one line and exit 2, an empty --load is named."""
  module, config = CONFIGS["circles"]
  module.run(dataclasses.replace(config, train=dataclasses.replace(T, iterations=20)),
             tmp_path / "r")
  def cli(*args):
    return spawn.run("circles", *args, f"--out_dir={tmp_path}", "--cache_dir=none")
  ok = cli(f"--load={tmp_path / 'r'}", "--grid=4", "--run_name=re")
  assert ok.returncode == 0, ok.stderr
  assert ok.stdout.strip().splitlines()[-1] == f"run dir: {tmp_path / 'circles' / 're'}"
  for args, message in [((f"--load={tmp_path / 'r'}", "--eta=0.1"),
                         "--eta cannot apply with --load"), (("--load=",), "--load is empty")]:
    bad = cli(*args, "--run_name=bad")
    lines = [l for l in bad.stderr.splitlines() if l.strip()]
    assert bad.returncode == 2 and len(lines) == 1 and message in lines[0], bad.stderr
  assert not (tmp_path / "circles" / "bad").exists()


@pytest.mark.parametrize("study,values", [
    pytest.param("std", "0.6,1.3", marks=pytest.mark.slow),
    pytest.param("optimizer", "adam", marks=pytest.mark.slow)])
def test_a_sweep_reloads(tmp_path, study, values):
  """The sweep's own --load: its figures, table.md and report.md again from metrics.json,
  params_<study>.npz and data.npz (the optimizer study keeps each optimizer's best eta)."""
  from experiments import sweep  # pylint: disable=g-import-not-at-top
  first = sweep.run(sweep.Config(study=study, values=values, seeds=2), tmp_path / "r")
  before = _files(tmp_path / "r")
  again = sweep.redraw(tmp_path / "r", tmp_path / "re")
  assert _files(tmp_path / "r") == before
  assert again["studies"] == json.loads(json.dumps(first["studies"]))
  assert {p.name for p in (tmp_path / "re" / "figures").iterdir()} == {
      p.name for p in (tmp_path / "r" / "figures").iterdir()}
  assert (tmp_path / "re" / "table.md").read_text() == (tmp_path / "r" / "table.md").read_text()
  damaged = shutil.copytree(tmp_path / "r", tmp_path / "damaged")
  runs.save_params(damaged / f"params_{study}.npz", {"x": np.zeros((2, 3))})
  with pytest.raises(InputError, match="params_.*npz: its arrays are not those of the values "
                                       "metrics.json lists"):
    sweep.redraw(damaged, tmp_path / "bad")
