"""The training core: any Task, any schedule, many seeds in one compiled program.

  >>> task = Task(init=lambda key: {"w": jax.random.normal(key, (3,))},   # pure functions
  ...             loss=lambda p, batch, key: jnp.mean((batch["x"] @ p["w"] - 1) ** 2))
  >>> fit = fit_seeds(task, {"x": np.eye(3)}, TrainConfig(seeds=8, iterations=100))
  >>> fit.params["w"].shape, fit.history["loss"].shape, fit.steps   # rows at log points
  ((8, 3), (8, 3), [0, 50, 100])
  >>> bool((fit.history["loss"][:, -1] < fit.history["loss"][:, 0]).all()), fit.interrupted
  (True, False)
  >>> sorted(fit.timing)
  ['compile_seconds', 'train_seconds']

The schedule (ae/schedule.py) is a list of entries (optimizer steps t0..t1, or a solver call);
one compiled, seed-vmapped function runs any slice of it, and the host calls it in chunks of
bounded wall time, so progress, Ctrl-C and the host (scipy) solver all happen between chunks.
"""
import dataclasses
import functools
import time
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from ae import InputError, placement, processes, programs, schedule
from ae.host_solver import HostSolver
from ae.placement import shard_seeds
from ae.config import TrainConfig  # noqa: F401  (the core API, in one import)
from ae.program import Program, fit  # noqa: F401
from ae.task import Task, param_count, task_of  # noqa: F401

CHUNK = 64         # entries one compiled call can run (fixed: one compile for any chunk)
TARGET_SECONDS = 0.5  # wall time aimed at per chunk (progress and Ctrl-C between chunks)


class Fit(NamedTuple):
  params: Any          # the task's params pytree, every leaf with a leading seed axis
  history: dict        # name -> (seeds, T): loss, eta, solver, solver_iterations, task metrics
  steps: list          # optimizer steps done at each of the T history rows
  timing: dict         # compile_seconds (tracing + XLA), train_seconds (after compilation)
  interrupted: bool    # stopped early by should_stop(); params/history are as far as it got


def seed_params(params, i):
  """Seed i's params (NumPy) out of params with a leading seed axis."""
  return jax.tree.map(lambda a: np.asarray(a[i]), params)


GROUP = 16  # on a CPU, seeds run in groups this size (lax.map): their state stays in cache
GROUP_ABOVE = 12 * 2**20  # ... once a device's seeds hold more than this much state (bytes)


def group_size(n_per_device, n_params=None, always=False):
  """Seeds per group on this platform: all of a device's seeds on a GPU, or on a CPU while
  their parameters, gradients and Adam moments (16 bytes per parameter) fit in about
  GROUP_ABOVE bytes; GROUP seeds at a time beyond (bench/scaling.py: at 1024 seeds of the
  default net one vmap costs 0.061 s per seed, groups of 16 0.038 s), or whenever a device
  has more than GROUP seeds with `always` (Task.group_seeds)."""
  if jax.devices()[0].platform != "cpu" or not GROUP or n_per_device <= GROUP:
    return None
  if n_params is not None and not always and 16 * n_params * n_per_device <= GROUP_ABOVE:
    return None
  return GROUP


def check_across_processes(cfg):
  """InputError when the run is one of several processes and cfg needs a host solver."""
  if cfg.host_solver and processes.several():
    raise InputError("a host (scipy) solver runs seed after seed in one process, between the "
                     "compiled chunks: not across processes; use --solver_backend=optimistix, "
                     "jaxopt or optax, or one process")


