"""The same task for every tool people use instead, timed in one process, interleaved.

  python -m bench.peers                          # fonts 1-3, 8 seeds, 3000 Adam steps
  python -m bench.peers --batched_seeds=256 --fonts=font2

Task: 35-29-23-2-23-29-35, tanh on every hidden layer (the latent one too), linear outputs,
mean squared error, full batch, constant step 0.005, Glorot init, no weight decay; a pixel
is on when its output is above 0.5. Tools: this project (seeds batched in one compiled call,
also with --layout=columns, and one seed at a time); scikit-learn's MLPRegressor (adam with
the whole set as the batch, and lbfgs); NumPy forward/backward passes with scipy.optimize
L-BFGS-B on the flattened weights (the original's approach, done right); PyTorch eager and
torch.compile when torch is importable. Needs the bench extra (pip install -e ".[bench]");
torch is optional. The ratio columns give each tool's seconds per seed over this project's
--batched_seeds rows, rows and columns layouts, on the same font in the same run.
"""
import dataclasses
import statistics
import time
import warnings

import jax
import numpy as np
from absl import app, flags

from ae import autoencoder, data, train
from ae.config import TrainConfig
from experiments import common

_FONTS = flags.DEFINE_list("fonts", ["font1", "font2", "font3"], "Data sets.")
_SEEDS = flags.DEFINE_integer("seeds", 8, "Seeds per tool and font.")
_BATCHED = flags.DEFINE_integer("batched_seeds", 256, "Seeds of this project's batched row.")
_STEPS = flags.DEFINE_integer("steps", 3000, "Adam steps (L-BFGS: iterations).")
_TOOLS = flags.DEFINE_list("tools", None, "Only these tools (default: all).")

ARCH = (35, 29, 23, 2, 23, 29, 35)
ETA = 0.005
MODEL = autoencoder.AEConfig(arch=ARCH, activation="tanh", latent_activation="tanh",
                             loss="mse", init="glorot")


def config(seeds=1, seed=0):
  """This project's side of the task: --steps full-batch Adam steps at ETA, logged once."""
  return TrainConfig(optimizer="adam", schedule="constant", eta=ETA, iterations=_STEPS.value,
                     log_every=_STEPS.value, seeds=seeds, seed=seed)


def nets(seeds):
  """name -> (model, TrainConfig) for --steps full-batch steps: "peers", this task's net and
  Adam (config), and "default", the default recipe (bench.profile and bench.layout)."""
  return {"peers": (MODEL, config(seeds)),
          "default": (autoencoder.AEConfig(), TrainConfig(
              iterations=_STEPS.value, log_every=_STEPS.value, seeds=seeds))}


NETS = ("peers", "default")  # the names nets() gives


def ours_batched(x, seeds, repeat=3, layout="rows"):
  """Median over `repeat` fits of the same seeds (compiled once): this machine is noisy."""
  cfg = config(seeds)
  times, comp = [], 0.0
  for _ in range(repeat):
    fit = train.fit_seeds(autoencoder.task(dataclasses.replace(MODEL, layout=layout)),
                          {"x": x}, cfg)
    times.append(fit.timing["train_seconds"] / seeds)
    comp += fit.timing["compile_seconds"]
  out = np.stack([np.asarray(autoencoder.reconstruct(MODEL, train.seed_params(fit.params, i),
                                                     x)) for i in range(seeds)])
  return out, statistics.median(times), comp


def ours_sequential(x, seeds):
  outs, times, comp = [], [], 0.0
  for s in range(seeds):
    fit = train.fit_seeds(autoencoder.task(MODEL), {"x": x}, config(seed=s))
    outs.append(np.asarray(autoencoder.reconstruct(MODEL, train.seed_params(fit.params, 0),
                                                   x)))
    times.append(fit.timing["train_seconds"])
    comp += fit.timing["compile_seconds"]
  return np.stack(outs), statistics.median(times), comp


