"""The same task for every tool people use instead, timed side by side, interleaved.

  python -m bench.peers                          # fonts 1-3, 8 seeds, 3000 Adam steps
  python -m bench.peers --batched_seeds=256 --fonts=font2

Task: 35-29-23-2-23-29-35, tanh on every hidden layer (the latent one too), linear outputs,
mean squared error, full batch, constant step 0.005, Glorot init, no weight decay; a pixel
is on when its output is above 0.5. Tools: this project (seeds batched in one compiled call,
also with --layout=rows, and one seed at a time); scikit-learn's MLPRegressor (adam with
the whole set as the batch, and lbfgs); NumPy forward/backward passes with scipy.optimize
L-BFGS-B on the flattened weights (the original's approach, done right); PyTorch eager and
torch.compile when torch is importable. Needs the bench extra (pip install -e ".[bench]");
torch is optional. MLPRegressor (adam) runs a second time in one process per core, each
fitting the same seeds at once: a fit of it uses one core, this project's batched rows use
every core, so that row's ratio is the one per core.

Interleaved: each font runs in --rounds rounds, and in every round each tool runs once (a
batched row: one fit of all its seeds; the others: their share of the --seeds seeds), so
the machine's drift (up to 2x between minutes here) hits every tool alike. The ratio columns
give each tool's seconds per seed over this project's --batched_seeds rows (rows and columns
layouts), round by round: the median over the rounds, then the lowest and highest.
"""
import dataclasses
import statistics
import sys
import time
import warnings

import jax
import numpy as np
from absl import app, flags

from ae import InputError, autoencoder, data, train
from bench.nets import ARCH, BATCHED, ETA, MODEL, SEEDS, STEPS, config, nets  # noqa: F401
from experiments import startup

_FONTS = flags.DEFINE_list("fonts", ["font1", "font2", "font3"], "Data sets.")
_TOOLS = flags.DEFINE_list("tools", None, "Only these tools (default: all).")
_ROUNDS = flags.DEFINE_integer("rounds", 3, "Interleaved rounds per font (at most --seeds): a "
                               "batched row fits once per round.", lower_bound=1)


@flags.validator("fonts")
def _fonts_load(names):
  for name in names:
    try:
      data.load(name)
    except InputError as e:
      raise flags.ValidationError(e.flag_message.replace("--dataset", "--fonts")) from None
  return True




# Every tool is tool(x, seeds) -> (outputs, seconds per seed (a list), compile seconds):
# seeds are the indices of this round's share; a batched row ignores them and fits its own.


def ours_batched(x, seeds, layout=MODEL.layout):
  """One fit of seeds 0..seeds-1 in one compiled call (compiled on the first call only)."""
  fit = train.fit_seeds(autoencoder.task(dataclasses.replace(MODEL, layout=layout)),
                        {"x": x}, config(seeds))
  out = np.stack([np.asarray(autoencoder.reconstruct(MODEL, train.seed_params(fit.params, i),
                                                     x)) for i in range(seeds)])
  return out, [fit.timing["train_seconds"] / seeds], fit.timing["compile_seconds"]


def ours_sequential(x, seeds):
  outs, times, comp = [], [], 0.0
  for s in seeds:
    fit = train.fit_seeds(autoencoder.task(MODEL), {"x": x}, config(seed=s))
    outs.append(np.asarray(autoencoder.reconstruct(MODEL, train.seed_params(fit.params, 0),
                                                   x)))
    times.append(fit.timing["train_seconds"])
    comp += fit.timing["compile_seconds"]
  return np.stack(outs), times, comp


def sklearn(x, seeds, solver, steps=None):
  """steps: default --steps (a worker process passes it: its flags are not parsed)."""
  from sklearn.exceptions import ConvergenceWarning  # pylint: disable=g-import-not-at-top
  from sklearn.neural_network import MLPRegressor  # pylint: disable=g-import-not-at-top
  outs, times = [], []
  for s in seeds:
    kw = dict(solver="adam", batch_size=len(x), learning_rate_init=ETA, shuffle=False) if (
        solver == "adam") else dict(solver="lbfgs", max_fun=10**9)
    m = MLPRegressor(hidden_layer_sizes=ARCH[1:-1], activation="tanh", alpha=0.0,
                     max_iter=steps or STEPS.value, tol=0.0, n_iter_no_change=10**9,
                     random_state=s, **kw)
    t = time.perf_counter()
    with warnings.catch_warnings():
      warnings.simplefilter("ignore", ConvergenceWarning)
      m.fit(x, x)
    times.append(time.perf_counter() - t)
    outs.append(m.predict(x))
  return np.stack(outs), times, 0.0


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


