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
from jax.sharding import Mesh, NamedSharding, PartitionSpec

from ae import InputError, processes, schedule, solvers
from ae.config import TrainConfig  # noqa: F401  (the core API, in one import)
from ae.program import Program, fit, step_keys  # noqa: F401
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


def shard_seeds(keys, group=None):
  """Spreads the seed axis over all devices (CPU cores exposed as devices by the entry
  points, or GPUs; with several processes, every process's, each placing its own shards):
  XLA then runs each device's seeds on its own thread (measured 2.3x on 2 cores). The seed
  count is padded up to a multiple of the device count (times the group size, when seeds
  run in groups) with extra keys whose results the caller drops. Returns
  (keys, shardings): shardings is a dict of jit keyword arguments pinning every per-seed
  array to the seed axis and the rest replicated, or {} on one device."""
  devices = jax.devices()
  n = keys.shape[0]
  multiple = len(devices) * (group or 1)
  pad = -n % multiple
  if pad:
    extra = jax.vmap(jax.random.fold_in, in_axes=(None, 0))(keys[0], 1 + jnp.arange(pad))
    keys = jnp.concatenate([keys, extra])
  if not processes.many() and (len(devices) == 1 or n == 1):
    return keys, {}
  mesh = Mesh(np.array(devices), ("seed",))
  seed, rep = NamedSharding(mesh, PartitionSpec("seed")), NamedSharding(mesh, PartitionSpec())
  return processes.put(np.asarray(keys), seed), {"seed": seed, "replicated": rep, "mesh": mesh}


def _jit(fn, shardings, args):
  """jit of fn with its arguments on the seed axis ('s') or replicated ('r'), as `args`
  spells them, and every output on the seed axis."""
  if not shardings:
    return jax.jit(fn)
  kinds = {"s": shardings["seed"], "r": shardings["replicated"]}
  return jax.jit(fn, in_shardings=tuple(kinds[a] for a in args),
                 out_shardings=shardings["seed"])


