"""MLP: init shapes and statistics, apply = decode(encode), architecture checks; the
autoencoder's decode of float64 points."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from ae import InputError, choices, mlp
from conftest import lowered

ARCH = (35, 29, 23, 2, 23, 29, 35)


def test_init_shapes_and_apply():
  p = mlp.init(jax.random.PRNGKey(0), ARCH, "glorot")
  assert [l["w"].shape for l in p] == list(zip(ARCH[:-1], ARCH[1:]))
  assert all(l["b"].shape == (n,) and not l["b"].any() for l, n in zip(p, ARCH[1:]))
  assert mlp.sizes_of(p) == ARCH
  x = jnp.ones((4, 35))
  assert mlp.apply(p, x, "tanh").shape == (4, 35)
  z = mlp.encode(p, x, "tanh")
  assert z.shape == (4, 2) and np.all(np.abs(z) <= 1)  # tanh latent
  np.testing.assert_allclose(mlp.decode(p, z, "tanh"), mlp.apply(p, x, "tanh"), rtol=1e-6)


def test_apply_matches_numpy():
  p = mlp.init(jax.random.PRNGKey(1), (6, 4, 2, 4, 6), "normal", std=0.5)
  x = np.random.default_rng(0).random((3, 6)).astype(np.float32)
  h = x
  for i, l in enumerate(p):
    h = h @ np.asarray(l["w"]) + np.asarray(l["b"])
    h = h if i == len(p) - 1 else np.maximum(h, 0)
  np.testing.assert_allclose(mlp.apply(p, x, "relu"), h, rtol=1e-5, atol=1e-6)


def test_normal_init_statistics():
  p = mlp.init(jax.random.PRNGKey(2), (200, 300, 200), "normal", std=0.7, mean=0.1)
  w = np.concatenate([np.ravel(l["w"]) for l in p] + [np.ravel(l["b"]) for l in p])
  assert abs(w.mean() - 0.1) < 0.01 and abs(w.std() - 0.7) < 0.01
  g = mlp.init(jax.random.PRNGKey(2), (200, 300), "glorot")[0]["w"]
  assert abs(np.std(g) - np.sqrt(2 / 500)) < 0.002


def test_latent_index_and_checks():
  assert choices.latent_index(ARCH) == 3
  assert choices.latent_index((35, 20, 3, 20, 35)) == 2
  assert choices.check_arch(ARCH, 35) == ARCH
  for bad, width, match in [((35, 2), 35, "at least 3"), ((35, 2, 30), 35, "same size"),
                            ((36, 2, 36), 35, "data has 35"), ((2, 5, 2), None, "inside"),
                            ((35, 0, 35), 35, "positive")]:
    with pytest.raises(InputError, match=match):
      choices.check_arch(bad, width)
  with pytest.raises(InputError, match="init"):
    mlp.init(jax.random.PRNGKey(0), ARCH, "uniform")


def test_linear_latent_layer():
  p = mlp.init(jax.random.PRNGKey(0), (6, 4, 2, 4, 6), "normal", std=2.0)
  x = jnp.ones((3, 6))
  z_lin = mlp.encode(p, x, ("tanh", "identity"))
  h = jnp.tanh(x @ p[0]["w"] + p[0]["b"][None])
  np.testing.assert_allclose(z_lin, h @ p[1]["w"] + p[1]["b"][None], rtol=1e-6)
  np.testing.assert_allclose(mlp.encode(p, x, "tanh"), jnp.tanh(z_lin), rtol=1e-6)
  np.testing.assert_allclose(mlp.apply(p, x, ("tanh", "identity")),
                             mlp.decode(p, z_lin, "tanh"), rtol=1e-6)


def test_decode_casts_on_the_host():
  """autoencoder.decode of float64 NumPy points rounds them to float32 in NumPy: the bits
  of JAX's own cast, without the program that cast took (one more on every run)."""
  from ae import autoencoder  # pylint: disable=g-import-not-at-top
  model = autoencoder.AEConfig()
  p = autoencoder.init(model, jax.random.PRNGKey(3))
  z = np.random.default_rng(3).normal(size=(13, 2)) * 3   # float64, not float32 exactly
  assert not np.array_equal(z, z.astype(np.float32))
  cast = jnp.asarray(np.concatenate([z, z]), jnp.float32)[:13]   # JAX's cast, another shape
  want = np.asarray(autoencoder._decode(model, p, cast))  # pylint: disable=protected-access
  got, programs = lowered(lambda: np.asarray(autoencoder.decode(model, p, z)))
  assert not programs   # the decoder for 13 points is lowered already; no cast program
  np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("hidden,latent,loss", [
    *(("tanh", "identity", loss) for loss in choices.LOSSES),   # every output squashing
    ("sigmoid", "tanh", "bce"), ("relu", "relu", "bce")])      # every activation
def test_the_numpy_decode_is_the_jitted_one_within_rounding(hidden, latent, loss):
  """autoencoder.decode_np / reconstruct_np (figures) against decode / reconstruct (JAX):
  within float32 rounding, no program lowered, and the same pixels above 0.5 wherever the
  jitted output is not within 1e-5 of it."""
  from ae import autoencoder  # pylint: disable=g-import-not-at-top
  assert set(mlp.NUMPY_ACTIVATIONS) == set(mlp.ACTIVATIONS) == set(choices.ACTIVATIONS)
  model = autoencoder.AEConfig(activation=hidden, latent_activation=latent, loss=loss)
  p = [{k: np.asarray(v) for k, v in l.items()} for l in autoencoder.init(
      model, jax.random.PRNGKey(5))]
  rng = np.random.default_rng(5)
  z = rng.normal(size=(225, 2)) * 2   # float64, as a latent grid is
  x = (rng.random((40, 35)) > .5).astype(np.float32)
  for np_fn, jax_fn, a in ((autoencoder.decode_np, autoencoder.decode, z),
                           (autoencoder.reconstruct_np, autoencoder.reconstruct, x)):
    got, programs = lowered(lambda: np_fn(model, p, a))  # pylint: disable=cell-var-from-loop
    assert not programs and got.dtype == np.float32
    want = np.asarray(jax_fn(model, p, a))
    np.testing.assert_allclose(got, want, rtol=2e-6, atol=2e-6)
    sure = np.abs(want - .5) > 1e-5
    np.testing.assert_array_equal((got > .5)[sure], (want > .5)[sure])


def test_the_numpy_decode_of_huge_weights_warns_of_nothing():
  """A diverged model's figures: inf and nan where the jitted decode has them, no NumPy
  warning on the terminal (a sigmoid of a logit below -88 overflows exp)."""
  import warnings  # pylint: disable=g-import-not-at-top
  from ae import autoencoder  # pylint: disable=g-import-not-at-top
  model = autoencoder.AEConfig(activation="relu", latent_activation="relu")
  p = [{k: np.asarray(v) * 1e20 for k, v in l.items()} for l in autoencoder.init(
      model, jax.random.PRNGKey(6))]
  z = np.random.default_rng(6).normal(size=(20, 2))
  with warnings.catch_warnings():
    warnings.simplefilter("error")
    got = autoencoder.decode_np(model, p, z)
  want = np.asarray(autoencoder.decode(model, p, z))
  assert not np.isfinite(want).all() or ((want == 0) | (want == 1)).any()
  np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
