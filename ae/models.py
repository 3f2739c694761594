"""The models' configurations: frozen dataclasses whose fields are the flags (each field's
default, help text and group in its metadata, ae/fields.py).

  AEConfig     the MLP autoencoder (ae/autoencoder.py)
  VAEConfig    the variational autoencoder (ae/vae.py)
  NoiseConfig  the denoising autoencoder's noise (ae/denoise.py)

Without JAX, like ae/config.py's TrainConfig: the entry points build their flags and --help
from these alone. A count that needs the model's shapes imports the model where it is asked.
"""
import dataclasses
import math

from ae import InputError, choices
from ae.fields import check_choices, check_finite, field

M = "model"


@dataclasses.dataclass(frozen=True)
class AEConfig:
  """The model. Defaults: the measured recipe of BUILD_NOTES.md."""
  arch: tuple = field((35, 64, 32, 2, 32, 64, 35), "Layer sizes, input to output; the narrowest "
                      "is the latent layer.", M)
  activation: str = field("tanh", "Activation of the hidden layers.", M, choices.ACTIVATIONS)
  latent_activation: str = field("identity", "Activation of the latent layer (the original "
                                 "study: tanh, like every layer).", M, choices.ACTIVATIONS)
  loss: str = field("bce", "bce: logits + binary cross-entropy; mse_*: squashed output + MSE "
                    "(mse_tanh is the original study's).", M, choices.LOSSES)
  init: str = field("glorot", "Weight init: glorot, or normal with --init_std/--init_mean.", M,
                    choices.INITS)
  init_std: float = field(0.6, "Std of the normal init.", M)
  init_mean: float = field(0.0, "Mean of the normal init.", M)
  layout: str = field("columns", "How training stores each layer's activations. columns: "
                      "(features, samples), up to 1.8x faster on a CPU (python -m bench.layout). "
                      "rows: (samples, features), the layout of earlier runs; the same loss and "
                      "gradients to float rounding, so long fits drift apart.", M,
                      choices.LAYOUTS)

  @property
  def group_seeds(self):
    """Task.group_seeds: columns measured 10% faster in groups even where its state fits in
    cache (BUILD_NOTES.md); rows keeps train.group_size's rule."""
    return self.layout == "columns"

  @property
  def acts(self):
    """(hidden, latent) activations, as mlp.apply takes them."""
    return (self.activation, self.latent_activation)

  @property
  def latent_dim(self):
    return min(self.arch)

  @property
  def n_params(self):
    """Parameters per seed (task.param_count of this model's task)."""
    from ae import autoencoder, task  # pylint: disable=g-import-not-at-top  (JAX)
    return task.param_count(autoencoder.task(self))

  def check(self, width=None):
    check_finite(self)
    check_choices(self)
    choices.check_arch(self.arch, width)
    if self.init == "normal" and not self.init_std > 0:
      raise InputError(f"--init_std must be positive, got {self.init_std}")
    if self.n_params > 50_000_000:
      raise InputError(f"--arch={','.join(map(str, self.arch))} has over 50 million parameters "
                       "per seed: far beyond what these experiments need")

  def without_effect(self):
    """{field: why} for fields without effect (see TrainConfig.without_effect)."""
    if self.init != "normal":
      return {f: "it only applies with --init=normal" for f in ("init_std", "init_mean")}
    return {}


MAX_LATENT = 256  # a study of 2-D latent spaces: far more dimensions only cost minutes


