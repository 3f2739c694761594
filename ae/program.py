"""One seed's training as pure functions: start, run a slice of the schedule, log a row.

`Program(task, cfg)` holds them for a task and a config; ae/train.py vmaps them over seeds
and drives them from the host. `fit` runs a whole schedule for one seed in one pure call.
"""
import jax
import jax.numpy as jnp
import numpy as np
import optax
from jax.flatten_util import ravel_pytree

from ae import InputError, optim, schedule, solvers
from ae.task import Task, param_shapes

_EVAL = 0x7FFFFFFF  # fold_in tag of the fixed key the logged loss is evaluated with


def step_keys(key, t):
  """Keys of step t: (minibatch, loss noise, solver objective)."""
  return jax.random.split(jax.random.fold_in(key, t), 3)


def flat_layout(shapes):
  """(shape, dtype, unravel) of one flat vector holding a pytree of these shapes (one dtype):
  jax.flatten_util.ravel_pytree's layout and inverse, built from the shapes alone (from
  arrays of zeros, it compiled a dozen small programs on every run)."""
  leaves, treedef = jax.tree.flatten(shapes)
  dtypes = {jnp.dtype(s.dtype) for s in leaves}
  if len(dtypes) != 1:
    raise ValueError(f"a task's parameters share one dtype, got {sorted(map(str, dtypes))}")
  sizes = [int(np.prod(s.shape)) for s in leaves]

  def unravel(flat):   # as ravel_pytree's: split at the leaves' ends, each reshaped
    parts = jnp.split(flat, np.cumsum(sizes)[:-1])
    return jax.tree.unflatten(treedef, [p.reshape(s.shape) for p, s in zip(parts, leaves)])

  return (sum(sizes),), dtypes.pop(), unravel


RUN_FIELDS = ("eta",)  # TrainConfig fields that may differ per run in one program (hyper)


