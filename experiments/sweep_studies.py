"""The original study's parameter studies: each is a list of values, each value a full
(data, model, training) configuration that differs from the base in one respect.

The values come from the original's slides; the base is their starting point (eta 0.01, 300
iterations, normal init with std 0.6, tanh everywhere, 35-29-23-2-23-29-35, font2, no solver:
their solver call was a no-op, so their runs were plain gradient descent) or, with --base=best,
latent2d's default recipe.
"""
import dataclasses
from typing import NamedTuple

from ae import InputError
from ae.config import TrainConfig
from ae.data import DataConfig
from ae.models import AEConfig

ORIG = (35, 29, 23, 2, 23, 29, 35)
BASES = {
    "original": (DataConfig(), AEConfig(arch=ORIG, activation="tanh", latent_activation="tanh",
                                        loss="mse_tanh", init="normal", init_std=0.6),
                 TrainConfig(optimizer="sgd", schedule="constant", eta=0.01, iterations=300,
                             log_every=10)),
    "best": (DataConfig(), AEConfig(), TrainConfig(log_every=10)),
}
DEFAULTS = {
    "eta": "0.0005,0.005,0.01,0.05,0.1,0.15,0.45,adaptive",
    "iterations": "220,300,400,500,600,1500",
    "activation": "tanh,sigmoid,relu",
    "solver": "none,bfgs,cg,lbfgs,powell",
    "frequency": "1,2,4,10,30,50,150,never",
    "std": "0.2,0.6,0.73,0.9,1.3",
    "dataset": "font1,font2,font3,font1:10,font2:10,font3:10",
    "arch": "35-28-23-2-23-28-35,35-29-21-2-21-29-35,35-64-32-2-32-64-35,35-16-2-16-35",
    "optimizer": "sgd,momentum,adam",
}
STUDIES = tuple(DEFAULTS)
ETA_GRID = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3)  # the optimizer study's search for each best eta
SOLVER_EVERY = 10  # the solver study calls each solver after every 10 steps


class Value(NamedTuple):
  label: str
  data: DataConfig
  model: AEConfig
  train: TrainConfig


def _num(study, text, kind):
  try:
    v = kind(text)
  except ValueError:
    raise InputError(f"--values: {text!r} is not a value the {study} study can take") from None
  if kind is float and not (v > 0 and v < float("inf")):
    raise InputError(f"--values: the {study} study needs positive numbers, got {text!r}")
  if kind is int and v < 1:
    raise InputError(f"--values: the {study} study needs positive whole numbers, got {text!r}")
  return v


def values(study, base="original", override=None, solver_steps=5, powell_seconds=0.02):
  """The study's Values, in order (override: its comma-separated values instead)."""
  if study not in DEFAULTS:
    raise InputError(f"--study must be one of {', '.join(STUDIES)}, all, or presets; "
                     f"got {study!r}")
  data, model, train = BASES[base]
  r = dataclasses.replace
  out = []
  texts = override or DEFAULTS[study]
  if study == "solver" and override is None and model.n_params > 5000:
    # dense BFGS stores n^2 floats per seed: on 8,933 weights and 16 seeds it alone would
    # take about 15 minutes on 2 cores; --values=...,bfgs asks for it
    texts = ",".join(t for t in texts.split(",") if t != "bfgs")
  for text in texts.split(","):
    text = text.strip()
    d, m, t = data, model, train
    if study == "eta":
      t = r(t, adaptive_eta=True) if text == "adaptive" else r(t, eta=_num(study, text, float))
    elif study == "iterations":
      t = r(t, iterations=_num(study, text, int))
    elif study == "activation":
      if text not in ("tanh", "sigmoid", "relu", "identity"):
        raise InputError(f"--values: the activation study takes tanh, sigmoid, relu, identity; "
                         f"got {text!r}")
      m = r(m, activation=text, latent_activation=text if m.latent_activation != "identity"
            else "identity")
    elif study == "solver":
      if text not in ("none", "bfgs", "cg", "lbfgs", "powell"):
        raise InputError(f"--values: the solver study takes none, bfgs, cg, lbfgs, powell; "
                         f"got {text!r}")
      if text != "none":
        t = r(t, solver=text, minimize_every=SOLVER_EVERY, solver_steps=solver_steps)
        if text == "powell":
          t = r(t, solver_steps=10**6, solver_seconds=powell_seconds)
    elif study == "frequency":
      if text != "never":
        t = r(t, solver="lbfgs", minimize_every=_num(study, text, int),
              solver_steps=solver_steps)
    elif study == "std":
      m = r(m, init="normal", init_std=_num(study, text, float))
    elif study == "dataset":
      name, _, n = text.partition(":")
      if name not in ("font1", "font2", "font3"):
        raise InputError(f"--values: the dataset study takes font1..font3, optionally "
                         f"':n' for the first n glyphs; got {text!r}")
      d = r(d, dataset=name, n_chars=_num(study, n, int) if n else None)
    elif study == "arch":
      try:
        arch = tuple(int(v) for v in text.split("-"))
      except ValueError:
        raise InputError(f"--values: the arch study takes sizes joined by '-', e.g. "
                         f"35-29-23-2-23-29-35; got {text!r}") from None
      if len(arch) < 3 or min(arch) != 2:
        raise InputError(f"--values: the arch study compares 2-D latent spaces; {text} has "
                         f"{'no hidden layer' if len(arch) < 3 else f'a {min(arch)}-D one'}")
      m = r(m, arch=arch)
    elif study == "optimizer":
      if text not in ("sgd", "momentum", "nesterov", "adam"):
        raise InputError(f"--values: the optimizer study takes sgd, momentum, nesterov, adam; "
                         f"got {text!r}")
      t = r(t, optimizer=text)
    out.append(Value(text, d, m, t))
  if len({v.label for v in out}) != len(out):
    raise InputError("--values repeats a value")
  return out


def presets():
  """The original's two best parameter sets (experiments/presets) and the default recipe."""
  r = dataclasses.replace
  d, m, t = BASES["original"]
  common = dict(optimizer="sgd", schedule="constant", iterations=220, log_every=10,
                solver="bfgs", solver_steps=10)
  d10 = r(d, n_chars=10)
  return [Value("params1", d10, r(m, arch=(35, 28, 23, 2, 23, 28, 35), init_std=0.73),
                TrainConfig(eta=0.0085, minimize_every=4, **common)),
          Value("params2", d10, r(m, arch=(35, 29, 21, 2, 21, 29, 35), init_std=0.68),
                TrainConfig(eta=0.0073, minimize_every=2, **common)),
          Value("default recipe, 10 glyphs", d10, AEConfig(), TrainConfig(log_every=10)),
          Value("default recipe, 32 glyphs", d, AEConfig(), TrainConfig(log_every=10))]