def check_across_processes(cfg):
  """InputError when the run is one of several processes and cfg needs a host solver."""
  if cfg.host_solver and processes.many():
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
  data = jax.tree.map(jnp.asarray, data)
  cfg = dataclasses.replace(cfg, seeds=len(seeds))  # cfg.seeds is ignored: `seeds` rules
  cfg.check(jax.tree.leaves(data)[0].shape[1 if data_per_run else 0])
  if not all(0 <= s < 2**31 for s in seeds):  # cfg.check has refused an empty list
    raise InputError(f"every seed must be in 0..2**31 - 1, got {list(seeds)[:4]}")
  check_across_processes(cfg)
  plan = schedule.build(cfg)
  entries, logged = schedule.blocks(plan, cfg.log_every)  # blocks of <= MAX_BLOCK steps
  n = len(seeds)
  hyper = {k: jnp.asarray(v, jnp.float32) for k, v in (hyper or {}).items()}
  its = schedule.solver_iterations(plan)
  device_solver = its is not None and not cfg.host_solver
  # optimistix's BFGS rejects shard_map's sharded abstract values: with a device solver the
  # seeds stay in one vmap, which XLA splits over the devices by itself
  group = None if device_solver else group_size(-(-len(seeds) // len(jax.devices())),
                                                param_count(task), task_of(task).group_seeds)
  keys, shardings = shard_seeds(jax.vmap(jax.random.PRNGKey)(jnp.asarray(seeds)), group)
  hyper, data = _pad_runs(hyper, keys.shape[0] - n, shardings), (
      _pad_runs(data, keys.shape[0] - n, shardings) if data_per_run else data)
  if processes.many() and not data_per_run:  # replicated: every process holds all of it
    data = processes.put(data, shardings["replicated"])
  if progress is not None:
    progress(0, len(entries), 0, None)  # compiling
  t0 = time.perf_counter()
  prog, place, run, host = _compiled(task, cfg, its, keys, hyper, data, data_per_run,
                                     shardings, group)
  compile_seconds = time.perf_counter() - t0
  state = place(keys, hyper)

  rows, i, per_entry, interrupted = [], 0, None, False
  t0 = time.perf_counter()
  while i < len(entries):
    # every process takes the same chunk and stops at the same one (one tiny collective)
    stop, per_entry = processes.agree(should_stop is not None and should_stop(), per_entry)
    if stop:  # at 0: stopped before any training
      interrupted = True
      break
    if host is not None and entries[i, 0] == schedule.SOLVE:
      state, r, stopped = host(state, data, data_per_run, entries[i], n, progress and
                               functools.partial(progress, i, len(entries),
                                                 int(entries[i, 1]), None), should_stop)
      rows.append(jax.tree.map(lambda a: a[:n, None], r))
      i += 1
      if stopped:  # the solver call itself was cut short
        interrupted = True
        break
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
    if processes.many():
      chunk, count = processes.put((chunk, np.int32(j - i)), shardings["replicated"])
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
  train_seconds = time.perf_counter() - t0

  keep = logged[:i].copy()
  if i:
    keep[i - 1] = True  # where training stopped is a row too, when interrupted between logs
  history = {name: np.concatenate([np.asarray(r[name]) for r in rows], axis=1)[:, keep]
             for name in rows[0]} if rows else {}
  if history:
    history["solver_iterations"] = np.cumsum(history["solver_iterations"], 1).astype(np.int32)
  params = prog.unravel_host(np.asarray(processes.gather(state["flat"]))[:n])
  return Fit(params, history, schedule.log_steps(entries[:i][keep]),
             {"compile_seconds": compile_seconds, "train_seconds": train_seconds}, interrupted)


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


def _pad_runs(tree, pad, shardings):
  """Per-run arrays padded like the keys (repeating run 0) and placed on the seed axis."""
  if pad:
    tree = jax.tree.map(lambda a: jnp.concatenate([a, jnp.repeat(a[:1], pad, 0)]), tree)
  return processes.put(tree, shardings["seed"]) if shardings else tree


_CACHE = {}  # compiled programs by (task, config, shapes): a second fit does not recompile


def _avals(tree):
  return tuple((str(p), a.shape, str(a.dtype))
               for p, a in jax.tree_util.tree_flatten_with_path(tree)[0])


def _compiled(task, cfg, its, keys, hyper, data, data_per_run, shardings, group=None):
  """(program, placeholder state, run, host solver or None), compiled once per task,
  config and shapes; its: the schedule's solver iterations per call (None: no calls). The
  seed, --log_every and --minimize_every only shape the schedule's entries (an argument),
  so they do not recompile."""
  static = dataclasses.replace(cfg, seed=0, log_every=1, minimize_every=0 if its is None else 1)
  cache_key = (task, static, its, _avals(keys), _avals(hyper), _avals(data), data_per_run,
               tuple(sorted(shardings.items())), group)
  if cache_key not in _CACHE:
    prog = Program(task, cfg, its)
    vplace = jax.vmap(prog.placeholder)
    place = _jit(vplace, shardings, "ss").lower(keys, hyper).compile()
    state = jax.eval_shape(vplace, keys, hyper)
    d = "s" if data_per_run else "r"
    per_device = _grouped(prog.run, group, data_per_run)
    if shardings and group is not None:  # one program per device, its seeds in groups
      spec = lambda k: PartitionSpec("seed") if k == "s" else PartitionSpec()
      per_device = jax.shard_map(per_device, mesh=shardings["mesh"],
                                 in_specs=tuple(spec(k) for k in f"s{d}rr"),
                                 out_specs=PartitionSpec("seed"), check_vma=False)
    run = _jit(per_device, shardings, f"s{d}rr").lower(
        state, data, np.zeros((CHUNK, 3), np.int32), np.int32(0)).compile()
    host = _HostSolver(prog, cfg, state, data, data_per_run, shardings) if prog.host else None
    if len(_CACHE) >= 8:
      _CACHE.pop(next(iter(_CACHE)))
    _CACHE[cache_key] = (prog, place, run, host)
  return _CACHE[cache_key]


class _HostSolver:
  """Solver calls on the host (scipy), seed after seed, between compiled chunks."""

  def __init__(self, prog, cfg, state, data, data_per_run, shardings):
    self.prog, self.cfg = prog, cfg
    n, size = state["flat"].shape
    d = "s" if data_per_run else "r"
    self.row = _jit(jax.vmap(prog.row, in_axes=(0, 0 if data_per_run else None, None, 0)),
                    shardings, f"s{d}rs").lower(
                        state, data, np.int32(0), jax.ShapeDtypeStruct((n,), np.int32)).compile()
    self.solve_key = _jit(jax.vmap(lambda key, t: step_keys(key, t)[2], in_axes=(0, None)),
                          shardings, "sr").lower(state["key"], np.int32(0)).compile()
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