class Program:
  """The per-seed pure functions, built from a task and a config (static) once per fit.

  task: a Task, or a function hyper -> Task, for values batched across runs (hyper: a dict
  of per-run scalars in the state; RUN_FIELDS are applied to the optimizer here, the rest is
  the task's to use, e.g. the init's std).
  its: the schedule's solver iterations per call (schedule.solver_iterations; None: no calls).
  """

  def __init__(self, task, cfg, its):
    self.make = task if not isinstance(task, Task) else (lambda hyper: task)
    self.task, self.cfg = self.make({}), cfg
    shapes = param_shapes(self.task)
    # The optimizer sees one flat vector: one fused update instead of one per array (faster
    # to compile and to run); the loss unravels it back into the task's pytree.
    self.size, self.dtype, self.unravel = flat_layout(shapes)
    self.shapes = shapes
    self.opt = cfg.optimizer_for()
    self.its = its
    self.host = its is not None and cfg.host_solver
    self.solve = None
    if its is not None and not self.host:
      self.solve = solvers.make(self.objective, cfg.solver, cfg.backend, its, cfg.solver_tol)

  def opt_for(self, hyper):
    """The optimizer with this run's eta (the same state structure for every eta)."""
    if self.opt is None or "eta" not in hyper:
      return self.opt
    return self.cfg.optimizer_for(hyper["eta"])

  def unravel_host(self, flat):
    """NumPy (seeds, size) -> the params pytree with a seed axis (no device work)."""
    leaves, treedef = jax.tree.flatten(self.shapes)
    out, at = [], 0
    for s in leaves:
      size = int(np.prod(s.shape))
      out.append(flat[:, at:at + size].reshape((flat.shape[0],) + s.shape))
      at += size
    return jax.tree.unflatten(treedef, out)

  def objective(self, flat, data, key, t=0, hyper=None):
    task = self.make(hyper or {})
    if task.uses_step:
      return task.loss(self.unravel(flat), data, key, t)
    return task.loss(self.unravel(flat), data, key)

  def placeholder(self, key, hyper):
    """A state of the right shapes holding only the run's key and hyper values; the INIT
    entry (the first of every schedule) replaces the rest. Initialising inside `run` keeps
    one compiled program."""
    flat = jnp.zeros(self.size, self.dtype)
    return {"flat": flat, "opt": self.opt.init(flat) if self.opt else (), "key": key,
            "hyper": hyper}

  def init(self, state):
    hyper = state["hyper"]
    k_init, k_run = jax.random.split(state["key"])
    flat, _ = ravel_pytree(self.make(hyper).init(k_init))
    opt = self.opt_for(hyper)
    return {"flat": flat, "opt": opt.init(flat) if opt else (), "key": k_run, "hyper": hyper}

  def row(self, state, data, t, iterations):
    """One history row; iterations: of the solver call just made, or -1 after none."""
    flat, hyper = state["flat"], state["hyper"]
    out = {"loss": self.objective(flat, data, jax.random.fold_in(state["key"], _EVAL), t,
                                  hyper)}
    if self.opt is None:
      eta = jnp.nan
    else:
      eta = optim.current_eta(state["opt"])
      if eta is None:
        eta = optim.schedule(self.cfg.schedule, hyper.get("eta", self.cfg.eta),
                             self.cfg.iterations)(t)
    out["eta"] = jnp.asarray(eta, jnp.float32)
    out["solver"] = jnp.asarray(iterations >= 0, jnp.float32)
    out["solver_iterations"] = jnp.maximum(jnp.asarray(iterations, jnp.int32), 0)
    metrics = self.make(hyper).metrics
    if metrics is not None:
      values = metrics(self.unravel(flat), data)
      shaped = {k: jnp.shape(v) for k, v in values.items() if jnp.shape(v) != ()}
      if shaped:
        name, shape = next(iter(shaped.items()))
        raise InputError(f"Task.metrics must return scalars: {name!r} has shape {shape}")
      out.update(values)
    return out

  def step(self, state, data, t):
    """Optimizer step t: its minibatch (all of data without --batch_size), the loss with the
    step's key, one update."""
    n, bs = jax.tree.leaves(data)[0].shape[0], self.cfg.batch_size
    k_batch, k_loss, _ = step_keys(state["key"], t)
    batch = data
    if bs and bs < n:
      idx = jax.random.permutation(k_batch, n)[:bs]
      batch = jax.tree.map(lambda a: a[idx], data)
    value, g = jax.value_and_grad(self.objective)(state["flat"], batch, k_loss, t,
                                                  state["hyper"])
    updates, opt_state = self.opt_for(state["hyper"]).update(g, state["opt"], state["flat"],
                                                             value=value)
    return dict(state, flat=optax.apply_updates(state["flat"], updates), opt=opt_state)

  def steps(self, state, data, t0, t1):
    """Optimizer steps t0..t1-1."""
    return jax.lax.fori_loop(t0, t1, lambda t, st: self.step(st, data, t), state), jnp.int32(-1)

  def solver_call(self, state, data, t):
    flat, info = self.solve(state["flat"], data, step_keys(state["key"], t)[2], t,
                            state["hyper"])
    return dict(state, flat=flat), jnp.asarray(info["iterations"], jnp.int32)

  def run(self, state, data, entries, n):
    """Runs entries[:n] (rows of (kind, t0, t1)); returns the state and one row per entry
    (rows past n are left as zeros)."""
    zero = jax.eval_shape(self.row, state, data, 0, -1)
    rows = jax.tree.map(lambda s: jnp.zeros((entries.shape[0],) + s.shape, s.dtype), zero)

    def body(i, carry):
      st, rows = carry
      st, its = self.entry(st, data, entries[i, 0], entries[i, 1], entries[i, 2])
      r = self.row(st, data, entries[i, 2], its)
      return st, jax.tree.map(lambda b, v: b.at[i].set(v), rows, r)

    return jax.lax.fori_loop(0, n, body, (state, rows))

  @property
  def kinds(self):
    """The entry kinds `run` executes, in its switch's order: INIT always, STEPS with an
    optimizer, SOLVE with a device solver (a host solver's calls never reach `run`)."""
    return ((schedule.INIT,) + ((schedule.STEPS,) if self.opt else ()) +
            ((schedule.SOLVE,) if self.solve is not None else ()))

  def check_entries(self, kinds):
    """ValueError when the schedule holds an entry kind `run` has no branch for (a solver call
    on the host is run by the caller); `entry` itself has no fallback."""
    extra = set(int(k) for k in kinds) - set(self.kinds) - ({schedule.SOLVE} if self.host
                                                              else set())
    if extra:
      raise ValueError(f"entry kinds {sorted(extra)} have no branch in this program "
                       f"(it runs {self.kinds})")

  def entry(self, state, data, kind, t0, t1):
    """One schedule entry: (state, the solver's iterations, or -1 after none)."""
    branches = {schedule.INIT: lambda s: (self.init(s), jnp.int32(-1)),
                schedule.STEPS: lambda s: self.steps(s, data, t0, t1),
                schedule.SOLVE: lambda s: self.solver_call(s, data, t0)}
    index = jnp.searchsorted(jnp.asarray(self.kinds, jnp.int32), kind)  # kind's branch
    return jax.lax.switch(index, [branches[k] for k in self.kinds], state)


def fit(task, data, cfg, key):
  """One seed, the whole schedule in one pure function (jit and vmap it freely).
  Returns (params, history) with history rows at the schedule's log steps."""
  plan = schedule.build(cfg)
  prog = Program(task, cfg, schedule.solver_iterations(plan))
  if prog.host:
    raise InputError("the scipy solver backend runs on the host: use train.fit_seeds")
  entries = schedule.entries(plan, cfg.log_every)
  prog.check_entries(np.unique(np.asarray(entries)[:, 0]))
  entries = jnp.asarray(entries)
  data = jax.tree.map(jnp.asarray, data)
  state, history = prog.run(prog.placeholder(key, {}), data, entries, entries.shape[0])
  history["solver_iterations"] = jnp.cumsum(history["solver_iterations"]).astype(jnp.int32)
  return prog.unravel(state["flat"]), history
