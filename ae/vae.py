"""A variational autoencoder, all of it pure: encoder (mean and log-variance heads), the
reparameterised sample, decoder, and the negative ELBO as a Task for the training core.

  >>> cfg = resolve(VAEConfig(), binary=True)     # 2-D latent, Bernoulli likelihood
  >>> params = task(cfg, 35).init(jax.random.PRNGKey(0))   # loss(params, batch, key, step)
  >>> mu, logvar = encode(cfg, params, jnp.zeros((4, 35)))
  >>> z = sample(jax.random.PRNGKey(1), mu, logvar)
  >>> decode(cfg, params, z).shape               # logits
  (4, 35)

The likelihood is Bernoulli with logits for binary glyphs, or Gaussian (fixed --sigma, or a
learned one) for continuous data such as circles. --beta weighs the KL term; --kl_warmup ramps
it up from 0 over that many steps.
"""
import dataclasses
import math
import statistics

import jax
import jax.numpy as jnp
import numpy as np

from ae import mlp, programs
from ae.models import VAEConfig  # noqa: F401  (its flags build without JAX)
from ae.task import Task, keyed

def resolve(cfg, binary):
  """The config with likelihood 'auto' made concrete for the data."""
  if cfg.likelihood != "auto":
    return cfg
  return dataclasses.replace(cfg, likelihood="bernoulli" if binary else "gaussian")


def init(cfg, d, key):
  ks = jax.random.split(key, 4)
  enc = mlp.init(ks[0], (d,) + cfg.hidden, "glorot")
  dec = mlp.init(ks[1], (cfg.latent_dim,) + cfg.hidden[::-1] + (d,), "glorot")
  head = lambda k: mlp.init(k, (cfg.hidden[-1], cfg.latent_dim), "glorot")[0]
  return {"enc": enc, "mu": head(ks[2]), "logvar": head(ks[3]), "dec": dec,
          "log_sigma": jnp.asarray(math.log(cfg.sigma) if cfg.sigma > 0 else 0.0)}


def _hidden(cfg, layers, h):
  for layer in layers:
    h = mlp.ACTIVATIONS[cfg.activation](h @ layer["w"] + layer["b"][None, :])
  return h


def encode(cfg, params, x):
  """(mu, logvar), each (n, latent_dim)."""
  h = _hidden(cfg, params["enc"], x)
  head = lambda p: h @ p["w"] + p["b"][None, :]
  return head(params["mu"]), head(params["logvar"])


def sample(key, mu, logvar):
  """The reparameterised sample mu + exp(logvar / 2) * eps, eps ~ N(0, I) from `key`."""
  return mu + jnp.exp(0.5 * logvar) * jax.random.normal(key, mu.shape)


def decode(cfg, params, z):
  """Output pre-activations (logits, or the Gaussian's means) (n, d)."""
  layers = params["dec"]
  h = _hidden(cfg, layers[:-1], z)
  return h @ layers[-1]["w"] + layers[-1]["b"][None, :]


def decode_np(cfg, params, z):
  """decode() of one seed in NumPy, for what figures draw (mlp.forward_np)."""
  layers = params["dec"]
  return mlp.forward_np(layers, z, [cfg.activation] * (len(layers) - 1) + [None])


def kl(mu, logvar):
  """KL(N(mu, exp(logvar)) || N(0, I)) per sample and dimension (n, k), in closed form."""
  return 0.5 * (jnp.exp(logvar) + mu ** 2 - 1.0 - logvar)


def log_likelihood(cfg, params, out, x):
  """log p(x | z) per sample (n,), from the decoder's output."""
  if cfg.likelihood == "bernoulli":
    return -jnp.sum(jnp.logaddexp(0.0, out) - x * out, axis=-1)  # -BCE with logits
  log_sigma = params["log_sigma"] if cfg.sigma == 0 else math.log(cfg.sigma)
  var = jnp.exp(2 * log_sigma)
  return -0.5 * jnp.sum((x - out) ** 2 / var + 2 * log_sigma + math.log(2 * math.pi), axis=-1)