def numpy_lbfgs(x, seeds, steps=None):
  """Forward and backward passes in NumPy (float64), L-BFGS-B on the flat weights."""
  import scipy.optimize  # pylint: disable=g-import-not-at-top
  outs, times = [], []
  for s in seeds:
    rng = np.random.default_rng(s)
    v0 = np.concatenate([np.concatenate([rng.normal(0, np.sqrt(2 / (a + b)), a * b),
                                         np.zeros(b)]) for a, b in SHAPES])
    t = time.perf_counter()
    r = scipy.optimize.minimize(numpy_loss_grad, v0, args=(x,), jac=True, method="L-BFGS-B",
                                options={"maxiter": steps or STEPS.value, "maxfun": 10**9,
                                         "ftol": 0, "gtol": 0})
    times.append(time.perf_counter() - t)
    outs.append(numpy_forward(unflat(r.x), x)[-1])
  return np.stack(outs), times, 0.0


# One process per core for the peers that use one core: MLPRegressor and the NumPy peer run
# their small products on one thread (OpenBLAS does not split them; one thread measured the
# same), while this project's batched rows use every core. A row of these gives the
# machine's throughput with that many fits at once, the fair ratio per core.
_IN_PROCESS = {"adam": lambda x, s, n: sklearn(x, s, "adam", n),
               "numpy": lambda x, s, n: numpy_lbfgs(x, s, n)}


def _child_ready(barrier):
  import scipy.optimize  # noqa: F401  pylint: disable=g-import-not-at-top,unused-import
  try:  # imported here, not in the first timed fit; one BLAS thread per process
    import sklearn.neural_network  # noqa: F401  pylint: disable=g-import-not-at-top,unused-import
    import threadpoolctl  # pylint: disable=g-import-not-at-top
    threadpoolctl.threadpool_limits(1)
  except ImportError:  # the NumPy peer needs neither
    pass
  barrier.wait()  # no child takes a fit before every child has started


def _fit_in_child(kind, x, seeds, steps):
  return _IN_PROCESS[kind](x, seeds, steps)[0]


class Processes:
  """n worker processes that each fit the same seeds at once; a call returns a tool's
  (outputs, [wall seconds over all n x seeds fits], 0). They start on the first call."""

  def __init__(self, n):
    self.n, self.pool = n, None

  def __call__(self, kind, x, seeds, steps):
    if self.pool is None:
      import multiprocessing  # pylint: disable=g-import-not-at-top
      ctx = multiprocessing.get_context("spawn")  # not fork: this process runs XLA's threads
      self.pool = ctx.Pool(self.n, _child_ready, (ctx.Barrier(self.n),))
      self.pool.map(int, range(self.n), chunksize=1)  # returns once every child is ready
    t = time.perf_counter()
    outs = self.pool.starmap(_fit_in_child, [(kind, x, list(seeds), steps)] * self.n,
                             chunksize=1)
    wall = time.perf_counter() - t
    assert all(np.array_equal(o, outs[0]) for o in outs), "the same seeds, other outputs"
    return outs[0], [wall / (self.n * len(seeds))], 0.0

  def close(self):
    if self.pool is not None:
      self.pool.close()
      self.pool.join()


def torch_adam(x, seeds, compiled):
  import torch  # pylint: disable=g-import-not-at-top
  torch.set_num_threads(len(jax.devices()))
  xt = torch.tensor(x)
  outs, times, comp = [], [], 0.0
  for s in seeds:
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
    for _ in range(STEPS.value - (1 if compiled else 0)):
      step()
    times.append(time.perf_counter() - t)
    with torch.no_grad():
      outs.append(net(xt).numpy())
  return np.stack(outs), times, comp


def counts(out, x):
  worst = ((out > .5) != (x > .5)).sum(-1).max(-1)
  return int((worst <= 1).sum()), int((worst == 0).sum()), len(worst)


