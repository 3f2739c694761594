"""One adapter over full minimisers: jaxopt, optax, optimistix (all JAX) and scipy.optimize.

  >>> fun = lambda x, a: jnp.sum((x - a) ** 2)
  >>> solve = make(fun, "bfgs", backend="optimistix", steps=20)
  >>> x, info = jax.jit(solve)(jnp.zeros(3), jnp.ones(3))   # JAX backends: jit, vmap, scan
  >>> bool(jnp.allclose(x, 1.0, atol=1e-4))
  True
  >>> x, info = minimize(fun, np.zeros(3, "f4"), (np.ones(3, "f4"),), "powell", "scipy", steps=1000)
  >>> bool(np.allclose(x, 1.0, atol=1e-3)), info["evaluations"] > 0   # on the host
  (True, True)

`fun(x, *args)` returns a scalar; x is any pytree. `steps` caps the iterations, `tol` stops
earlier (0: never early). info has value (fun at x), iterations, and for scipy evaluations and
seconds. Third-party solver modules are imported here only, lazily (jaxopt and optimistix cost
~2 s each to import).
"""
import functools
import time

import jax
import jax.numpy as jnp
import numpy as np
import optax
from jax.flatten_util import ravel_pytree

from ae import InputError
from ae.choices import backend_for, on_host


def make(fun, method="bfgs", backend=None, steps=100, tol=0.0):
  """A pure JAX function (x0, *args) -> (x, info) running `method` for up to `steps` iterations."""
  backend = backend_for(method, backend)
  if on_host(method, backend):
    raise InputError("the scipy backend runs on the host: use solvers.minimize, not make")
  return {"jaxopt": _jaxopt, "optax": _optax_lbfgs, "optimistix": _optimistix}[backend](
      fun, method, steps, tol)


def _jaxopt(fun, method, steps, tol):
  import jaxopt  # pylint: disable=g-import-not-at-top
  cls = {"bfgs": jaxopt.BFGS, "lbfgs": jaxopt.LBFGS, "cg": jaxopt.NonlinearCG}[method]
  # implicit_diff off: we never differentiate through the solution.
  solver = cls(fun=fun, maxiter=steps, tol=tol, implicit_diff=False)

  def run(x0, *args):
    x, state = solver.run(x0, *args)
    return x, {"value": fun(x, *args), "iterations": state.iter_num}
  return run


def _optax_lbfgs(fun, method, steps, tol):
  del method
  opt = optax.lbfgs()

  def run(x0, *args):
    f = lambda x: fun(x, *args)
    value_and_grad = optax.value_and_grad_from_state(f)

    def body(carry):
      x, state, _ = carry
      value, grad = value_and_grad(x, state=state)
      updates, state = opt.update(grad, state, x, value=value, grad=grad, value_fn=f)
      return optax.apply_updates(x, updates), state, optax.tree.norm(grad)

    def cond(carry):
      _, state, gnorm = carry
      n = optax.tree.get(state, "count")
      # stop at `steps`, at a small gradient, or at a non-finite one (a diverged seed)
      return (n < steps) & ((n == 0) | ((gnorm > tol) & jnp.isfinite(gnorm)))

    x, state, _ = jax.lax.while_loop(cond, body, (x0, opt.init(x0), jnp.asarray(jnp.inf)))
    return x, {"value": f(x), "iterations": optax.tree.get(state, "count")}
  return run


def _optimistix(fun, method, steps, tol):
  import optimistix as optx  # pylint: disable=g-import-not-at-top
  cls = {"bfgs": optx.BFGS, "lbfgs": optx.LBFGS, "cg": optx.NonlinearCG}[method]
  solver = cls(rtol=tol, atol=tol)

  def run(x0, *args):
    sol = optx.minimise(lambda x, a: fun(x, *a), solver, x0, args, max_steps=steps, throw=False)
    return sol.value, {"value": fun(sol.value, *args), "iterations": sol.stats["num_steps"]}
  return run


class _OutOfTime(Exception):
  pass