def neg_elbo(cfg, params, x, key, beta=1.0):
  """Mean over samples of -(E_q[log p(x|z)] - beta KL), one reparameterised sample each."""
  mu, logvar = encode(cfg, params, x)
  z = sample(key, mu, logvar)
  rec = log_likelihood(cfg, params, decode(cfg, params, z), x)
  return jnp.mean(-rec + beta * kl(mu, logvar).sum(-1))


def beta_at(cfg, step):
  """The KL weight at a step: --beta, ramped from 0 over --kl_warmup steps."""
  if not cfg.kl_warmup:
    return cfg.beta
  return cfg.beta * jnp.minimum(1.0, step / cfg.kl_warmup)


@keyed
def task(cfg, d):
  """The VAE on data {"x": (n, d)}: the loss draws its reparameterisation sample from the
  step key; metrics at log points: the KL and the posterior means' reconstruction."""
  def loss(params, batch, key, step):
    return neg_elbo(cfg, params, batch["x"], key, beta_at(cfg, step))

  def metrics(params, data):
    x = data["x"]
    mu, logvar = encode(cfg, params, x)
    out = decode(cfg, params, mu)
    m = {"kl": kl(mu, logvar).sum(-1).mean()}
    if cfg.likelihood == "bernoulli":
      err = jnp.sum((out > 0) != (x > 0.5), axis=-1)  # logit > 0 is probability > 0.5
      m.update(max_pixel_error=err.max(), mean_pixel_error=err.mean())
    else:
      m["rmse"] = jnp.sqrt(jnp.mean((out - x) ** 2))
    return m

  return Task(lambda key: init(cfg, d, key), loss, metrics, uses_step=True)


# ---------------------------------------------------------------- evaluation (per seed)
def quantile_grid(g, latent_dim):
  """g x g latent points at standard-normal quantiles (i + 0.5) / g in the first two
  dimensions (the rest 0): a grid that covers the prior's mass evenly. Row-major from the
  top-left (low z1, high z2). NumPy, in float64 rounded once: as jnp, op by op, it dispatched
  some 40 small programs (a second of every vae run)."""
  q = np.array([statistics.NormalDist().inv_cdf((i + 0.5) / g) for i in range(g)])
  z1, z2 = np.meshgrid(q, q[::-1])
  z = np.zeros((g * g, latent_dim))
  z[:, 0] = z1.ravel()
  if latent_dim > 1:
    z[:, 1] = z2.ravel()
  return z.astype(np.float32)


@programs.jit(static_argnums=(0, 4))
def elbo(cfg, params, x, key, samples=64):
  """Monte Carlo ELBO per seed (params with a seed axis): mean over the data and `samples`
  reparameterised samples of log p(x|z) - KL (beta 1, whatever --beta trained with)."""
  def one(p):
    keys = jax.random.split(key, samples)
    return -jnp.mean(jax.vmap(lambda k: neg_elbo(cfg, p, x, k, 1.0))(keys))
  return jax.vmap(one)(params)


@programs.jit(static_argnums=0)
def posterior(cfg, params, x):
  """Per seed: the posterior means (seeds, n, k), log-variances, the decoder's output at the
  means (seeds, n, d) and the KL per dimension averaged over the data (seeds, k)."""
  def one(p):
    mu, logvar = encode(cfg, p, x)
    return mu, logvar, decode(cfg, p, mu), kl(mu, logvar).mean(0)
  return jax.vmap(one)(params)


@programs.jit(static_argnums=(1, 2))
def prior_draws(key, n, k):
  """n draws of the k-D standard normal prior from fold_in(key, 1): one kept program, where
  the two eager calls were a program each, traced every run."""
  return jax.random.normal(jax.random.fold_in(key, 1), (n, k))


@programs.jit(static_argnums=0)
def decode_all(cfg, params, z):
  """Every seed's decoder output at the latent points z (n, k): (seeds, n, d)."""
  return jax.vmap(lambda p: decode(cfg, p, z))(params)
