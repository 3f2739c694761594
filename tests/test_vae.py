"""vae: the KL term against its closed form, the ELBO estimator against a NumPy Monte Carlo
reference, fixed keys give fixed samples, tiny end-to-end runs, bad input."""
import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from ae import InputError, vae
from ae.config import TrainConfig
from ae.data import DataConfig
from ae.vae import VAEConfig
from experiments import vae as vae_exp

from conftest import lowered


def test_kl_closed_form():
  mu = np.array([[0.0, 1.0, -2.0]])
  var = np.array([[1.0, 0.25, 4.0]])
  want = 0.5 * (var + mu ** 2 - 1 - np.log(var))  # KL(N(mu, var) || N(0, 1)) per dimension
  got = np.asarray(vae.kl(jnp.asarray(mu), jnp.log(jnp.asarray(var))))
  np.testing.assert_allclose(got, want, rtol=1e-6)
  assert got[0, 0] == 0.0
  # and against a Monte Carlo estimate of E_q[log q(z) - log p(z)] for one dimension
  rng = np.random.default_rng(0)
  z = 1.0 + 0.5 * rng.standard_normal(400_000)
  log_q = -0.5 * ((z - 1.0) / 0.5) ** 2 - np.log(0.5)
  log_p = -0.5 * z ** 2
  np.testing.assert_allclose(np.mean(log_q - log_p), want[0, 1], atol=5e-3)


def _tiny():
  cfg = VAEConfig(hidden=(3,), latent_dim=1, likelihood="bernoulli")
  params = vae.init(cfg, 4, jax.random.PRNGKey(3))
  x = np.array([[1, 0, 1, 1], [0, 0, 1, 0]], np.float32)
  return cfg, params, x


def _numpy_elbo(cfg, params, x, n=200_000, seed=0):
  """The ELBO by plain NumPy: sample z from q, average log p(x|z), subtract the KL."""
  p = jax.tree.map(np.asarray, params)
  h = np.tanh(x @ p["enc"][0]["w"] + p["enc"][0]["b"])
  mu, logvar = h @ p["mu"]["w"] + p["mu"]["b"], h @ p["logvar"]["w"] + p["logvar"]["b"]
  eps = np.random.default_rng(seed).standard_normal((n,) + mu.shape)
  z = mu + np.exp(0.5 * logvar) * eps                               # (n, 2, 1)
  hd = np.tanh(z @ p["dec"][0]["w"] + p["dec"][0]["b"])
  logits = hd @ p["dec"][1]["w"] + p["dec"][1]["b"]
  log_px = -(np.logaddexp(0, logits) - x * logits).sum(-1)          # (n, 2)
  kl = 0.5 * (np.exp(logvar) + mu ** 2 - 1 - logvar).sum(-1)
  return float((log_px.mean(0) - kl).mean())


def test_elbo_estimator_mean_matches_monte_carlo():
  cfg, params, x = _tiny()
  keys = jax.random.split(jax.random.PRNGKey(0), 20_000)
  ests = np.asarray(jax.jit(jax.vmap(lambda k: -vae.neg_elbo(cfg, params, jnp.asarray(x), k)))(keys))
  ref = _numpy_elbo(cfg, params, x)
  se = ests.std() / np.sqrt(len(ests))
  assert abs(ests.mean() - ref) < 4 * se + 1e-3, (ests.mean(), ref, se)
  batched = float(vae.elbo(cfg, jax.tree.map(lambda a: a[None], params), jnp.asarray(x),
                           jax.random.PRNGKey(1))[0])
  assert abs(batched - ref) < 0.2  # 64 samples


def test_a_fixed_key_gives_a_fixed_sample():
  mu, logvar = jnp.zeros((3, 2)), jnp.zeros((3, 2))
  a = vae.sample(jax.random.PRNGKey(5), mu, logvar)
  b = vae.sample(jax.random.PRNGKey(5), mu, logvar)
  c = vae.sample(jax.random.PRNGKey(6), mu, logvar)
  np.testing.assert_array_equal(a, b)
  assert not np.allclose(a, c)
  np.testing.assert_allclose(vae.sample(jax.random.PRNGKey(5), mu + 2, logvar), a + 2, rtol=1e-6)


