"""latent2d end to end: run(config, dir), the --load round trip, and bad input from the CLI."""
import dataclasses
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from ae import InputError, runs, train
from conftest import ROOT
from experiments import latent2d

TINY = latent2d.Config(dataset="font2", n_chars=6, seeds=2, seed=3, grid=4,
                       train=train.TrainConfig(arch=(35, 16, 2, 16, 35), steps=300,
                                               log_every=100, eta=0.02))
FIGURES = {f"{k}_{t}.png" for k in ("latent", "reconstruction", "manifold", "new_letters")
           for t in ("best", "median")} | {"curves.png"}


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
  d = tmp_path_factory.mktemp("runs") / "tiny"
  return d, latent2d.run(TINY, d)


def test_run_writes_everything(tiny_run):
  d, metrics = tiny_run
  assert {p.name for p in d.iterdir()} == {"config.json", "metrics.json", "params.npz",
                                          "history.npz", "figures"}
  names = {p.name for p in (d / "figures").iterdir()}
  # best and median may be the same seed, then only 'best' figures exist
  assert {"curves.png", "latent_best.png", "manifold_best.png", "new_letters_best.png",
          "reconstruction_best.png"} <= names <= FIGURES
  saved = json.loads((d / "metrics.json").read_text())
  s = saved["summary"]
  for key in ("seeds", "seeds_zero", "seeds_le1", "max_pixel_error_median", "compile_seconds",
              "train_seconds"):
    assert key in s
  assert s["seeds"] == 2 and [p["seed"] for p in saved["per_seed"]] == [3, 4]
  for p in saved["per_seed"]:
    assert {"final_loss", "diverged", "max_pixel_error", "mean_pixel_error"} <= set(p)
    assert len(p["pixel_errors"]) == 6 and max(p["pixel_errors"]) == p["max_pixel_error"]
  # numbers in metrics.json agree with the saved params
  _, errors = train.evaluate(runs.load_params(d / "params.npz"),
                             *[latent2d.load_glyphs(TINY).x] * 2, TINY.train.acts, TINY.train.loss)
  assert np.asarray(errors).tolist() == [p["pixel_errors"] for p in saved["per_seed"]]
  assert latent2d.config_from_json(json.loads((d / "config.json").read_text())) == TINY


def test_same_seed_same_numbers(tiny_run, tmp_path):
  _, first = tiny_run
  one = latent2d.Config(**{**TINY.__dict__, "seeds": 1, "seed": 4})  # seed 4 alone
  again = latent2d.run(one, tmp_path / "again")
  np.testing.assert_allclose(again["per_seed"][0]["final_loss"], first["per_seed"][1]["final_loss"],
                             rtol=1e-4)


def test_load_round_trip(tiny_run, tmp_path):
  d, metrics = tiny_run
  pts = ((0.0, 0.0), (0.5, -0.5), (1.0, 1.0))
  re = latent2d.rerun(d, tmp_path / "re", decode=pts)
  assert [p["pixel_errors"] for p in re["per_seed"]] == \
         [p["pixel_errors"] for p in metrics["per_seed"]]
  assert [tuple(p["z"]) for p in re["new_letters"]["best"]] == list(pts)
  assert (tmp_path / "re" / "figures" / "new_letters_best.png").is_file()
  assert re["loaded_from"] == str(d)


def test_existing_run_dir_is_an_error(tiny_run):
  d, _ = tiny_run
  before = sorted(p.name for p in d.rglob("*"))
  with pytest.raises(InputError, match="already exists"):
    latent2d.run(TINY, d)
  assert sorted(p.name for p in d.rglob("*")) == before


def _cli(tmp_path, *args):
  env = dict(os.environ, PYTHONPATH=ROOT)
  return subprocess.run([sys.executable, "-m", "experiments.latent2d", f"--out_dir={tmp_path}",
                         "--run_name=r", *args], capture_output=True, text=True, cwd=ROOT,
                        env=env, timeout=120)


BAD = [
    (["--arch=36,2,36"], "data has 35 pixels"),
    (["--arch=35,x,35"], "integers"),
    (["--arch=35,3,35"], "2-D latent"),
    (["--chars=ABc"], "'c' not in font2"),
    (["--dataset=nowhere.h"], "no such file"),
    (["--dataset={bad_h}"], "not an integer"),
    (["--seeds=0"], "--seeds"),
    (["--decode=1,2,3"], "--decode"),
    (["--eta=-1"], "--eta"),
    (["--n_chars=40"], "--n_chars"),
    (["--load={tmp}/none"], "not a finished run"),
    (["extra"], "unexpected arguments"),
    (["--solver=cg", "--solver_backend=optax"], "not in optax"),
    (["--optimizer=none"], "--solver"),
    (["--solver=bfgs", "--solver_seconds=3"], "scipy"),
]


@pytest.mark.parametrize("args,message", BAD, ids=[m for _, m in BAD])
def test_bad_input_one_line_no_output(tmp_path, args, message):
  bad_h = tmp_path / "bad.h"
  bad_h.write_text("int F[1][2] = {{1, 0xZZ}};\n")
  args = [a.format(bad_h=bad_h, tmp=tmp_path) for a in args]
  out = tmp_path / "out"
  r = _cli(out, *args)
  lines = [l for l in r.stderr.splitlines() if l.strip()]
  assert r.returncode == 2, r.stderr
  assert len(lines) == 1 and message in lines[0], r.stderr
  assert "Traceback" not in r.stderr and not out.exists()


def test_existing_run_dir_from_cli(tmp_path):
  (tmp_path / "latent2d" / "r").mkdir(parents=True)
  r = _cli(tmp_path, "--iterations=10")
  assert r.returncode == 2 and "already exists" in r.stderr
  assert not any((tmp_path / "latent2d" / "r").iterdir())


@pytest.mark.parametrize("preset", ["params1", "params2"])
def test_presets_run(tmp_path, preset):
  r = _cli(tmp_path, f"--flagfile=experiments/presets/{preset}.flags", "--iterations=8")
  assert r.returncode == 0, r.stderr
  run = tmp_path / "latent2d" / "r"
  cfg = json.loads((run / "config.json").read_text())
  assert cfg["train"]["solver"] == "bfgs" and cfg["n_chars"] == 10
  per_seed = json.loads((run / "metrics.json").read_text())["per_seed"][0]
  assert per_seed["solver_iterations"] > 0
  assert r.stdout.strip().splitlines()[-1] == f"run dir: {run}"


def test_diverged_seeds_are_reported(tmp_path, capsys):
  tc = dataclasses.replace(TINY.train, optimizer="sgd", schedule="constant", eta=1e30,
                           activation="relu", steps=30)
  metrics = latent2d.run(dataclasses.replace(TINY, train=tc), tmp_path / "div")
  assert metrics["summary"]["diverged_seeds"] == [3, 4]
  assert all(p["diverged"] and p["final_loss"] is None for p in metrics["per_seed"])
  assert metrics["summary"]["seeds_zero"] == 0 and metrics["summary"]["seeds_le1"] == 0
  out = capsys.readouterr()
  assert "diverged                      3, 4" in out.out and "seed 3 diverged" in out.err
  saved = json.loads((tmp_path / "div" / "metrics.json").read_text())
  assert saved["summary"]["diverged_seeds"] == [3, 4]
