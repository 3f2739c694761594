"""A plain MLP autoencoder: params are a list of {w, b}; the latent layer is the narrowest one.

Layers are (in, out) matrices so that `x @ w + b` works on a batch of row vectors.
`activation` is a name ("tanh": every hidden layer, the latent one included, as in the original
study) or a pair (hidden, latent), e.g. ("tanh", "identity") for a linear latent layer (the
default model's); it has no default here: ae/autoencoder.py passes the model's own. The last
layer returns pre-activations (logits); the loss decides how to squash them (see losses.py).
"""
import jax
import jax.numpy as jnp
import numpy as np

from ae import InputError, choices, tanh

ACTIVATIONS = {   # their names: choices.ACTIVATIONS
    "tanh": tanh.tanh,  # jnp.tanh bit for bit, faster on a CPU (ae/tanh.py)
    "sigmoid": jax.nn.sigmoid,
    "relu": jax.nn.relu,
    "identity": lambda h: h,
}
NUMPY_ACTIVATIONS = {   # the same in NumPy (forward_np), within float32 rounding
    "tanh": np.tanh,
    "sigmoid": lambda h: 1 / (1 + np.exp(-h)),
    "relu": lambda h: np.maximum(h, 0),
    "identity": lambda h: h,
}


def init(key, sizes, method="normal", std=0.6, mean=0.0):
  """Weights and biases for every layer.

  normal: w, b ~ N(mean, std^2), as in the original study (which meant std, not its std^2).
  glorot: w ~ N(0, 2 / (fan_in + fan_out)) (Glorot/Xavier normal), b = 0.
  All numbers come from one draw: one RNG kernel compiles far faster than one per array.
  """
  if method not in choices.INITS:
    raise InputError(f"--init must be one of {', '.join(choices.INITS)}, got {method!r}")
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


def split_activation(activation):
  """'tanh' -> ('tanh', 'tanh'); ('tanh', 'identity') stays as it is."""
  hidden, latent = (activation, activation) if isinstance(activation, str) else activation
  return hidden, latent


def _forward(layers, h, acts, columns=False):
  """acts: one activation name per layer, None for none (the output layer). columns: h is
  stored transposed, (features, samples) (apply_columns)."""
  for layer, a in zip(layers, acts):
    if columns:
      h = dense_t(layer["w"], h) + layer["b"][:, None]
    else:
      h = h @ layer["w"] + layer["b"][None, :]  # explicit broadcast over the batch
    h = h if a is None else ACTIVATIONS[a](h)
  return h


def forward_np(layers, h, acts):
  """_forward in NumPy float32, for what figures draw: a net of a few hundred weights runs in
  microseconds, where each new batch shape of a jitted decode is a program traced and lowered
  (~0.1 s). Equal to the jitted pass within float32 rounding (tests/test_mlp.py)."""
  h = np.asarray(h, np.float32)
  with np.errstate(over="ignore", invalid="ignore"):   # inf and nan as XLA's, unannounced
    for layer, a in zip(layers, acts):
      h = h @ np.asarray(layer["w"]) + np.asarray(layer["b"])
      h = h if a is None else NUMPY_ACTIVATIONS[a](h)
  return h


def layer_activations(sizes, activation):
  """One activation name per layer of `sizes`: hidden, latent on the layer into the latent
  one, None (logits) on the last."""
  hidden, latent = split_activation(activation)
  k, n = choices.latent_index(sizes), len(sizes) - 1
  return [hidden] * (k - 1) + [latent] + [hidden] * (n - k - 1) + [None]


def encode(params, x, activation):
  """x (n, d) -> z (n, k), the latent codes."""
  sizes = sizes_of(params)
  k = choices.latent_index(sizes)
  return _forward(params[:k], x, layer_activations(sizes, activation)[:k])


def decode(params, z, activation):
  """z (n, k) -> output logits (n, d)."""
  sizes = sizes_of(params)
  k = choices.latent_index(sizes)
  return _forward(params[k:], z, layer_activations(sizes, activation)[k:])


def apply(params, x, activation):
  """x (n, d) -> output logits (n, d): the whole autoencoder."""
  return decode(params, encode(params, x, activation), activation)


@jax.custom_vjp
def dense_t(w, ht):
  """w (in, out), ht (in, n) -> w.T @ ht (out, n). The barrier keeps XLA from folding the
  transpose into the product, which would make it a TN product again."""
  return jax.lax.optimization_barrier(w.T) @ ht


def _dense_t_fwd(w, ht):
  return dense_t(w, ht), (w, ht)


def _dense_t_bwd(res, dz):
  w, ht = res
  # dw = ht @ dz.T (NT: both contract their columns, the samples); dht = w @ dz (NN)
  return jax.lax.dot_general(ht, dz, (((1,), (1,)), ((), ()))), w @ dz


dense_t.defvjp(_dense_t_fwd, _dense_t_bwd)


def apply_columns(params, xt, activation):
  """apply() with every activation stored transposed, (features, samples): xt (d, n) ->
  output logits (d, n). The same function; its gradient has no TN product (a weight
  gradient that contracts the rows of both operands, which XLA's CPU backend runs on its
  slow dot emitter), but its sums run in another order: values agree to float rounding,
  not bit for bit (bench/layout.py)."""
  return _forward(params, xt, layer_activations(sizes_of(params), activation), columns=True)


def sizes_of(params):
  """The layer sizes a params pytree was made with (works with a leading seed axis too)."""
  return tuple([params[0]["w"].shape[-2]] + [p["w"].shape[-1] for p in params])