def minimize(fun, x0, args=(), method="bfgs", backend=None, steps=100, tol=0.0, seconds=None,
             callback=None):
  """Any backend, called from the host; JAX backends are jitted once per (fun, shapes).

  callback (scipy only): called as callback(evaluations, best value) at every evaluation;
  returning True stops the call there (info["timed_out"] is then True, as for `seconds`).
  """
  if not on_host(method, backend):
    return _jitted(fun, method, backend_for(method, backend), steps, tol)(x0, *args)
  return _scipy(fun, x0, args, method, steps, tol, seconds, callback)


def prepare(fun, x0, args, method):
  """Compiles the host solver's jitted loss (and gradient) ahead of a timed call."""
  import scipy.optimize  # noqa: F401  pylint: disable=g-import-not-at-top,unused-import
  flat0, _, jf, jfg = _scipy_fns(fun, x0)
  v = np.asarray(flat0)  # numpy, as _scipy passes it: the same jit cache entry
  jax.block_until_ready(jf(v, args) if method == "powell" else jfg(v, args))


@functools.lru_cache(maxsize=64)
def _jitted(fun, method, backend, steps, tol):
  # jax.jit around run: an unjitted jaxopt run re-traces on every call (~5 s each here).
  return jax.jit(make(fun, method, backend, steps, tol))


_SCIPY_FNS = {}


def _scipy_fns(fun, x0):
  """Jitted loss and value-and-grad of the flattened params, compiled once per (fun, shapes)."""
  if isinstance(x0, (np.ndarray, jax.Array)) and np.ndim(x0) == 1:
    flat0, unravel = np.asarray(x0), lambda v: v  # already flat: no eager ops to compile
  else:
    flat0, unravel = ravel_pytree(x0)
  key = (fun, jax.tree.structure(x0), tuple(np.shape(a) for a in jax.tree.leaves(x0)))
  if key not in _SCIPY_FNS:
    g = lambda v, args: fun(unravel(v), *args)
    _SCIPY_FNS[key] = (jax.jit(g), jax.jit(jax.value_and_grad(g)))
  return flat0, unravel, *_SCIPY_FNS[key]


def _scipy(fun, x0, args, method, steps, tol, seconds, callback):
  """scipy.optimize on the flattened params; loss (and gradient) jitted; float64 on the host."""
  import scipy.optimize  # pylint: disable=g-import-not-at-top
  flat0, unravel, jf, jfg = _scipy_fns(fun, x0)
  f = lambda v: jf(v, args)
  fg = lambda v: jfg(v, args)
  dtype = flat0.dtype
  v0 = np.asarray(flat0)  # numpy, like every later call (one jit cache entry)
  jax.block_until_ready(f(v0) if method == "powell" else fg(v0))  # compile off the clock
  count, best = [0], [np.inf, np.asarray(flat0, np.float64)]
  start = time.perf_counter()

  def check(v, value):
    count[0] += 1
    if value < best[0]:
      best[0], best[1] = value, np.array(v)
    if seconds is not None and time.perf_counter() - start > seconds:
      raise _OutOfTime
    if callback is not None and callback(count[0], best[0]):
      raise _OutOfTime

  def value_only(v):
    value = float(f(np.asarray(v, dtype)))
    check(v, value)
    return value

  def value_grad(v):
    value, g = fg(np.asarray(v, dtype))
    check(v, float(value))
    return float(value), np.asarray(g, np.float64)

  name = {"bfgs": "BFGS", "lbfgs": "L-BFGS-B", "cg": "CG", "powell": "Powell"}[method]
  options = {"maxiter": steps}
  try:
    if method == "powell":
      r = scipy.optimize.minimize(value_only, best[1], method=name, options=options,
                                  tol=tol or None)
    else:
      r = scipy.optimize.minimize(value_grad, best[1], jac=True, method=name, options=options,
                                  tol=tol or None)
    iterations, timed_out = int(r.nit), False
  except _OutOfTime:
    iterations, timed_out = None, True
  elapsed = time.perf_counter() - start
  x = unravel(jnp.asarray(best[1], dtype))
  return x, {"value": best[0], "iterations": iterations, "evaluations": count[0],
             "seconds": elapsed, "timed_out": timed_out}