def sklearn(x, seeds, solver):
  from sklearn.exceptions import ConvergenceWarning  # pylint: disable=g-import-not-at-top
  from sklearn.neural_network import MLPRegressor  # pylint: disable=g-import-not-at-top
  outs, times = [], []
  for s in range(seeds):
    kw = dict(solver="adam", batch_size=len(x), learning_rate_init=ETA, shuffle=False) if (
        solver == "adam") else dict(solver="lbfgs", max_fun=10**9)
    m = MLPRegressor(hidden_layer_sizes=ARCH[1:-1], activation="tanh", alpha=0.0,
                     max_iter=_STEPS.value, tol=0.0, n_iter_no_change=10**9, random_state=s,
                     **kw)
    t = time.perf_counter()
    with warnings.catch_warnings():
      warnings.simplefilter("ignore", ConvergenceWarning)
      m.fit(x, x)
    times.append(time.perf_counter() - t)
    outs.append(m.predict(x))
  return np.stack(outs), statistics.median(times), 0.0


SHAPES = list(zip(ARCH[:-1], ARCH[1:]))  # (fan_in, fan_out) of each layer


def unflat(v):
  """Flat NumPy weights, layer by layer (w row-major, then b) -> [(w, b), ...]."""
  out, at = [], 0
  for a, b in SHAPES:
    out.append((v[at:at + a * b].reshape(a, b), v[at + a * b:at + a * b + b]))
    at += a * b + b
  return out


def numpy_forward(layers, x):
  """Every layer's output for inputs x, [x, h1, ..., logits]: tanh but on the last."""
  hs = [x]
  for k, (w, b) in enumerate(layers):
    z = hs[-1] @ w + b
    hs.append(z if k == len(layers) - 1 else np.tanh(z))
  return hs


def numpy_loss_grad(v, x):
  """The task's MSE and its analytic gradient (flat, as v), forward and backward in NumPy."""
  layers = unflat(v)
  hs = numpy_forward(layers, x)
  diff = hs[-1] - x
  loss = np.mean(diff ** 2)
  delta, grads = 2 * diff / diff.size, []
  for k in range(len(layers) - 1, -1, -1):
    w, _ = layers[k]
    grads.append((hs[k].T @ delta, delta.sum(0)))
    if k:
      delta = (delta @ w.T) * (1 - hs[k] ** 2)
  return loss, np.concatenate([np.concatenate([g.ravel(), gb]) for g, gb in grads[::-1]])


def numpy_lbfgs(x, seeds):
  """Forward and backward passes in NumPy (float64), L-BFGS-B on the flat weights."""
  import scipy.optimize  # pylint: disable=g-import-not-at-top
  outs, times = [], []
  for s in range(seeds):
    rng = np.random.default_rng(s)
    v0 = np.concatenate([np.concatenate([rng.normal(0, np.sqrt(2 / (a + b)), a * b),
                                         np.zeros(b)]) for a, b in SHAPES])
    t = time.perf_counter()
    r = scipy.optimize.minimize(numpy_loss_grad, v0, args=(x,), jac=True, method="L-BFGS-B",
                                options={"maxiter": _STEPS.value, "maxfun": 10**9,
                                         "ftol": 0, "gtol": 0})
    times.append(time.perf_counter() - t)
    outs.append(numpy_forward(unflat(r.x), x)[-1])
  return np.stack(outs), statistics.median(times), 0.0


