"""Solver calls on the host (the scipy backend): seed after seed, between the compiled chunks
of ae/train.py, each call's row logged by the compiled program's own row function."""
import jax
import jax.numpy as jnp
import numpy as np

from ae import placement, solvers
from ae.program import step_keys


class HostSolver:
  """Solver calls on the host (scipy), seed after seed, between compiled chunks."""

  def __init__(self, prog, cfg, state, data, data_per_run, at):
    self.prog, self.cfg = prog, cfg
    n, size = state["flat"].shape
    self.row = placement.jit(jax.vmap(prog.row, in_axes=(0, 0 if data_per_run else None, None, 0)),
                    at, at and (at.seed, at.data(data_per_run), at.replicated, at.seed)).lower(
                        state, data, np.int32(0), jax.ShapeDtypeStruct((n,), np.int32)).compile()
    self.solve_key = placement.jit(jax.vmap(lambda key, t: step_keys(key, t)[2], in_axes=(0, None)),
                          at, at and (at.seed, at.replicated)).lower(
                              state["key"], np.int32(0)).compile()
    key0 = jnp.asarray(np.zeros(state["key"].shape[1:], state["key"].dtype))
    hyper0 = {k: jnp.zeros((), v.dtype) for k, v in state["hyper"].items()}
    data0 = jax.tree.map(lambda a: jnp.zeros(a.shape[1:], a.dtype), data) if data_per_run \
        else data
    solvers.prepare(prog.objective, jnp.zeros(size, state["flat"].dtype),
                    (data0, key0, np.int32(0), hyper0), cfg.solver)

  def __call__(self, state, data, data_per_run, entry, n_real, progress, should_stop):
    t = int(entry[1])
    flat = np.array(state["flat"])
    keys = np.asarray(self.solve_key(state["key"], np.int32(t)))  # host copies: no device pinned
    its = np.zeros(flat.shape[0], np.int32)
    stopped = [False]
    def callback(evaluations, best):
      if progress is not None:
        progress(evaluations=evaluations, best=best)
      stopped[0] = stopped[0] or (should_stop is not None and should_stop())
      return stopped[0]
    for s in range(n_real):  # padded seeds keep their params
      if stopped[0]:
        break
      data_s = jax.tree.map(lambda a, s=s: a[s], data) if data_per_run else data
      hyper_s = {k: v[s] for k, v in state["hyper"].items()}
      x, info = solvers.minimize(self.prog.objective, flat[s],
                                 (data_s, jnp.asarray(keys[s]), np.int32(t), hyper_s),
                                 self.cfg.solver, "scipy", self.prog.its, self.cfg.solver_tol,
                                 self.cfg.solver_seconds, callback)
      flat[s] = np.asarray(x)
      its[s] = info["evaluations"] if info["iterations"] is None else info["iterations"]
    state = dict(state, flat=jax.device_put(flat, state["flat"].sharding))
    return state, jax.device_get(self.row(state, data, np.int32(t), its)), stopped[0]