def test_the_numpy_decode_is_the_jitted_one_within_rounding():
  """vae.decode_np (the interpolation figure) against vae.decode_all's seed (JAX)."""
  cfg = VAEConfig(hidden=(16,), activation="sigmoid")
  params = jax.vmap(lambda k: vae.init(cfg, 35, k))(jax.random.split(jax.random.PRNGKey(2), 2))
  z = np.random.default_rng(2).normal(size=(10, 2)) * 2
  want = np.asarray(vae.decode_all(cfg, params, np.asarray(z, np.float32)))[1]
  one = jax.tree.map(lambda a: np.asarray(a)[1], params)
  got, programs = lowered(lambda: vae.decode_np(cfg, one, z))
  assert not programs and got.dtype == np.float32
  np.testing.assert_allclose(got, want, rtol=2e-6, atol=2e-6)


def test_warmup_ramps_beta():
  cfg = VAEConfig(beta=2.0, kl_warmup=100)
  assert float(vae.beta_at(cfg, 0)) == 0.0 and float(vae.beta_at(cfg, 50)) == 1.0
  assert float(vae.beta_at(cfg, 400)) == 2.0


TINY = vae_exp.Config(data=DataConfig(n_chars=8), model=VAEConfig(hidden=(16,)),
                      train=TrainConfig(eta=0.01, iterations=300, log_every=100, seeds=2),
                      grid=5, prior_samples=20)


@pytest.mark.slow
@pytest.mark.parametrize("compare", [False, True], ids=["vae", "with-ae"])
def test_tiny_run_on_a_font(tmp_path, compare, monkeypatch):
  from experiments import vae_figures  # pylint: disable=g-import-not-at-top
  titles, save = {}, vae_figures.save   # what each figure's panels say, as a person reads them
  monkeypatch.setattr(vae_figures, "save", lambda fig, path: titles.setdefault(
      path.name, [ax.get_title() for ax in fig.axes]) and save(fig, path))
  m = vae_exp.run(dataclasses.replace(TINY, compare_ae=compare, interpolate="A,B"),
                  tmp_path / "r")
  s = m["summary"]
  for k in ("elbo_median", "seeds_le1", "latent_coverage", "kl_per_dim",
            "prior_copy_fraction", "prior_new_plausible_fraction"):
    assert k in s, k
  assert ("latent_coverage_ae" in s) == compare
  assert s["elbo_median"] < 0 and len(s["kl_per_dim"]) == 2 and 0 <= s["latent_coverage"] <= 1
  names = {p.name for p in (tmp_path / "r" / "figures").iterdir()}
  assert {"curves.png", "latent_best.png", "prior_grid_best.png", "samples_best.png",
          "interpolation_best.png", "consensus.png"} <= names
  assert len(m["latent_stability"]["per_glyph"]) == len(m["per_seed"][0]["pixel_errors"])
  assert ("compare_best.png" in names) == compare
  if compare:   # PCA-2's grid beside the autoencoder's and the VAE's, each with its coverage
    shown = titles["compare_best.png"]
    assert [t.split(":")[0] for t in shown] == ["PCA-2", "plain autoencoder", "VAE"]
    assert f"{100 * m['baselines']['pca']['latent_coverage']:.0f}% glyph-like" in shown[0]


def test_the_quantile_grid_is_the_normal_quantiles_rounded_once():
  from scipy.special import ndtri  # pylint: disable=g-import-not-at-top  (scipy: jax's own)
  for g in (2, 3, 9, 15, 40):
    z = vae.quantile_grid(g, 3)
    want = np.float32(ndtri((np.arange(g) + 0.5) / g))  # float64, rounded to float32 once
    assert isinstance(z, np.ndarray) and z.dtype == np.float32 and z.shape == (g * g, 3)
    np.testing.assert_array_equal(z[:g, 0], want)        # the top row: z1 rising
    np.testing.assert_array_equal(z[::g, 1], want[::-1])  # the first column: z2 falling
    assert not z[:, 2].any()
  one = vae.quantile_grid(4, 1)   # one latent dimension: z1 alone, row after row
  np.testing.assert_array_equal(one[:, 0], np.tile(vae.quantile_grid(4, 2)[:4, 0], 4))