@dataclasses.dataclass(frozen=True)
class VAEConfig:
  hidden: tuple = field((64, 32), "Encoder hidden widths (the decoder mirrors them).", M,
                        kind="ints")
  latent_dim: int = field(2, "Latent dimensions, 2..256 (the figures show the first two).", M)
  activation: str = field("tanh", "Activation of the hidden layers.", M, choices.ACTIVATIONS)
  likelihood: str = field("auto", "bernoulli (binary data), gaussian (continuous), or auto: "
                          "by the data.", M, ("auto", "bernoulli", "gaussian"))
  sigma: float = field(0.01, "Std of the Gaussian likelihood; 0: learned.", M)
  beta: float = field(1.0, "Weight of the KL term (1: the ELBO).", M)
  kl_warmup: int = field(0, "Steps over which the KL weight ramps from 0 to --beta.", M)

  def check(self):
    check_finite(self)
    check_choices(self)
    if not 2 <= self.latent_dim <= MAX_LATENT:
      raise InputError(f"--latent_dim must be in 2..{MAX_LATENT} (the figures draw the first "
                       f"two dimensions), got {self.latent_dim}")
    if self.beta < 0:
      raise InputError(f"--beta must be >= 0, got {self.beta}")
    if self.sigma < 0 or self.kl_warmup < 0:
      raise InputError("--sigma and --kl_warmup must be >= 0")
    if not self.hidden or any(h < 1 for h in self.hidden):
      raise InputError(f"--hidden needs positive widths, got {self.hidden}")

  def without_effect(self):
    return {} if self.likelihood != "bernoulli" else {
        "sigma": "it only applies to a gaussian likelihood"}

  def n_params(self, d):
    """Parameters per seed on d-dimensional data (task.param_count of its task)."""
    from ae import task, vae  # pylint: disable=g-import-not-at-top  (JAX)
    return task.param_count(vae.task(self, d))


N = "noise"


@dataclasses.dataclass(frozen=True)
class NoiseConfig:
  noise: str = field("flip", "Which pixels noise may change: flip (any), salt (0 -> 1 only) "
                     "or pepper (1 -> 0 only; with --noise_model=k, a level may not exceed "
                     "the fewest pixels a glyph has to change).", N, choices.NOISE_KINDS)
  noise_model: str = field("k", "k: exactly k distinct pixels per glyph; p: each pixel "
                           "independently with probability p.", N, choices.NOISE_MODELS)
  train_noise: str = field("0:3", "Training noise: each glyph's level drawn at every step "
                           "uniformly in lo:hi (k: whole pixels, both ends included).", N)
  fixed_noise: bool = field(False, "Train on one fixed noisy copy of each glyph, drawn once, as "
                            "the original did, instead of fresh noise at every step.", N)
  eval_levels: str = field("0,1,2,3,4,5,6", "Noise levels to evaluate at (k or p values).", N)
  eval_copies: int = field(50, "Fresh noisy copies of every glyph per evaluated level.", N)

  def train_range(self):
    try:
      lo, hi = (float(v) for v in self.train_noise.split(":"))
    except ValueError:
      raise InputError(f"--train_noise takes 'lo:hi', e.g. 0:3, got {self.train_noise!r}") \
          from None
    if not (math.isfinite(lo) and math.isfinite(hi)):
      raise InputError(f"--train_noise takes finite levels 'lo:hi', got {self.train_noise!r}")
    return (int(lo), int(hi)) if self.noise_model == "k" else (lo, hi)

  def levels(self):
    try:
      vals = tuple(float(v) for v in self.eval_levels.split(",") if v.strip())
    except ValueError:
      vals = ()
    if not vals or not all(math.isfinite(v) for v in vals):
      raise InputError(f"--eval_levels takes finite levels separated by commas, got "
                       f"{self.eval_levels!r}")
    if len(set(vals)) != len(vals):
      raise InputError(f"--eval_levels repeats a level: {self.eval_levels!r}")
    return tuple(int(v) for v in vals) if self.noise_model == "k" and all(
        v == int(v) for v in vals) else vals

  def check(self, d):
    check_choices(self)
    lo, hi = self.train_range()
    for v in (lo, hi):
      choices.check_level(v, self.noise_model, d, "--train_noise")
    if lo > hi:
      raise InputError(f"--train_noise: lo must not exceed hi, got {self.train_noise}")
    for v in self.levels():
      choices.check_level(v, self.noise_model, d, "--eval_levels")
    if not 1 <= self.eval_copies <= 10_000:
      raise InputError(f"--eval_copies must be in 1..10000, got {self.eval_copies}")
