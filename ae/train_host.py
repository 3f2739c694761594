"""Training with a host-side solver (scipy.optimize): optimizer blocks are compiled, the solver
calls run in Python, one seed after another. Same history layout as train.fit."""
import time

import jax
import jax.numpy as jnp
import numpy as np

from ae import solvers, train


def fit_seeds_host(x, y, cfg, seed=0, n_seeds=1, progress=None):
  """Like train.fit_seeds for --solver_backend=scipy. compile_seconds is estimated as the
  first seed's extra time over the others' average (it pays the compiles)."""
  x, y = jnp.asarray(x), jnp.asarray(y)
  loss_fn = train.parts(jax.random.PRNGKey(0), x, y, cfg).loss_fn  # depends on shapes only
  k = cfg.steps if cfg.optimizer == "none" else cfg.minimize_every
  n_blocks, rem = divmod(cfg.steps, k)

  @jax.jit
  def start(key):
    p = train.parts(key, x, y, cfg)
    return (p.flat, p.opt_state), p.metrics((p.flat, p.opt_state), 0)

  @jax.jit
  def run_block(key, carry, ts):
    p = train.parts(key, x, y, cfg)
    carry, _ = jax.lax.scan(p.step, carry, ts)
    return carry, p.metrics(carry, ts[-1] + 1)

  @jax.jit
  def after_solver(key, carry, t, iterations):
    return train.parts(key, x, y, cfg).metrics(carry, t, iterations)

  def one(key):
    carry, first = start(key)
    entries = [first]
    for b in range(n_blocks):
      if cfg.optimizer != "none":
        carry, before = run_block(key, carry, jnp.arange(b * k, (b + 1) * k))
        entries.append(before)
      flat, info = solvers.minimize(loss_fn, carry[0], (x, y), cfg.solver, "scipy",
                                    cfg.steps if cfg.optimizer == "none" else cfg.solver_steps,
                                    cfg.solver_tol, cfg.solver_seconds)
      carry = (flat, carry[1])
      done = info["evaluations"] if info["iterations"] is None else info["iterations"]
      entries.append(after_solver(key, carry, (b + 1) * k, done))
      if progress is not None:
        progress((b + 1) * k)
    if rem and cfg.optimizer != "none":
      carry, last = run_block(key, carry, jnp.arange(n_blocks * k, cfg.steps))
      entries.append(last)
    history = {name: np.stack([np.asarray(e[name]) for e in entries]) for name in entries[0]}
    history["solver_iterations"] = np.cumsum(history["solver_iterations"]).astype(np.int32)
    unravel = train.parts(key, x, y, cfg).unravel
    return jax.tree.map(np.asarray, unravel(carry[0])), history

  keys = train.seed_keys(seed, n_seeds)
  t0 = time.perf_counter()
  results = [one(keys[0])]
  t1 = time.perf_counter()
  results += [one(keys[i]) for i in range(1, n_seeds)]
  t2 = time.perf_counter()
  params = jax.tree.map(lambda *a: np.stack(a), *[r[0] for r in results])
  history = {name: np.stack([r[1][name] for r in results]) for name in results[0][1]}
  # The first seed paid the compiles: count its run at the other seeds' average cost (with one
  # seed there is nothing to compare with, and everything counts as training).
  per_seed = (t2 - t1) / (n_seeds - 1) if n_seeds > 1 else t1 - t0
  return params, history, {"compile_seconds": max(t1 - t0 - per_seed, 0.0),
                           "train_seconds": t2 - t1 + per_seed}
