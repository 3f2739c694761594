"""ae/baselines.py (issue 39, first part): PCA against known cases, and latent2d reporting its
PCA-2 baseline beside the model (metrics.json, the summary, the reconstruction figure)."""
import numpy as np

from ae import baselines, data


def test_pca_reconstructs_data_of_rank_r_with_r_components_and_no_fewer():
  rng = np.random.default_rng(0)
  for r in (1, 2, 4):
    x = rng.normal(size=(40, r)) @ rng.normal(size=(r, 12)) + rng.normal(size=12)
    assert baselines.rank(x) == r
    p = baselines.pca(x, r)
    np.testing.assert_allclose(baselines.reconstruct(p, x), x, atol=1e-9)
    z = baselines.encode(p, x)
    np.testing.assert_allclose(baselines.encode(p, baselines.decode(p, z)), z, atol=1e-9)
    if r > 1:
      assert np.abs(baselines.reconstruct(baselines.pca(x, r - 1), x) - x).max() > 1e-3


def test_pca_is_the_least_squares_projection_of_numpy_s_eigenvectors():
  x = np.random.default_rng(1).normal(size=(30, 6)) * [5, 3, 2, 1, .5, .1]
  c = x - x.mean(0)
  w, v = np.linalg.eigh(c.T @ c)
  top = v[:, np.argsort(w)[::-1][:2]]
  want = c @ top @ top.T + x.mean(0)
  np.testing.assert_allclose(baselines.reconstruct(baselines.pca(x, 2), x), want, atol=1e-9)


def test_the_glyph_baseline_counts_wrong_pixels_as_the_model_is_counted():
  g = data.DataConfig(dataset="font2").load()
  b = baselines.glyphs(g.x, 2)
  out = baselines.reconstruct(baselines.pca(g.x, 2), g.x)
  naive = [sum((o > .5) != (t > .5) for o, t in zip(row, want)) for row, want in zip(out, g.x)]
  assert b["pca"]["pixel_errors"] == naive and b["pca"]["max_pixel_error"] == max(naive)
  assert b["pca"]["max_pixel_error"] == 14 and b["pca"]["exact_glyphs"] == 0   # issue 39
  assert b["data_rank"] == 31   # 32 glyphs, centred


def test_the_vae_reports_its_pca_baseline_measured_as_it_is():
  from experiments import vae as vae_exp, vae_report  # pylint: disable=g-import-not-at-top
  config = vae_exp.Config(data=data.DataConfig(n_chars=8), grid=4)
  d = vae_exp.load(config)
  b = vae_report.pca_baseline(config, d)
  fitted = baselines.pca(d.x, 2)
  e = baselines.pixel_errors(baselines.reconstruct(fitted, d.x), d.x)
  assert (b["max_pixel_error"], b["mean_pixel_error"]) == (int(e.max()), float(e.mean()))
  from ae import autoencoder, losses  # pylint: disable=g-import-not-at-top
  zz, _, _ = autoencoder.latent_grid(baselines.encode(fitted, d.x), 4)
  near = losses.nearest(baselines.decode(fitted, zz) > .5, d.x)[1]
  assert b["latent_coverage"] == float((near <= vae_report.NEAR).mean())


def test_each_sweep_value_stands_beside_pca_of_its_own_glyphs():
  from ae.autoencoder import AEConfig  # pylint: disable=g-import-not-at-top
  from ae.config import TrainConfig  # pylint: disable=g-import-not-at-top
  from experiments import sweep_report  # pylint: disable=g-import-not-at-top
  from experiments.sweep_studies import Value  # pylint: disable=g-import-not-at-top
  v = Value("font1:10", data.DataConfig(dataset="font1", n_chars=10), AEConfig(), TrainConfig())
  result = {"per_seed": [{"max_pixel_error": w, "diverged": False} for w in (3, 9, 12)]}
  b = sweep_report.baseline(v, result)
  want = baselines.glyphs(v.data.load().x, 2)["pca"]["max_pixel_error"]
  assert b == {"components": 2, "max_pixel_error": want, "seeds_better": sum(
      w < want for w in (3, 9, 12))}