def fit_seeds(task, data, cfg, progress=None, should_stop=None):
  """Trains cfg.seeds copies of `task` (seed i from PRNGKey(cfg.seed + i)) in one compiled
  program.

  data: a pytree of arrays with a leading sample axis, shared by every seed.
  progress: optional callable(done, total, step, rows, **solver) after every chunk: done and
    total count history rows, step is the optimizer step reached, rows the chunk's new
    history rows (name -> (seeds, k)); during a host solver call it gets rows=None and
    evaluations=, best= instead.
  should_stop: optional callable() -> bool, asked before each chunk (and between host solver
    evaluations); True ends training there, with Fit.interrupted set (before the first
    chunk: no steps and no history, Fit.steps == []).
  """
  return fit_runs(task, data, cfg, list(range(cfg.seed, cfg.seed + cfg.seeds)),
                  progress=progress, should_stop=should_stop)


def fit_runs(task, data, cfg, seeds, hyper=None, data_per_run=False, progress=None,
             should_stop=None):
  """Like fit_seeds, for runs that may differ in more than their seed: run i trains from
  PRNGKey(seeds[i]) with the values hyper[name][i] (per-run scalars: "eta" for the
  optimizer, the rest for a task given as a function hyper -> Task), on data[i] when
  data_per_run (every leaf then has a leading run axis). All runs share one compiled
  program: values that change only numbers, not shapes or static settings, batch this way."""
  data = jax.tree.map(_on_device, data)
  cfg = _checked(cfg, seeds, data, data_per_run)
  plan = schedule.build(cfg)
  entries, logged = schedule.blocks(plan, cfg.log_every)  # blocks of <= MAX_BLOCK steps
  its = schedule.solver_iterations(plan)
  keys, hyper, data, at, group = _placed(task, cfg, seeds, hyper, data, data_per_run, its)
  if progress is not None:
    progress(0, len(entries), 0, None)  # compiling
  t0 = time.perf_counter()
  prog, place, run, host = _compiled(task, cfg, its, keys, hyper, data, data_per_run, at, group)
  prog.check_entries(np.unique(entries[:, 0]))
  compile_seconds = time.perf_counter() - t0
  t0 = time.perf_counter()
  state, rows, done, interrupted = _chunks(
      run, host, place(keys, hyper), data, data_per_run, entries, len(seeds), at, progress,
      should_stop)
  timing = {"compile_seconds": compile_seconds, "train_seconds": time.perf_counter() - t0}
  return _gathered(prog, state, rows, entries, logged, done, len(seeds), timing, interrupted)


def _on_device(a):
  """An array on the default device in JAX's dtype (float64 -> float32, as jnp.asarray):
  device_put, where jnp.asarray copies a NumPy array through a program of its own."""
  return a if isinstance(a, jax.Array) else jax.device_put(np.asarray(a))


def _checked(cfg, seeds, data, data_per_run):
  """cfg for these runs (its seed count theirs), after every check: InputError otherwise."""
  cfg = dataclasses.replace(cfg, seeds=len(seeds))  # cfg.seeds is ignored: `seeds` rules
  cfg.check(jax.tree.leaves(data)[0].shape[1 if data_per_run else 0])
  if not all(0 <= s < 2**31 for s in seeds):  # cfg.check has refused an empty list
    raise InputError(f"every seed must be in 0..2**31 - 1, got {list(seeds)[:4]}")
  check_across_processes(cfg)
  return cfg


_seed_keys = jax.jit(jax.vmap(jax.random.PRNGKey))   # seeds (int32) -> their keys, one program


