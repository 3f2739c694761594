"""The training configuration: one frozen dataclass, the single source of every training default.

Each field carries its flag's help text and group in its metadata; the entry points define one
flag per field, named as the field (experiments/cli.py), so a default lives here only. Without
JAX (see ae/choices.py): --help builds from it at once.
"""
import dataclasses

from ae import InputError, choices, schedule
from ae.fields import check_choices, check_finite, field


O, S = "optimiser", "solver"


@dataclasses.dataclass(frozen=True)
class TrainConfig:
  """How to train. The defaults are the measured recipe of BUILD_NOTES.md (32/32 seeds with 0
  wrong pixels on each course font)."""
  seed: int = field(0, "Base seed: seed i of the run trains from PRNGKey(seed + i).", "seeds")
  seeds: int = field(1, "How many seeds to train at once (one compiled, vmapped call).",
                     "seeds")
  optimizer: str = field("adam", "Optimizer (optax); none: the --solver alone.", O,
                         (*choices.OPTIMIZERS, "none"))
  eta: float = field(0.02, "(Peak) learning rate.", O)
  schedule: str = field("cosine", "Learning-rate schedule over the iterations.", O,
                        choices.SCHEDULES)
  iterations: int = field(1000, "Optimizer steps (with --optimizer=none: solver iterations).", O)
  batch_size: int = field(0, "Samples per step; 0 = all (full batch).", O)
  log_every: int = field(50, "Record the loss and metrics every this many steps.", O)
  adaptive_eta: bool = field(False, "Adaptive eta instead of --schedule: after --adaptive_k "
                             "loss decreases eta += --adaptive_a; after an increase "
                             "eta *= 1 - --adaptive_b.", O)
  adaptive_k: int = field(5, "Consecutive loss decreases before eta grows.", O)
  adaptive_a: float = field(None, "Added to eta after --adaptive_k decreases (default eta/10).", O)
  adaptive_b: float = field(0.5, "eta shrinks by this fraction after a loss increase.", O)
  solver: str = field(None, "A full minimiser run after every --minimize_every optimizer "
                      "steps, or alone with --optimizer=none.", S, choices.METHODS)
  solver_backend: str = field(None, "Library behind --solver (default: the fastest measured, "
                              "see BUILD_NOTES.md).", S, tuple(choices.BACKENDS))
  minimize_every: int = field(0, "Run --solver after every k optimizer steps; 0 = never.", S)
  solver_steps: int = field(20, "Solver iterations per call (with an optimizer).", S)
  solver_tol: float = field(0.0, "Stop a solver call early below this gradient/step size "
                            "(0: run all its iterations).", S)
  solver_seconds: float = field(None, "Wall-time cap per solver call (scipy backend, e.g. "
                                "Powell).", S)

  @property
  def backend(self):
    """The solver's backend (the default one when none is named), or None without a solver."""
    return None if self.solver is None else choices.backend_for(self.solver,
                                                                self.solver_backend)

  @property
  def host_solver(self):
    """True when the solver runs on the host (scipy), between compiled chunks: the one
    answer every driver and estimate asks for."""
    return self.solver is not None and choices.on_host(self.solver, self.solver_backend)

  @property
  def adaptive(self):
    """(k, a, b) of the adaptive eta rule, or None."""
    return (self.adaptive_k, self.adaptive_a, self.adaptive_b) if self.adaptive_eta else None

  def optimizer_for(self, eta=None):
    """The optax optimizer (eta may be a traced per-run value); None for optimizer 'none'."""
    if self.optimizer == "none":
      return None
    from ae import optim  # pylint: disable=g-import-not-at-top  (optax: flags build without it)
    return optim.make(self.optimizer, self.eta if eta is None else eta, self.iterations,
                      "constant" if self.adaptive_eta else self.schedule, self.adaptive)

  def check(self, n_samples=None):
    """Raises InputError naming the first bad or contradictory field; computes nothing."""
    check_finite(self)
    check_choices(self)
    if self.seeds < 1 or self.seed < 0 or self.seed + self.seeds > 2**31 - 1:
      raise InputError(f"--seeds must be >= 1 and --seed >= 0, with --seed + --seeds below "
                       f"2**31; got --seeds={self.seeds} --seed={self.seed}")
    if self.iterations < 1:
      raise InputError(f"--iterations must be at least 1, got {self.iterations}")
    if self.log_every < 1:
      raise InputError(f"--log_every must be at least 1, got {self.log_every}")
    chunks = schedule.size(self)[0] if self.minimize_every >= 0 else 0
    if chunks > schedule.MAX_ENTRIES:
      raise InputError(f"--iterations={self.iterations} makes {chunks:,} training chunks (of "
                       f"at most {schedule.MAX_BLOCK} steps, and one per log point and solver "
                       f"call); the limit is {schedule.MAX_ENTRIES:,} (the schedule and the "
                       "history are held in memory): use fewer --iterations or a larger "
                       "--log_every or --minimize_every")
    if self.batch_size < 0 or (n_samples is not None and self.batch_size > n_samples):
      raise InputError(f"--batch_size must be in 0..{n_samples} (0 = full batch), "
                       f"got {self.batch_size}")
    if self.optimizer == "none" and self.solver is None:
      raise InputError("--optimizer=none trains with the solver alone: set --solver")
    if self.optimizer != "none":
      choices.check_optimizer(self.optimizer, self.eta, self.schedule, self.adaptive)
    if self.solver is None:
      if self.minimize_every:
        raise InputError("--minimize_every needs a --solver to run")
      return
    host = self.host_solver  # validates the (solver, backend) pair
    if self.optimizer != "none" and self.minimize_every < 1:
      raise InputError(f"--solver={self.solver} never runs: add --minimize_every=k (after "
                       f"every k optimizer steps) or --optimizer=none (the solver alone)")
    if self.minimize_every < 0 or self.solver_steps < 1 or self.solver_tol < 0:
      raise InputError("--minimize_every must be >= 0, --solver_steps >= 1, --solver_tol >= 0")
    if self.solver_seconds is not None and (not host or self.solver_seconds <= 0):
      raise InputError("--solver_seconds caps scipy solver calls: use it with "
                       "--solver_backend=scipy (or --solver=powell) and a positive number")
    if host and self.batch_size:
      raise InputError("the scipy solver backend trains full batch: drop --batch_size")

  def without_effect(self):
    """{field: why} for the fields that have no effect under this configuration; the entry
    points reject such a flag when it is given on the command line."""
    out = {}
    if self.optimizer == "none":
      for f in ("eta", "schedule", "batch_size", "log_every", "adaptive_eta", "minimize_every",
                "solver_steps"):
        out[f] = "--optimizer=none runs the solver alone (for --iterations iterations)"
    if not self.adaptive_eta:
      for f in ("adaptive_k", "adaptive_a", "adaptive_b"):
        out.setdefault(f, "it only applies with --adaptive_eta")
    else:
      out.setdefault("schedule", "--adaptive_eta sets the step size itself")
    if self.solver is None:
      for f in ("solver_backend", "solver_steps", "solver_tol", "solver_seconds"):
        out.setdefault(f, "no --solver is set")
    return out