def torch_adam(x, seeds, compiled):
  import torch  # pylint: disable=g-import-not-at-top
  torch.set_num_threads(len(jax.devices()))
  xt = torch.tensor(x)
  outs, times, comp = [], [], 0.0
  for s in range(seeds):
    torch.manual_seed(s)
    layers = []
    for k, (a, b) in enumerate(zip(ARCH[:-1], ARCH[1:])):
      lin = torch.nn.Linear(a, b)
      torch.nn.init.xavier_normal_(lin.weight)
      torch.nn.init.zeros_(lin.bias)
      layers += [lin] + ([torch.nn.Tanh()] if k < len(ARCH) - 2 else [])
    net = torch.nn.Sequential(*layers)
    opt = torch.optim.Adam(net.parameters(), lr=ETA)

    def step():
      opt.zero_grad()
      loss = torch.mean((net(xt) - xt) ** 2)
      loss.backward()
      opt.step()
    if compiled:
      # a fresh compile per seed: each seed's step is a new function, and past dynamo's
      # recompile limit (8) it would silently fall back to eager
      torch.compiler.reset()
      step = torch.compile(step)
      t = time.perf_counter()
      step()  # compiles
      comp += time.perf_counter() - t
    t = time.perf_counter()
    for _ in range(_STEPS.value - (1 if compiled else 0)):
      step()
    times.append(time.perf_counter() - t)
    with torch.no_grad():
      outs.append(net(xt).numpy())
  return np.stack(outs), statistics.median(times), comp


def counts(out, x):
  worst = ((out > .5) != (x > .5)).sum(-1).max(-1)
  return int((worst <= 1).sum()), int((worst == 0).sum()), len(worst)


def main(argv):
  del argv
  common.use_all_cores()
  n, steps = _SEEDS.value, _STEPS.value
  tools = {
      f"ae-lab, {_BATCHED.value} seeds batched": lambda x: ours_batched(x, _BATCHED.value),
      f"ae-lab, {_BATCHED.value} seeds batched, --layout=columns":
          lambda x: ours_batched(x, _BATCHED.value, layout="columns"),
      f"ae-lab, {n} seeds batched": lambda x: ours_batched(x, n),
      "ae-lab, one seed at a time": lambda x: ours_sequential(x, n),
      "scikit-learn MLPRegressor, adam": lambda x: sklearn(x, n, "adam"),
      "scikit-learn MLPRegressor, lbfgs": lambda x: sklearn(x, n, "lbfgs"),
      "NumPy + scipy L-BFGS-B": lambda x: numpy_lbfgs(x, n),
      "PyTorch eager": lambda x: torch_adam(x, n, False),
      "PyTorch torch.compile": lambda x: torch_adam(x, n, True),
  }
  try:
    import torch  # noqa: F401  pylint: disable=g-import-not-at-top,unused-import
  except ImportError:
    print("(torch is not importable: the PyTorch rows are skipped)")
    tools = {k: v for k, v in tools.items() if "PyTorch" not in k}
  if _TOOLS.value:
    tools = {k: v for k, v in tools.items() if any(t in k for t in _TOOLS.value)}
  # the ratio columns: this project's batched rows (rows and columns layouts), when they run
  refs = [k for k in tools if k.startswith(f"ae-lab, {_BATCHED.value} seeds batched")] or \
      [next(iter(tools))]
  print(f"{'-'.join(map(str, ARCH))}, tanh, MSE, full batch, {steps} steps (Adam {ETA}; "
        f"L-BFGS: iterations), {n} seeds per tool unless its name says; fonts run in turn, "
        f"every tool on each font before the next\n")
  print(f"| tool | font | s per seed | compile s | "
        f"{' | '.join(f'x slower than {r!r}' for r in refs)} | seeds <= 1 px | seeds 0 px |")
  print("|---" * (6 + len(refs)) + "|")
  for font in _FONTS.value:
    x = data.load(font).x
    base = {}
    for name, tool in tools.items():
      out, per_seed, comp = tool(x)
      le1, zero, m = counts(out, x)
      base.setdefault(name, per_seed)
      ratios = " | ".join(f"{per_seed / base[r]:.1f}" if r in base else "" for r in refs)
      print(f"| {name} | {font} | {per_seed:.4f} | {comp:.1f} | {ratios} | {le1}/{m} | "
            f"{zero}/{m} |", flush=True)


if __name__ == "__main__":
  app.run(main)