def _placed(task, cfg, seeds, hyper, data, data_per_run, its):
  """The runs' keys, hyper values and data padded to the devices and placed on them:
  (keys, hyper, data, Placement or None, seeds per group or None)."""
  n = len(seeds)
  hyper = {k: jnp.asarray(v, jnp.float32) for k, v in (hyper or {}).items()}
  # optimistix's BFGS rejects shard_map's sharded abstract values: with a device solver the
  # seeds stay in one vmap, which XLA splits over the devices by itself
  device_solver = its is not None and not cfg.host_solver
  group = None if device_solver else group_size(-(-n // len(jax.devices())),
                                                param_count(task), task_of(task).group_seeds)
  keys, at = shard_seeds(_seed_keys(np.asarray(seeds, np.int32)), group)
  pad = keys.shape[0] - n
  hyper = _pad_runs(hyper, pad, at)
  if data_per_run:
    data = _pad_runs(data, pad, at)
  elif processes.several():  # replicated: every process holds all of it
    data = processes.place(data, at.replicated)
  return keys, hyper, data, at, group


def _chunks(run, host, state, data, data_per_run, entries, n, at, progress, should_stop):
  """Runs the entries in chunks of about TARGET_SECONDS (a host solver's calls between them):
  (state, each chunk's rows for the n real runs, entries done, interrupted)."""
  rows, i, per_entry = [], 0, None
  while i < len(entries):
    # every process takes the same chunk and stops at the same one (one tiny collective)
    stop, per_entry = processes.agree(should_stop is not None and should_stop(), per_entry)
    if stop:  # before the first step (the INIT entry alone is step 0): nothing trained
      return (state, [], 0, True) if i == 0 or entries[i - 1, 2] == 0 else (
          state, rows, i, True)
    if host is not None and entries[i, 0] == schedule.SOLVE:
      state, r, stopped = host(state, data, data_per_run, entries[i], n, progress and
                               functools.partial(progress, i, len(entries),
                                                 int(entries[i, 1]), None), should_stop)
      rows.append(jax.tree.map(lambda a: a[:n, None], r))
      i += 1
      if stopped:  # the solver call itself was cut short
        return state, rows, i, True
      if progress is not None:  # the bar's line again, after the solver's own
        progress(i, len(entries), int(entries[i - 1, 2]), rows[-1])
      continue
    m = 1 if per_entry is None else int(np.clip(TARGET_SECONDS / per_entry, 1, CHUNK))
    j = min(i + m, len(entries))
    if host is not None:  # stop before the next host solver call
      solve = np.flatnonzero(entries[i:j, 0] == schedule.SOLVE)
      j = i + int(solve[0]) if len(solve) else j
    chunk = np.zeros((CHUNK, 3), np.int32)
    chunk[:j - i] = entries[i:j]
    tc = time.perf_counter()
    if processes.several():
      chunk, count = processes.place((chunk, np.int32(j - i)), at.replicated)
    else:
      count = np.int32(j - i)
    state, r = run(state, data, chunk, count)
    # the real runs only: padding seeds never reach the progress bar or the history
    rows.append(jax.tree.map(lambda a, m=j - i: a[:n, :m], processes.gather(r)))
    if i > 0:  # the INIT entry alone says nothing of a step's cost
      per_entry = (time.perf_counter() - tc) / (j - i)
    i = j
    if progress is not None:
      progress(i, len(entries), int(entries[i - 1, 2]), rows[-1])
  return state, rows, i, False


def _gathered(prog, state, rows, entries, logged, done, n, timing, interrupted):
  """The Fit: the n real runs' params and their history at the logged rows (and the row
  where training stopped, when interrupted between logs)."""
  keep = logged[:done].copy()
  if done:
    keep[done - 1] = True
  history = {name: np.concatenate([np.asarray(r[name]) for r in rows], axis=1)[:, keep]
             for name in rows[0]} if rows else {}
  if history:
    history["solver_iterations"] = np.cumsum(history["solver_iterations"], 1).astype(np.int32)
  params = prog.unravel_host(np.asarray(processes.gather(state["flat"]))[:n])
  return Fit(params, history, schedule.log_steps(entries[:done][keep]), timing, interrupted)


def _grouped(fn, group, data_per_run):
  """vmap of fn(state, data, entries, n) over the seed axis, run `group` seeds at a time
  (lax.map over groups): on a CPU a group's state stays in cache for a whole chunk of
  steps, where one vmap over every seed streams all of them through memory at each step."""
  vf = jax.vmap(fn, in_axes=(0, 0 if data_per_run else None, None, None))

  def run(state, data, entries, n):
    s = jax.tree.leaves(state)[0].shape[0]
    if group is None or s <= group:
      return vf(state, data, entries, n)
    split = lambda a: a.reshape((s // group, group) + a.shape[1:])
    xs = (jax.tree.map(split, state), jax.tree.map(split, data) if data_per_run else None)
    out = jax.lax.map(lambda sd: vf(sd[0], sd[1] if data_per_run else data, entries, n), xs)
    return jax.tree.map(lambda a: a.reshape((s,) + a.shape[2:]), out)
  return run


def _pad_runs(tree, pad, at):
  """Per-run arrays padded like the keys (repeating run 0) and placed on the seed axis."""
  if pad:
    tree = jax.tree.map(lambda a: jnp.concatenate([a, jnp.repeat(a[:1], pad, 0)]), tree)
  return processes.place(tree, at.seed) if at is not None else tree


_CACHE = {}  # compiled programs by (task, config, shapes): a second fit does not recompile


def _avals(tree):
  return tuple((str(p), a.shape, str(a.dtype))
               for p, a in jax.tree_util.tree_flatten_with_path(tree)[0])


def _plain_state(run, state):
  """(plain, unplain, plain_run): the state with the optimizer's state as its list of leaves
  (jax.export writes built-in containers only, not optax's), back again, and `run` taking
  and returning plain states; unplain(f) is f taking and returning the task's states."""
  opt = jax.tree.structure(state["opt"])
  plain = lambda s: dict(s, opt=jax.tree.leaves(s["opt"]))
  back = lambda s: dict(s, opt=jax.tree.unflatten(opt, s["opt"]))

  def plain_run(s, *rest):
    s, rows = run(back(s), *rest)
    return plain(s), rows

  def unplain(f):
    def task_run(s, *rest):
      s, rows = f(plain(s), *rest)
      return back(s), rows
    task_run.compiled = f   # the program itself (bench/profile.py reads its HLO)
    return task_run
  return plain, unplain, plain_run


def _compiled(task, cfg, its, keys, hyper, data, data_per_run, at, group=None):
  """(program, placeholder state, run, host solver or None), compiled once per task,
  config and shapes; its: the schedule's solver iterations per call (None: no calls). The
  seed, --log_every and --minimize_every only shape the schedule's entries (an argument),
  so they do not recompile."""
  static = dataclasses.replace(cfg, seed=0, log_every=1, minimize_every=0 if its is None else 1)
  cache_key = (task, static, its, _avals(keys), _avals(hyper), _avals(data), data_per_run, at,
               group)
  if cache_key not in _CACHE:
    prog = Program(task, cfg, its)
    vplace = jax.vmap(prog.placeholder)
    place = placement.jit(vplace, at, at and (at.seed, at.seed)).lower(keys, hyper).compile()
    state = jax.eval_shape(vplace, keys, hyper)
    # run(state, data, entries, count): the state on the seed axis, the rest as it lives
    ins = at and (at.seed, at.data(data_per_run), at.replicated, at.replicated)
    per_device = _grouped(prog.run, group, data_per_run)
    if at is not None and group is not None:  # one program per device, its seeds in groups
      per_device = jax.shard_map(per_device, mesh=at.mesh, in_specs=tuple(s.spec for s in ins),
                                 out_specs=at.seed.spec, check_vma=False)
    plain, unplain, plain_run = _plain_state(per_device, state)
    key = task.key if isinstance(task, Task) else None   # a hyper -> Task function: none
    run = unplain(programs.compiled(
        plain_run, (plain(state), data, np.zeros((CHUNK, 3), np.int32), np.int32(0)),
        key and repr((key, static, its, data_per_run, at, group)),
        lambda f: placement.jit(f, at, ins)))
    host = HostSolver(prog, cfg, state, data, data_per_run, at) if prog.host else None
    if len(_CACHE) >= 8:
      _CACHE.pop(next(iter(_CACHE)))
    _CACHE[cache_key] = (prog, place, run, host)
  return _CACHE[cache_key]
