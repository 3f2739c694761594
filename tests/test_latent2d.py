"""latent2d end to end: run(config, dir), the --load round trip, bad input in-process and from
the command line."""
import dataclasses
import json
import re

import numpy as np
import pytest

from ae import InputError, autoencoder, runs, train
from ae.autoencoder import AEConfig
from ae.config import TrainConfig
from ae.data import DataConfig
import spawn
from experiments import latent2d, latent2d_report

TINY = latent2d.Config(data=DataConfig(n_chars=6), model=AEConfig(arch=(35, 16, 2, 16, 35)),
                       train=TrainConfig(iterations=300, log_every=100, eta=0.02, seeds=2,
                                         seed=3), grid=4)
FIGURES = {f"{k}_{t}.png" for k in ("latent", "reconstruction", "manifold", "new_letters")
           for t in ("best", "median")} | {"curves.png", "consensus.png"}


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
  d = tmp_path_factory.mktemp("runs") / "tiny"
  return d, latent2d.run(TINY, d)


def test_run_writes_everything(tiny_run):
  d, metrics = tiny_run
  assert {p.name for p in d.iterdir()} == {"config.json", "metrics.json", "params.npz",
                                          "history.npz", "history.csv", "data.npz", "figures",
                                          "explorer.html", "flags.txt"}
  names = {p.name for p in (d / "figures").iterdir()}
  # best and median may be the same seed, then only 'best' figures exist
  assert {"curves.png", "latent_best.png", "manifold_best.png", "new_letters_best.png",
          "reconstruction_best.png", "consensus.png"} <= names <= FIGURES
  saved = json.loads((d / "metrics.json").read_text())
  s = saved["summary"]
  for key in ("seeds", "seeds_zero", "seeds_le1", "max_pixel_error_median", "compile_seconds",
              "train_seconds", "best_seed", "median_seed", "diverged_seeds", "interrupted"):
    assert key in s
  assert s["seeds"] == 2 and [p["seed"] for p in saved["per_seed"]] == [3, 4]
  assert s["glyphs"] == "@ABCDE" and s["interrupted"] is False
  for p in saved["per_seed"]:
    assert {"final_loss", "diverged", "max_pixel_error", "mean_pixel_error"} <= set(p)
    assert len(p["pixel_errors"]) == 6 and max(p["pixel_errors"]) == p["max_pixel_error"]
  # numbers in metrics.json agree with the saved params
  _, errors = autoencoder.evaluate(TINY.model, runs.load_params(d / "params.npz"),
                                   TINY.data.load().x)
  assert np.asarray(errors).tolist() == [p["pixel_errors"] for p in saved["per_seed"]]
  csv = (d / "history.csv").read_text().splitlines()
  assert csv[0].startswith("seed,step,") and len(csv) == 1 + 2 * 4  # 2 seeds x 4 log steps
  assert csv[1].startswith("3,0,") and csv[-1].startswith("4,300,")
  config = json.loads((d / "config.json").read_text())
  assert runs.restore(latent2d.Config(), config["config"]) == TINY
  assert config["experiment"] == "latent2d" and config["versions"]["jax"]


@pytest.mark.slow
def test_same_seed_same_numbers(tiny_run, tmp_path):
  _, first = tiny_run
  one = dataclasses.replace(TINY, train=dataclasses.replace(TINY.train, seeds=1, seed=4))
  again = latent2d.run(one, tmp_path / "again")
  np.testing.assert_allclose(again["per_seed"][0]["final_loss"],
                             first["per_seed"][1]["final_loss"], rtol=1e-4)


@pytest.mark.slow
def test_load_round_trip(tiny_run, tmp_path):
  d, metrics = tiny_run
  pts = ((0.0, 0.0), (0.5, -0.5), (1.0, 1.0))
  re = latent2d.redraw(d, tmp_path / "re", decode=pts)
  assert [p["pixel_errors"] for p in re["per_seed"]] == \
         [p["pixel_errors"] for p in metrics["per_seed"]]
  assert [tuple(p["z"]) for p in re["new_letters"]["best"]] == list(pts)
  assert (tmp_path / "re" / "figures" / "new_letters_best.png").is_file()
  assert re["loaded_from"] == str(d)
  again = latent2d.redraw(tmp_path / "re", tmp_path / "re2")  # a --load output reloads too
  assert [p["pixel_errors"] for p in again["per_seed"]] == \
         [p["pixel_errors"] for p in metrics["per_seed"]]


