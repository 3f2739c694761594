"""A plain MLP autoencoder: params are a list of {w, b}; the latent layer is the narrowest one.

Layers are (in, out) matrices so that `x @ w + b` works on a batch of row vectors. Every hidden
layer, the latent one included, uses the same activation; the last layer returns
pre-activations (logits) and the loss decides how to squash them (see losses.py).
"""
import jax
import jax.numpy as jnp

from ae import InputError

ACTIVATIONS = {
    "tanh": jnp.tanh,
    "sigmoid": jax.nn.sigmoid,
    "relu": jax.nn.relu,
    "identity": lambda h: h,
}
INITS = ("normal", "glorot")


def latent_index(sizes):
  """Index in `sizes` of the latent (narrowest) layer; the first one if several tie."""
  return min(range(len(sizes)), key=lambda i: sizes[i])


def check_arch(sizes, data_width=None):
  """Raises InputError unless `sizes` is a usable autoencoder architecture."""
  sizes = tuple(sizes)
  if len(sizes) < 3 or any(not isinstance(s, int) or s < 1 for s in sizes):
    raise InputError(f"--arch needs at least 3 positive layer sizes, got {list(sizes)}")
  if sizes[0] != sizes[-1]:
    raise InputError(f"--arch must start and end with the same size, got {list(sizes)}")
  if data_width is not None and sizes[0] != data_width:
    raise InputError(f"--arch starts with {sizes[0]} but the data has {data_width} pixels "
                     f"per glyph; use e.g. --arch={data_width},{','.join(map(str, sizes[1:-1]))},"
                     f"{data_width}")
  k = latent_index(sizes)
  if k in (0, len(sizes) - 1):
    raise InputError(f"--arch {list(sizes)}: the narrowest (latent) layer must be inside")
  return sizes


def init(key, sizes, method="normal", std=0.6, mean=0.0):
  """Weights and biases for every layer.

  normal: w, b ~ N(mean, std^2), as in the original study (which meant std, not its std^2).
  glorot: w ~ N(0, 2 / (fan_in + fan_out)) (Glorot/Xavier normal), b = 0.
  All numbers come from one draw: one RNG kernel compiles far faster than one per array.
  """
  if method not in INITS:
    raise InputError(f"--init must be one of {', '.join(INITS)}, got {method!r}")
  shapes = [((n_in, n_out), (n_out,)) for n_in, n_out in zip(sizes[:-1], sizes[1:])]
  total = sum(a * b + b for (a, b), _ in shapes)
  eps = jax.random.normal(key, (total,))
  params, at = [], 0
  for (n_in, n_out), _ in shapes:
    w = eps[at:at + n_in * n_out].reshape(n_in, n_out)
    b = eps[at + n_in * n_out:at + n_in * n_out + n_out]
    at += n_in * n_out + n_out
    if method == "normal":
      params.append({"w": mean + std * w, "b": mean + std * b})
    else:
      params.append({"w": w * jnp.sqrt(2.0 / (n_in + n_out)), "b": jnp.zeros((n_out,))})
  return params


def _forward(layers, h, act, last_linear):
  f = ACTIVATIONS[act]
  for i, layer in enumerate(layers):
    h = h @ layer["w"] + layer["b"]
    if not (last_linear and i == len(layers) - 1):
      h = f(h)
  return h


def encode(params, x, activation="tanh", latent=None):
  """x (n, d) -> z (n, k). `latent` is the index of the latent layer in the size list."""
  latent = latent_index(sizes_of(params)) if latent is None else latent
  return _forward(params[:latent], x, activation, last_linear=False)


def decode(params, z, activation="tanh", latent=None):
  """z (n, k) -> output logits (n, d)."""
  latent = latent_index(sizes_of(params)) if latent is None else latent
  return _forward(params[latent:], z, activation, last_linear=True)


def apply(params, x, activation="tanh"):
  """x (n, d) -> output logits (n, d): the whole autoencoder."""
  return _forward(params, x, activation, last_linear=True)


def sizes_of(params):
  """The layer sizes a params pytree was made with (works with a leading seed axis too)."""
  return tuple([params[0]["w"].shape[-2]] + [p["w"].shape[-1] for p in params])
