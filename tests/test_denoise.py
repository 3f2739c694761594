"""denoise: the noise models flip exactly what they say, the evaluation against an identity
denoiser and the Hamming baseline, a tiny end-to-end run, bad input."""
import dataclasses
import json
import re

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from ae import InputError, autoencoder, data, denoise, noise
from ae.autoencoder import AEConfig
from ae.config import TrainConfig
from ae.data import DataConfig
from ae.denoise import NoiseConfig
from experiments import denoise as denoise_exp

F2 = data.load("font2").x
KEY = jax.random.PRNGKey(0)


def test_flip_exactly_k_distinct_pixels():
  x = jnp.asarray(np.tile(F2, (20, 1)))  # 640 glyphs
  k = jnp.asarray(np.arange(640) % 7)
  out = np.asarray(noise.flip_k(KEY, x, k))
  np.testing.assert_array_equal((out != np.asarray(x)).sum(1), np.arange(640) % 7)
  assert set(np.unique(out)) <= {0.0, 1.0}
  again = np.asarray(noise.flip_k(KEY, x, k))
  np.testing.assert_array_equal(out, again)  # keyed: same key, same noise
  other = np.asarray(noise.flip_k(jax.random.PRNGKey(1), x, k))
  assert not np.array_equal(out, other)


def test_ranks_are_a_stable_double_argsort():
  """The pairwise ranks pick the same k pixels a stable sort would, ties (the ineligible
  pixels' 2.0, repeated draws) in index order: the noise, and so every trained bit, is
  what two argsorts made."""
  rng = np.random.default_rng(0)
  for shape in [(640, 35), (3, 4, 36), (1, 1), (2, 0), (4, 2049)]:  # pairs; sorts beyond PAIRS
    for ties in (False, True):
      u = rng.random(shape, dtype=np.float32)
      if ties:
        u = np.where(rng.random(shape) < 0.3, np.float32(2.0), np.round(u * 3) / 3)
      want = np.argsort(np.argsort(u, axis=-1, kind="stable"), axis=-1, kind="stable")
      np.testing.assert_array_equal(np.asarray(jax.jit(noise.ranks)(u)), want)
    sorts = "sort" in str(jax.make_jaxpr(noise.ranks)(jnp.zeros(shape)))
    assert sorts == (np.prod(shape) * shape[-1] > noise.PAIRS)  # pairs are held in memory


def test_salt_and_pepper_only_touch_their_pixels():
  x = jnp.asarray(F2)
  salt = np.asarray(noise.flip_k(KEY, x, 3, "salt"))
  pepper = np.asarray(noise.flip_k(KEY, x, 3, "pepper"))
  f = np.asarray(x)
  assert np.all(salt >= f) and np.all((salt != f).sum(1) == 3)
  assert np.all(pepper <= f) and np.all((pepper != f).sum(1) == 3)
  all_on = np.asarray(noise.flip_k(KEY, x, 35, "pepper"))  # fewer eligible than k: all of them
  assert not all_on.any()


def test_flip_with_probability_p():
  x = jnp.zeros((2000, 35))
  for p in (0.0, 0.1, 1.0):
    out = np.asarray(noise.flip_p(KEY, x, p))
    assert abs(out.mean() - p) < 0.01
  salt = np.asarray(noise.flip_p(KEY, jnp.ones((100, 35)), 0.5, "salt"))
  assert salt.all()  # salt never turns ink off


def _identity_params():
  """(35, 40, 35), linear: logits 20 x - 10, i.e. the output above 0.5 is the input."""
  w1 = np.zeros((35, 40), np.float32)
  w1[:, :35] = np.eye(35)
  w2 = np.zeros((40, 35), np.float32)
  w2[:35] = 20 * np.eye(35)
  p = [{"w": w1, "b": np.zeros(40, np.float32)}, {"w": w2, "b": np.full(35, -10, np.float32)}]
  return jax.tree.map(lambda a: a[None], p)  # one seed