re_quoted = __import__("re").compile(r'(a copy of|new: \d+ px from) "[^"]+"')


def test_decode_seed_decodes_with_that_seed_and_prints_font_h_rows(tiny_run, tmp_path, capsys):
  from ae import cheader  # pylint: disable=g-import-not-at-top
  d, metrics = tiny_run
  seed = metrics["per_seed"][-1]["seed"]
  re = latent2d.redraw(d, tmp_path / "re", decode=((0.25, -0.5),), decode_seed=seed)
  tag = latent2d_report.decode_tag(latent2d.load(tmp_path / "re")[0], re)
  entry = re["new_letters"][tag][0]
  _, glyphs, params, _ = latent2d.load(d)
  want = np.asarray(autoencoder.decode(TINY.model, train.seed_params(
      params, seed - TINY.train.seed), np.array([[0.25, -0.5]], np.float32)))[0] > 0.5
  x, _, _ = cheader.parse(f"int F[1][7] = {{{entry['rows']}}};", 5)
  assert np.array_equal(x[0] > 0.5, want)
  said = next(l for l in capsys.readouterr().out.splitlines()
              if l.startswith(f"decoded (0.25, -0.5), seed {seed}"))
  assert re_quoted.search(said) and f'"{entry["nearest"]}"' in said   # quoted: a label may be ","
  assert (tmp_path / "re" / "figures" / f"new_letters_{tag}.png").is_file()
  with pytest.raises(InputError, match=r"decode_seed must be one of the run's seeds"):
    latent2d.redraw(d, tmp_path / "bad", decode_seed=seed + 1)


def test_the_summary_and_metrics_hold_the_pca_baseline(tiny_run):
  """Issue 39: PCA-2 of the same glyphs beside the model, and the seeds that beat it."""
  from ae import baselines  # pylint: disable=g-import-not-at-top
  _, metrics = tiny_run
  want = baselines.glyphs(TINY.data.load().x, 2)
  assert metrics["baselines"] == want
  b = want["pca"]
  better = sum(p["max_pixel_error"] < b["max_pixel_error"] for p in metrics["per_seed"])
  text = latent2d_report.baseline_text(metrics, 2)
  assert text.startswith(f"worst glyph {b['max_pixel_error']} px") and \
      text.endswith(f"{better}/2 seeds do better on their worst glyph")


def test_existing_run_dir_is_an_error(tiny_run):
  d, _ = tiny_run
  before = sorted(p.name for p in d.rglob("*"))
  with pytest.raises(InputError, match="already exists"):
    latent2d.run(TINY, d)
  assert sorted(p.name for p in d.rglob("*")) == before


def _bad(tmp_path, **parts):
  """TINY with some of data/model/train fields replaced."""
  kw = {}
  for part in ("data", "model", "train"):
    fields = {k[len(part) + 1:]: v for k, v in parts.items() if k.startswith(part + "_")}
    kw[part] = dataclasses.replace(getattr(TINY, part), **fields)
  rest = {k: v for k, v in parts.items() if not k.startswith(("data_", "model_", "train_"))}
  return dataclasses.replace(TINY, **kw, **rest)


BAD = [
    (dict(model_arch=(36, 2, 36)), "data has 35 pixels"),
    (dict(model_arch=(35, 3, 35)), "2-D latent"),
    (dict(data_chars="ABc", data_n_chars=None), "'c' not in font2"),
    (dict(data_dataset="nowhere.h"), "no such file"),
    (dict(train_seeds=0), "seeds"),
    (dict(train_eta=-1.0), "eta"),
    (dict(train_eta=float("inf")), "eta"),
    (dict(data_n_chars=40), "n_chars"),
    (dict(train_solver="cg", train_solver_backend="optax", train_minimize_every=5), "not in optax"),
    (dict(train_optimizer="none"), "solver"),
    (dict(train_solver="bfgs"), "never runs"),
    (dict(grid=1), "grid"),
]


@pytest.mark.parametrize("parts,message", BAD, ids=[m for _, m in BAD])
def test_bad_input_stops_before_any_work(tmp_path, parts, message):
  with pytest.raises(InputError, match=message):
    latent2d.run(_bad(tmp_path, **parts), tmp_path / "out")
  assert not (tmp_path / "out").exists()


