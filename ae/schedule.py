"""The training schedule, built once from a TrainConfig and read by every driver.

A schedule is a list of segments: `Steps(t0, t1)` (optimizer steps t0 .. t1 - 1) and
`Solve(at, iterations)` (one call of the full minimiser after `at` optimizer steps). Each
driver runs it as a list of *entries*, one per history row:

  entry = (kind, t0, t1)   kind INIT: initialise the params (the first entry, step 0)
                           kind STEPS: optimizer steps t0 .. t1 - 1, then record metrics
                           kind SOLVE: one solver call (t0 = t1 = its step), then record

so the log steps, the solver marks and the work all come from one list.
"""
from typing import NamedTuple

import numpy as np

INIT, STEPS, SOLVE = 0, 1, 2


class Steps(NamedTuple):
  t0: int
  t1: int


class Solve(NamedTuple):
  at: int
  iterations: int


def build(cfg):
  """Segments for a TrainConfig: plain steps; steps with a solver call every k; or the solver
  alone (optimizer 'none': one call of `iterations` solver iterations)."""
  n = cfg.iterations
  if cfg.optimizer == "none":
    return [Solve(0, n)]
  k = cfg.minimize_every if cfg.solver is not None else 0
  if not k:
    return [Steps(0, n)]
  segments = []
  for t0 in range(0, n, k):
    t1 = min(t0 + k, n)
    segments.append(Steps(t0, t1))
    if t1 - t0 == k:  # a solver call after every full block of k steps
      segments.append(Solve(t1, cfg.solver_steps))
  return segments


MAX_BLOCK = 100  # optimizer steps per entry at most, whatever --log_every: the drivers stop,
                 # show progress and call host solvers between entries, so none runs long
MAX_ENTRIES = 1_000_000  # entries of one schedule at most (100 million steps in blocks of
                         # 100): the list and the history stay a few hundred MB


def size(cfg):
  """(entries, history rows) of cfg's schedule, counted without building it (a bound is
  checked before any list is made).

  >>> from ae.config import TrainConfig
  >>> size(TrainConfig(iterations=1000, log_every=250))
  (13, 5)
  """
  n, every = cfg.iterations, cfg.log_every
  def steps(m):  # one Steps segment of m steps: blocks of log_every, each cut after MAX_BLOCK
    q, r = divmod(m, every)
    return q * -(-every // MAX_BLOCK) + -(-r // MAX_BLOCK), q + (r > 0)
  if cfg.optimizer == "none":
    return 2, 2
  k = cfg.minimize_every if cfg.solver is not None else 0
  if not k:
    e, r = steps(n)
    return 1 + e, 1 + r
  full, rest = divmod(n, k)
  (e, r), (e2, r2) = steps(k), steps(rest)
  return 1 + full * (e + 1) + e2, 1 + full * (r + 1) + r2


def entries(segments, log_every):
  """(E, 3) int array of (kind, t0, t1): INIT first, then a Steps segment cut into blocks of
  log_every steps (counted from its own start), a Solve as one entry."""
  return blocks(segments, log_every, None)[0]


def blocks(segments, log_every, max_block=MAX_BLOCK):
  """(entries (E, 3), logged (E,) bools): entries() with every block also cut after at most
  max_block steps (None: never); logged marks the entries at log points, the rows a history
  keeps. The steps run are the same either way: only where the host may step in differs."""
  out, logged = [(INIT, 0, 0)], [True]
  for s in segments:
    if isinstance(s, Solve):
      out.append((SOLVE, s.at, s.at))
      logged.append(True)
      continue
    for t in range(s.t0, s.t1, log_every):
      end = min(t + log_every, s.t1)
      cuts = range(t, end, max_block or (end - t))
      for a in cuts:
        out.append((STEPS, a, min(a + (max_block or end - a), end)))
        logged.append(out[-1][2] == end)
  return np.asarray(out, dtype=np.int32).reshape(-1, 3), np.asarray(logged, bool)


def log_steps(entries_):
  """Optimizer steps done at each history row (one row per entry)."""
  return [int(t1) for _, _, t1 in entries_]


def solver_iterations(segments):
  """The iterations of every solver call (one value per schedule), or None without calls."""
  its = {s.iterations for s in segments if isinstance(s, Solve)}
  assert len(its) <= 1, its
  return its.pop() if its else None


def describe(cfg):
  """One honest line: what the configuration really runs."""
  segments = build(cfg)
  steps = sum(s.t1 - s.t0 for s in segments if isinstance(s, Steps))
  calls = [s for s in segments if isinstance(s, Solve)]
  parts = []
  if steps:
    rule = "adaptive eta" if cfg.adaptive_eta else cfg.schedule
    parts.append(f"{cfg.optimizer} ({rule} from eta {cfg.eta:g}), {steps} steps")
  if calls:
    solver = f"{cfg.solver} ({cfg.backend})"
    cap = f" or {cfg.solver_seconds:g} s" if cfg.solver_seconds else ""
    if steps:
      parts.append(f"{solver} x{calls[0].iterations}{cap} after every {cfg.minimize_every} "
                   f"steps ({len(calls)} calls)")
    else:
      parts.append(f"{solver} alone, up to {calls[0].iterations} iterations{cap}")
  return ", ".join(parts)