def test_evaluation_identity_denoiser_and_hamming_baseline():
  model = AEConfig(arch=(35, 40, 35), activation="identity", latent_activation="identity")
  cfg = NoiseConfig(eval_levels="0,1,2,3", eval_copies=20)
  levels = denoise.evaluate(model, cfg, _identity_params(), F2, KEY)
  for e in levels:
    assert e["noisy_input_error"] == e["k"]  # exactly k flips
    np.testing.assert_allclose(e["mean_pixel_error"], [e["noisy_input_error"]])
    np.testing.assert_allclose(e["restore_rate"], [e["noisy_input_restore_rate"]])
  assert levels[0]["restore_rate"][0] == 1 and levels[1]["restore_rate"][0] == 0
  # font2's glyphs are at least 3 pixels apart: the nearest glyph undoes any single flip
  assert levels[1]["nearest_glyph_restore_rate"] == 1.0
  assert levels[1]["nearest_glyph_error"] == 0.0
  # the linear baseline: the clean glyphs lie in their own PCA's span (level 0 restored), and
  # with 2 components its projection is what NumPy's SVD gives, thresholded
  assert levels[0]["pca_restore_rate"] == 1.0 and levels[0]["pca_error"] == 0
  two = AEConfig(arch=(35, 2, 35))
  params = jax.tree.map(lambda a: a[None], autoencoder.init(two, KEY))   # one seed
  for i, e in enumerate(denoise.evaluate(two, cfg, params, F2, KEY)):
    noisy, clean = denoise.noisy_copies(cfg, jax.random.fold_in(KEY, i), F2, e["k"])
    c = F2 - F2.mean(0)
    top = np.linalg.svd(c, full_matrices=False)[2][:2]
    out = (noisy - F2.mean(0)) @ top.T @ top + F2.mean(0)
    assert e["pca_error"] == pytest.approx(((out > .5) != (clean > .5)).sum(1).mean())


TINY = denoise_exp.Config(
    data=DataConfig(n_chars=8), model=AEConfig(arch=(35, 16, 12, 16, 35)),
    noise=NoiseConfig(train_noise="0:2", eval_levels="0,1,2", eval_copies=5),
    train=TrainConfig(eta=0.02, iterations=300, log_every=100, seeds=2))


@pytest.mark.slow
@pytest.mark.parametrize("fixed", [False, True], ids=["fresh", "fixed"])
def test_tiny_run(tmp_path, fixed):
  cfg = dataclasses.replace(TINY, noise=dataclasses.replace(TINY.noise, fixed_noise=fixed))
  m = denoise_exp.run(cfg, tmp_path / "r")
  levels = m["summary"]["levels"]
  assert [lv["k"] for lv in levels] == [0, 1, 2]
  for lv in levels:
    assert {"k", "restore_rate", "mean_pixel_error", "noisy_input_error",
            "nearest_glyph_restore_rate"} <= set(lv)
  assert levels[0]["restore_rate"] > 0.5
  saved = json.loads((tmp_path / "r" / "metrics.json").read_text())
  assert saved["summary"]["levels"][1]["noisy_input_error"] == 1.0
  names = {p.name for p in (tmp_path / "r" / "figures").iterdir()}
  assert {"curves.png", "restore.png", "denoised_best.png", "latent_best.png"} <= names
  # a 12-D latent space: the stability of its codes, but no 2-D consensus figure
  assert "consensus.png" not in names
  assert len(saved["latent_stability"]["per_glyph"]) == 8


@pytest.mark.slow
def test_a_2d_denoiser_draws_the_consensus_of_its_seeds(tmp_path, capsys):
  cfg = dataclasses.replace(TINY, model=AEConfig(arch=(35, 12, 2, 12, 35)),
                            train=dataclasses.replace(TINY.train, iterations=100))
  m = denoise_exp.run(cfg, tmp_path / "r")
  assert m["latent_stability"]["seeds"] == [0, 1]
  assert (tmp_path / "r" / "figures" / "consensus.png").is_file()
  out = capsys.readouterr().out
  assert re.search(r"^latent map stability \(3 neighbours, clean glyphs\): \d\.\d\d \[", out,
                   re.M)
  assert "no consensus figure" not in out


@pytest.mark.parametrize("change,match", [
    (dict(eval_levels="0,36"), "k must be a whole number of pixels in 0..35"),
    (dict(train_noise="0:40"), "train_noise: k must be"),
    (dict(noise_model="p", train_noise="0:0.1", eval_levels="0,1.5"), "p must be a probab"),
    (dict(noise_model="p", train_noise="-0.1:0.1"), "p must be a probab"),
    (dict(train_noise="3:1"), "lo must not exceed hi"),
    (dict(eval_copies=0), "eval_copies"),
])
def test_bad_input(tmp_path, change, match):
  cfg = dataclasses.replace(TINY, noise=dataclasses.replace(TINY.noise, **change))
  with pytest.raises(InputError, match=match):
    denoise_exp.run(cfg, tmp_path / "r")
  assert not (tmp_path / "r").exists()