def main(argv):
  del argv
  startup.use_all_cores()
  n, steps, b = SEEDS.value, STEPS.value, BATCHED.value
  rounds = min(_ROUNDS.value, n)
  cores = len(jax.devices())  # one device per core (startup.use_all_cores)
  procs = Processes(cores)
  batched = {f"ae-lab, {b} seeds batched": lambda x, _: ours_batched(x, b),
             f"ae-lab, {b} seeds batched, --layout=rows":
                 lambda x, _: ours_batched(x, b, layout="rows"),
             f"ae-lab, {n} seeds batched": lambda x, _: ours_batched(x, n)}
  tools = dict(batched, **{
      "ae-lab, one seed at a time": ours_sequential,
      "scikit-learn MLPRegressor, adam": lambda x, s: sklearn(x, s, "adam"),
      f"scikit-learn MLPRegressor, adam, {cores} processes at once":
          lambda x, s: procs("adam", x, s, steps),
      "scikit-learn MLPRegressor, lbfgs": lambda x, s: sklearn(x, s, "lbfgs"),
      "NumPy + scipy L-BFGS-B": numpy_lbfgs,
      "PyTorch eager": lambda x, s: torch_adam(x, s, False),
      "PyTorch torch.compile": lambda x, s: torch_adam(x, s, True),
  })
  try:
    import torch  # noqa: F401  pylint: disable=g-import-not-at-top,unused-import
  except ImportError:
    print("(torch is not importable: the PyTorch rows are skipped)")
    tools = {k: v for k, v in tools.items() if "PyTorch" not in k}
  if _TOOLS.value:
    names = list(tools)
    tools = {k: v for k, v in tools.items() if any(t in k for t in _TOOLS.value)}
    if not tools:
      sys.exit(f"bench.peers: error: --tools={','.join(_TOOLS.value)} matches none of: "
               f"{'; '.join(names)}")
  # the ratio columns: this project's batched rows (rows and columns layouts), when they run
  refs = [k for k in tools if k.startswith(f"ae-lab, {b} seeds batched")] or [next(iter(tools))]
  print(f"{'-'.join(map(str, ARCH))}, tanh, MSE, full batch, {steps} steps (Adam {ETA}; "
        f"L-BFGS: iterations), {n} seeds per tool unless its name says; each font in {rounds} "
        f"interleaved rounds (batched rows: one fit per round; the others: {n} seeds split "
        f"over the rounds); ratios: median over the rounds (lowest-highest)\n")
  print(f"| tool | font | s per seed | compile s | "
        f"{' | '.join(f'x slower than {r!r}' for r in refs)} | seeds <= 1 px | seeds 0 px |")
  print("|---" * (6 + len(refs)) + "|")
  shares = [list(map(int, p)) for p in np.array_split(np.arange(n), rounds)]
  for font in _FONTS.value:
    x = data.load(font).x
    outs = {k: [] for k in tools}
    times = {k: [] for k in tools}    # every seconds-per-seed measurement
    by_round = {k: [] for k in tools}  # the median of each round's
    comp = dict.fromkeys(tools, 0.0)
    start = time.perf_counter()
    for r, share in enumerate(shares):
      for name, tool in tools.items():
        out, ts, c = tool(x, share)
        outs[name] = [out] if name in batched else outs[name] + [out]  # batched: same bits
        times[name] += ts
        by_round[name].append(statistics.median(ts))
        comp[name] += c
      print(f"  {font}: round {r + 1}/{rounds} done, {time.perf_counter() - start:.0f} s",
            file=sys.stderr, flush=True)
    for name in tools:
      le1, zero, m = counts(np.concatenate(outs[name]), x)
      ratios = " | ".join(ratio(by_round[name], by_round[r]) for r in refs)
      print(f"| {name} | {font} | {statistics.median(times[name]):.4f} | {comp[name]:.1f} | "
            f"{ratios} | {le1}/{m} | {zero}/{m} |", flush=True)
  procs.close()


def ratio(mine, ref):
  """'median (lowest-highest)' of a tool's seconds per seed over ref's, round by round."""
  r = sorted(a / b for a, b in zip(mine, ref))
  return f"{statistics.median(r):.1f} ({r[0]:.1f}-{r[-1]:.1f})" if len(r) > 1 else f"{r[0]:.1f}"


if __name__ == "__main__":
  app.run(main)