@pytest.mark.slow   # five programs compiled: 7 s
def test_the_evaluation_runs_as_a_few_programs_not_one_per_operation():
  """vae_report.evaluate lowers one program per jitted function: the quantile grid as jnp, op
  by op, lowered some 40 one-operation programs, a second of every run (issue 41)."""
  from experiments import vae_report  # pylint: disable=g-import-not-at-top
  config = dataclasses.replace(TINY, grid=11, prior_samples=7)   # shapes no other test lowers
  cfg = vae.resolve(config.model, True)
  config = dataclasses.replace(config, model=cfg)
  d = vae_exp.load(config)
  keys = jax.random.split(jax.random.PRNGKey(0), 2)
  params = jax.vmap(lambda k: vae.init(cfg, d.x.shape[1], k))(keys)
  ev, programs = lowered(lambda: vae_report.evaluate(config, d, params, jax.random.PRNGKey(1)))
  assert ev["grid_out"].shape == (2, 11 * 11, d.x.shape[1])
  # 7 today: posterior, elbo, two decode_all shapes, the prior's draw (fold_in, normal, a cast)
  assert len(programs) <= 10, programs


@pytest.mark.slow
def test_tiny_run_on_circles(tmp_path):
  cfg = dataclasses.replace(TINY, data=DataConfig(dataset="circles"))
  m = vae_exp.run(cfg, tmp_path / "r")
  s = m["summary"]
  assert "recon_rmse_median" in s and "seeds_le1" not in s
  assert (tmp_path / "r" / "figures" / "prior_grid_best.png").is_file()


@pytest.mark.parametrize("change,match", [
    (dict(model=VAEConfig(latent_dim=0)), "latent_dim must be in 2..256"),
    (dict(model=VAEConfig(beta=-1.0)), "beta must be >= 0"),
    (dict(interpolate="A,a"), "interpolate"),
    (dict(compare_ae=True, model=VAEConfig(latent_dim=3)), "compare_ae"),
])
def test_bad_input(tmp_path, change, match):
  with pytest.raises(InputError, match=match):
    vae_exp.run(dataclasses.replace(TINY, **change), tmp_path / "r")
  assert not (tmp_path / "r").exists()


def test_the_prior_draws_are_the_eager_ones():
  """vae.prior_draws (one kept program) draws the bits of the two eager calls it replaced."""
  key = jax.random.PRNGKey(11)
  for n, k in ((500, 2), (7, 3)):
    np.testing.assert_array_equal(
        vae.prior_draws(key, n, k), jax.random.normal(jax.random.fold_in(key, 1), (n, k)))


def test_the_latent_figure_draws_each_posterior_as_its_one_std_ellipse(monkeypatch):
  """One artist for every glyph's ellipse: centred on its posterior mean, 2 std wide and
  high, its colour filling the middle of it as a person sees it."""
  import types  # pylint: disable=g-import-not-at-top
  from experiments import vae_figures  # pylint: disable=g-import-not-at-top
  drawn = []
  monkeypatch.setattr(vae_figures, "save", lambda fig, path: drawn.append(fig) or path)
  mu = np.array([[-1.5, 1.5], [1.0, -1.0], [2.0, 2.0]])
  logvar = 2 * np.log(np.array([[0.6, 0.3], [0.2, 0.5], [0.1, 0.1]]))
  d = types.SimpleNamespace(binary=True, labels=["", "", ""], name="t")
  vae_figures.latent("latent.png", d, mu, logvar, "seed 0")
  ax = drawn[0].axes[0]
  e = [c for c in ax.collections if type(c).__name__ == "EllipseCollection"]
  assert len(e) == 1
  np.testing.assert_allclose(e[0].get_offsets(), mu)
  np.testing.assert_allclose(e[0].get_widths(), [1.2, 0.4, 0.2])
  np.testing.assert_allclose(e[0].get_heights(), [0.6, 1.0, 0.2])
  drawn[0].canvas.draw()
  pixels = np.asarray(drawn[0].canvas.buffer_rgba())[..., :3].astype(int)
  h = pixels.shape[0]
  # 0.2 above the first centre: inside its 0.3 std; 0.4 above: outside; 0.4 above the second
  # centre: inside its 0.5 std
  for (x, y), inside in (((-1.5, 1.7), True), ((-1.5, 1.9), False), ((1.0, -0.6), True)):
    px, py = ax.transData.transform((x, y))
    tinted = pixels[h - 1 - int(round(py)), int(round(px))].min() < 245
    assert tinted == inside, (x, y)
