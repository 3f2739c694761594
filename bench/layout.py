"""The samples-minor layout, tried: activations stored (features, samples), no TN product.

  python -m bench.layout                        # both nets, 256 seeds, 1000 steps (~3 min)
  python -m bench.layout --nets=peers --steps=3000

ae/mlp.py stores a layer's activations as (samples, features). Each weight gradient then
contracts the rows of both operands (a TN product), and XLA's CPU backend runs those on its
own dot emitter: 1-22 GFLOP/s for the peers' net (bench.profile). Here the activations are
stored (features, samples). A custom VJP computes the forward product from a transposed copy
of w and the input gradient from w itself, so every per-seed product is NN or NT and runs on
YNNPACK. Params (w stays (in, out)), init, optimiser and loss are today's. Each net trains
through train.fit_seeds both ways, interleaved. The table gives the median seconds per seed
and the seeds with 0 wrong pixels. The sums run in another order, so no seed keeps today's
trajectory bit for bit. The last column gives the median relative gap between the two final
losses of a seed. For the peers' net, scikit-learn's MLPRegressor (adam, bench.peers' --seeds
seeds) runs in the same rounds, when the bench extra is installed, for the ratio the issue
sets (30x).
"""
import statistics

import jax
import numpy as np
from absl import app, flags

from ae import autoencoder, data, losses, mlp, train
from ae.program import Task
from bench import flops_per_seed, peers
from experiments import common

flags.set_default(peers._STEPS, 1000)  # pylint: disable=protected-access

_NETS = flags.DEFINE_list("nets", list(peers.NETS),
                          "peers: bench.peers' net and Adam; default: the default recipe.")
_REPEAT = flags.DEFINE_integer("repeat", 3, "Timed fits per layout and net (median).",
                               lower_bound=1)
flags.register_validator("nets", lambda v: set(v) <= set(peers.NETS),
                         "--nets takes peers and/or default")


@jax.custom_vjp
def dense_t(w, ht):
  """w (in, out), ht (in, n) -> w.T @ ht (out, n). The barrier keeps XLA from folding the
  transpose into the product, which would make it TN again."""
  return jax.lax.optimization_barrier(w.T) @ ht


def _dense_t_fwd(w, ht):
  return dense_t(w, ht), (w, ht)


def _dense_t_bwd(res, dz):
  w, ht = res
  # dw = ht @ dz.T (NT: both contract their columns, the samples); dht = w @ dz (NN)
  return jax.lax.dot_general(ht, dz, (((1,), (1,)), ((), ()))), w @ dz


dense_t.defvjp(_dense_t_fwd, _dense_t_bwd)


def logits_t(model, params, xt):
  """mlp.apply with every activation transposed: xt (d, n) -> output logits (d, n)."""
  for layer, a in zip(params, mlp.layer_activations(model.arch, model.acts)):
    xt = dense_t(layer["w"], xt) + layer["b"][:, None]
    xt = xt if a is None else mlp.ACTIVATIONS[a](xt)
  return xt


def task(model):
  """autoencoder.task(model) in the samples-minor layout (the loss is a mean over every
  pixel, so it is taken on the transposed arrays as they are)."""
  def loss(params, batch, key):
    del key
    return losses.from_logits(logits_t(model, params, batch["x"].T), batch["x"].T, model.loss)
  return Task(lambda key: autoencoder.init(model, key), loss)


def main(argv):
  del argv
  common.use_all_cores()
  seeds, steps = peers._BATCHED.value, peers._STEPS.value  # pylint: disable=protected-access
  n_sk = peers._SEEDS.value  # pylint: disable=protected-access
  x = data.load("font2").x
  print(f"font2, {seeds} seeds on {len(jax.devices())} devices, {steps} full-batch Adam steps;"
        f" medians of {_REPEAT.value} fits per layout after a compiling one, interleaved\n")
  print("| net | layout | s per seed | GFLOP/s | speed-up | x faster than MLPRegressor | "
        "seeds 0 px | final loss gap |\n|---|---|---|---|---|---|---|---|")
  sklearn = _has_sklearn()
  for name in _NETS.value:
    model, cfg = peers.nets(seeds)[name]
    tasks = {"(samples, features), today": autoencoder.task(model),
             "(features, samples)": task(model)}
    times = {k: [] for k in tasks}
    fits, sk = {}, []
    for i in range(_REPEAT.value + 1):
      for k, t in tasks.items():
        fits[k] = train.fit_seeds(t, {"x": x}, cfg)
        if i:  # the first fit compiles
          times[k].append(fits[k].timing["train_seconds"] / seeds)
      if i and name == "peers" and sklearn:  # its task is the peers' net's
        sk.append(peers.sklearn(x, n_sk, "adam")[1])
    final, errors = {}, {}
    for k, f in fits.items():
      final[k], errors[k] = map(np.asarray, autoencoder.evaluate(model, f.params, x))
    base = statistics.median(next(iter(times.values())))
    ref = next(iter(final.values()))
    net = f"{name} {'-'.join(map(str, model.arch))}"
    for k in tasks:
      t = statistics.median(times[k])
      gap = np.median(np.abs(final[k] - ref) / ref)
      print(f"| {net} | {k} | {t:.4f} | "
            f"{flops_per_seed(model.arch, len(x), steps) / t / 1e9:.0f} | {base / t:.2f} | "
            f"{f'{statistics.median(sk) / t:.1f}' if sk else ''} | "
            f"{int((errors[k].max(1) == 0).sum())}/{seeds} | {gap:.1%} |", flush=True)
    if sk:
      print(f"| {net} | scikit-learn MLPRegressor, adam, {n_sk} seed{'s' * (n_sk > 1)} | "
            f"{statistics.median(sk):.4f} |  |  | 1.0 |  |  |", flush=True)


def _has_sklearn():
  try:
    import sklearn  # noqa: F401  pylint: disable=g-import-not-at-top,unused-import
  except ImportError:
    print("(scikit-learn is not importable: no MLPRegressor ratio; pip install -e "
          '".[bench]")')
    return False
  return True


if __name__ == "__main__":
  app.run(main)
