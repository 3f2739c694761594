"""Circles drawn as ring images (issue 39): the renderer against a per-pixel loop, the distance
to the manifold (0 on a true ring, growing with noise), the band's coverage, and the
experiment's --render=image run with its PCA baseline beside it."""
import dataclasses
import json

import numpy as np
import pytest

from ae import InputError, rings
from ae.autoencoder import AEConfig
from ae.config import TrainConfig
from ae.circles_data import CirclesConfig
from experiments import circles as exp


def test_a_ring_is_drawn_as_a_per_pixel_loop_draws_it():
  size, r = 12, 0.55
  naive = np.zeros((size, size))
  for i in range(size):
    for j in range(size):
      d = ((i + 0.5 - size / 2) ** 2 + (j + 0.5 - size / 2) ** 2) ** 0.5
      naive[i, j] = max(0.0, 1.0 - abs(d - r * size / 2))
  np.testing.assert_allclose(rings.render([r], size)[0].reshape(size, size), naive, atol=1e-6)


def test_distance_is_zero_on_a_true_ring_and_grows_with_noise():
  radii = np.array([0.2, 0.47, 0.8])
  x = rings.render(radii, 16)
  d, r = rings.nearest(x, 16, 0.0, 1.0)
  assert d.max() < 1e-3
  np.testing.assert_allclose(r, radii, atol=1.0 / (rings.GRID - 1))
  noise = np.random.default_rng(0).normal(size=x.shape)
  dists = [rings.nearest(x + s * noise, 16, 0.0, 1.0)[0].mean() for s in (0.01, 0.05, 0.2)]
  assert dists[0] < dists[1] < dists[2] and dists[2] > 0.15


def test_distance_is_the_brute_force_minimum_and_nan_for_a_non_finite_image():
  rng = np.random.default_rng(1)
  images = rng.random((4, 100))
  images[3, 7] = np.inf
  d, r = rings.nearest(images, 10, 0.1, 0.9)
  radii, true = rings.manifold(10, 0.1, 0.9)
  for k in range(3):
    rmse = np.sqrt(((images[k][None] - true) ** 2).mean(1))
    assert d[k] == pytest.approx(rmse.min(), rel=1e-6) and r[k] == radii[np.argmin(rmse)]
  assert np.isnan(d[3]) and np.isnan(r[3])


def test_coverage_counts_the_bins_drawn_as_true_rings():
  band = (0.4, 0.6)
  inside = np.linspace(0.4, 0.6, 40)
  assert rings.coverage(inside, np.zeros(40), band) == 1.0
  assert rings.coverage(inside, np.full(40, 0.1), band) == 0.0   # ghosts: too far
  assert rings.coverage(inside[:20], np.zeros(20), band) == 0.5


TINY = exp.Config(data=CirclesConfig(circles=30, render="image", image_size=10,
                                     holdout="0.45:0.6"),
                  model=dataclasses.replace(exp.Config().model, loss="bce"),
                  train=TrainConfig(eta=0.01, iterations=100, log_every=50, seeds=1),
                  path_points=9, grid=3, explorer_seeds=0)


def test_image_mode_takes_the_image_model_and_refuses_what_does_not_apply(tmp_path):
  assert exp.resolved(TINY).model.arch == (100, *exp.IMAGE_ARCH, 100)
  assert exp.resolved(TINY).model.loss == "bce"   # as given: only the arch is the image's
  assert exp.resolved(dataclasses.replace(TINY, model=exp.Config().model)).model.loss == "mse"
  wrong = dataclasses.replace(TINY, model=AEConfig(arch=(42, 2, 42), loss="mse"))
  with pytest.raises(InputError, match="draws 100 pixels.*arch=100,128,32,2,32,128,100"):
    exp.run(wrong, tmp_path / "a")
  jitter = dataclasses.replace(TINY, data=dataclasses.replace(TINY.data, centre_jitter=0.1))
  with pytest.raises(InputError, match="centre_jitter works with .*render=points only"):
    exp.run(jitter, tmp_path / "b")
  assert set(TINY.data.without_effect()) == {"points", "angle_offset", "angle_jitter",
                                    "original_radians"}
  assert set(CirclesConfig().without_effect()) == {"image_size"}
  assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


@pytest.mark.slow
def test_an_image_run_reports_the_rings_beside_pca(tmp_path, capsys):
  m = exp.run(TINY, tmp_path / "r")
  s, b = m["summary"], m["baselines"]
  for k in ("recon_distance_max", "path_distance_max", "holdout_distance_max",
            "band_coverage", "holdout_inside"):
    assert k in s and k in b["pca2"], k
  assert b["data_rank"] > 2   # curved: no low-rank linear model holds it
  out = capsys.readouterr().out
  assert "farthest from a true ring" in out and "PCA-1 / PCA-2 (linear baselines)" in out
  assert "their band drawn as true rings" in out
  figures = {p.name for p in (tmp_path / "r" / "figures").iterdir()}
  assert {"curves.png", "latent_best.png", "rings_best.png", "grid_best.png"} <= figures
  saved = json.loads((tmp_path / "r" / "config.json").read_text())
  assert saved["config"]["model"]["arch"][0] == 100 and saved["config"]["model"]["loss"] == "bce"


@pytest.mark.slow
def test_the_readme_rings_autoencoder_draws_rings_pca_draws_ghosts(tmp_path):
  """The README's claim, from its command: every seed's reconstructions lie on the rings
  (below rings.ON_MANIFOLD) and PCA-2's do not, on the path through the codes too."""
  cfg = exp.Config(data=CirclesConfig(render="image", holdout="0.45:0.6"),
                   model=dataclasses.replace(exp.Config().model, loss="bce"),
                   train=TrainConfig(eta=0.01, iterations=3000, seeds=4), explorer_seeds=0)
  m = exp.run(cfg, tmp_path / "r")
  pca = m["baselines"]["pca2"]
  assert all(r["recon_distance_max"] < rings.ON_MANIFOLD for r in m["per_seed"])
  assert pca["recon_distance_max"] > 2 * rings.ON_MANIFOLD
  assert m["summary"]["path_distance_max"] < pca["path_distance_max"]


def test_the_figure_prints_each_decodes_radius_and_distance(tmp_path, monkeypatch):
  """What a person reads under each tile: true rings read 'd 0.000' in black, noisy ones
  their distance in red (not a ring)."""
  from ae import plotting_rings  # pylint: disable=g-import-not-at-top
  drawn = []
  monkeypatch.setattr(plotting_rings, "save", lambda fig, path: drawn.append(fig) or path)
  radii = np.linspace(0.2, 0.8, 11)
  x = rings.render(radii, 12)
  ghost = x + np.random.default_rng(0).normal(0, 0.2, x.shape)
  g = {name: {"path_x": a, "path": rings.quality(a, 12, 0.0, 1.0)}
       for name, a in (("model", x), ("pca", ghost))}
  plotting_rings.compare(tmp_path / "f.png", 12, g["model"], g["pca"], "t")
  rows = [[(t.get_text(), t.get_color()) for t in ax.texts] for ax in drawn[0].axes[:2]]
  assert [t for t, _ in rows[0] if t.startswith("r ")] == [f"r {r:.2f}" for r in radii]
  assert {(t, c) for t, c in rows[0] if t.startswith("d ")} == {("d 0.000", "black")}
  far = [(t, c) for t, c in rows[1] if t.startswith("d ")]
  assert all(float(t[2:]) > rings.ON_MANIFOLD and c == "tab:red" for t, c in far)