def _cli(tmp_path, *args):
  return spawn.run("latent2d", f"--out_dir={tmp_path}", "--run_name=r", *args)


@pytest.mark.parametrize("args,message", [
    (["--eta=abc"], "eta"),              # absl's own parse error, as one line
    pytest.param(["--optimizer=none", "--solver=cg", "--eta=0.1"], "--eta has no effect",
                 marks=pytest.mark.slow),
    pytest.param(["--load="], "--load is empty", marks=pytest.mark.slow),
    pytest.param(["--preset", "../x"], "--preset must be one of", marks=pytest.mark.slow),
    pytest.param(["--arch=35,x,35"], "integers", marks=pytest.mark.slow),
    pytest.param(["--solver=bfgs", "--minimize_every=2", "--solver_backend=optax"],
                 "not in optax", marks=pytest.mark.slow),
    pytest.param(["--load=nowhere", "--eta=0.1"], "--eta cannot apply with --load",
                 marks=pytest.mark.slow),
])
def test_cli_bad_input_one_line_exit_2(tmp_path, args, message):
  out = tmp_path / "out"
  r = _cli(out, *args)
  lines = [l for l in r.stderr.splitlines() if l.strip()]
  assert r.returncode == 2, r.stderr
  assert len(lines) == 1 and message in lines[0], r.stderr
  assert "Traceback" not in r.stderr and not out.exists()


@pytest.mark.slow
def test_helpfull_lists_every_flag_and_exits_0(tmp_path):
  r = _cli(tmp_path, "--helpfull")
  assert r.returncode == 0, r.stderr
  assert "--load" in r.stdout and "--flagfile" in r.stdout


@pytest.mark.slow
@pytest.mark.parametrize("preset", ["params1", "params2"])
def test_presets_run(tmp_path, preset):
  r = _cli(tmp_path, f"--flagfile=experiments/presets/{preset}.flags", "--iterations=8")
  assert r.returncode == 0, r.stderr
  run = tmp_path / "latent2d" / "r"
  cfg = json.loads((run / "config.json").read_text())["config"]
  assert cfg["train"]["solver"] == "bfgs" and cfg["data"]["n_chars"] == 10
  per_seed = json.loads((run / "metrics.json").read_text())["per_seed"][0]
  assert per_seed["solver_iterations"] > 0
  assert r.stdout.strip().splitlines()[-1] == f"run dir: {run}"


@pytest.mark.slow
def test_diverged_seeds_are_reported(tmp_path, capsys):
  tc = dataclasses.replace(TINY.train, optimizer="sgd", schedule="constant", eta=1e30,
                           iterations=30)
  metrics = latent2d.run(dataclasses.replace(
      TINY, train=tc, model=dataclasses.replace(TINY.model, activation="relu")),
      tmp_path / "div")
  assert metrics["summary"]["diverged_seeds"] == [3, 4]
  assert all(p["diverged"] and p["final_loss"] is None for p in metrics["per_seed"])
  assert metrics["summary"]["seeds_zero"] == 0 and metrics["summary"]["seeds_le1"] == 0
  out = capsys.readouterr()
  assert re.search(r"^diverged +seed 3, seed 4$", out.out, re.M) and "seed 3 diverged" in out.err
  assert re.search(r"^latent map stability \(3 neighbours\) +none: needs 2 seeds that did not "
                   r"diverge", out.out, re.M), out.out
  saved = json.loads((tmp_path / "div" / "metrics.json").read_text())
  assert saved["summary"]["diverged_seeds"] == [3, 4]


def test_latent_grid_spans_the_codes_box_with_its_margin():
  z = np.array([[0.0, -2.0], [4.0, 2.0], [1.0, 0.0]])
  pts, lo, hi = autoencoder.latent_grid(z, 3, margin=0.25)
  np.testing.assert_allclose(lo, [-1.0, -3.0], atol=1e-5)
  np.testing.assert_allclose(hi, [5.0, 3.0], atol=1e-5)
  assert pts.shape == (9, 2)
  np.testing.assert_allclose(pts[0], [lo[0], hi[1]])   # row-major from the top-left
  np.testing.assert_allclose(pts[-1], [hi[0], lo[1]])
  np.testing.assert_allclose(pts[4], (lo + hi) / 2, atol=1e-6)
  np.testing.assert_array_equal(autoencoder.latent_grid(z, 2)[1], z.min(0))  # no margin
