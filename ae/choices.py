"""What each flag may name, and the checks of a configuration that need no computation.

Without JAX on purpose: the configurations (ae/models.py, ae/config.py) and the entry points'
flags are built from this module alone, so `--help` and a mistyped flag answer at once instead
of starting JAX (a second and more). The modules that compute (mlp, losses, optim, solvers,
noise) take their names from here.
"""
import math

from ae import InputError

# --- the model --------------------------------------------------------------------------------
ACTIVATIONS = ("tanh", "sigmoid", "relu", "identity")   # ae/mlp.py holds their functions
INITS = ("normal", "glorot")
# How each loss's output layer squashes its pre-activations: the one map (the explorer page
# draws its decodes with it, ae/explorer.py).
OUTPUT = {"bce": "sigmoid", "mse_sigmoid": "sigmoid", "mse_tanh": "tanh", "mse": "linear"}
LOSSES = tuple(OUTPUT)
PIXEL_LOSSES = tuple(k for k, v in OUTPUT.items() if v != "linear")
LAYOUTS = ("rows", "columns")
MAX_LAYERS = 32


def latent_index(sizes):
  """Index in `sizes` of the latent (narrowest) layer; the first one if several tie."""
  return min(range(len(sizes)), key=lambda i: sizes[i])


def check_arch(sizes, data_width=None):
  """Raises InputError unless `sizes` is a usable autoencoder architecture."""
  sizes = tuple(sizes)
  if len(sizes) > MAX_LAYERS + 1:   # compiling grows with depth: 400 layers take a minute
    raise InputError(f"--arch has {len(sizes)} layer sizes; at most {MAX_LAYERS + 1} "
                     f"({MAX_LAYERS} layers), far deeper than these experiments need")
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


# --- the noise of the denoising autoencoder (ae/noise.py) ----------------------------------------
NOISE_KINDS = ("flip", "salt", "pepper")
NOISE_MODELS = ("k", "p")


def check_level(level, model, d, flag):
  """InputError unless `level` is a valid k (0..d) or p (0..1) for glyphs of d pixels."""
  if model == "k":
    if level != int(level) or not 0 <= level <= d:
      raise InputError(f"{flag}: k must be a whole number of pixels in 0..{d} (a glyph has "
                       f"{d}), got {level:g}")
  elif not 0.0 <= level <= 1.0:
    raise InputError(f"{flag}: p must be a probability in [0, 1], got {level:g}")


# --- training: the optimizer (ae/optim.py) and the solvers (ae/solvers.py) ---------------------
OPTIMIZERS = ("sgd", "momentum", "nesterov", "adam")
SCHEDULES = ("constant", "cosine", "linear", "exponential", "warmup_cosine")


def check_optimizer(name, eta, schedule_name="constant", adaptive=None):
  """InputError unless optim.make accepts these settings (builds nothing)."""
  if name not in OPTIMIZERS:
    raise InputError(f"--optimizer must be one of {', '.join(OPTIMIZERS)}, got {name!r}")
  if adaptive is None and schedule_name not in SCHEDULES:
    raise InputError(f"--schedule must be one of {', '.join(SCHEDULES)}, got {schedule_name!r}")
  if isinstance(eta, (int, float)) and not (math.isfinite(eta) and eta > 0):
    raise InputError(f"--eta must be a positive finite number, got {eta}")
  if adaptive is not None:
    k, a, b = adaptive
    if not (k >= 1 and 0 < b < 1 and (a is None or a >= 0)):
      raise InputError(f"--adaptive_eta needs --adaptive_k >= 1, --adaptive_a >= 0 and "
                       f"0 < --adaptive_b < 1; got {k}, {a}, {b}")


METHODS = ("bfgs", "lbfgs", "cg", "powell")
BACKENDS = {
    "jaxopt": ("bfgs", "lbfgs", "cg"),
    "optax": ("lbfgs",),
    "optimistix": ("bfgs", "lbfgs", "cg"),
    "scipy": ("bfgs", "lbfgs", "cg", "powell"),
}
# The fastest backend that reaches the same loss, per method (bench/solvers.py, BUILD_NOTES.md).
DEFAULT_BACKEND = {"bfgs": "optimistix", "lbfgs": "optimistix", "cg": "optimistix", "powell": "scipy"}


def backend_for(method, backend=None):
  """Validates a (method, backend) pair; backend None picks the default. Returns the backend."""
  if method not in METHODS:
    raise InputError(f"--solver must be one of {', '.join(METHODS)}, got {method!r}")
  backend = backend or DEFAULT_BACKEND[method]
  if backend not in BACKENDS:
    raise InputError(f"--solver_backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
  if method not in BACKENDS[backend]:
    have = [b for b, ms in BACKENDS.items() if method in ms]
    raise InputError(f"--solver={method} is not in {backend}; use --solver_backend="
                     f"{' or '.join(have)}")
  return backend


def on_host(method, backend=None):
  """True when `method` on `backend` runs on the host (scipy), outside compiled code. The one
  place that decides it: every driver asks here."""
  return backend_for(method, backend) == "scipy"
