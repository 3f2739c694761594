"""Will a fit fit in memory? An estimate made before any work, so a run that cannot fit gets
one line (InputError) instead of XLA's RESOURCE_EXHAUSTED after compiling."""
import os

import jax

from ae import InputError, schedule


def memory_bytes(cfg, n_params, n_samples, floats_per_sample):
  """A rough upper estimate of the memory a fit_seeds call needs: per seed the params, their
  gradient and optimizer moments, a dense BFGS inverse Hessian (n_params^2, a few copies),
  and the activations of a full batch, forward and backward; and its history (a few
  metrics per row, on the device and the host)."""
  per_seed = 8 * n_params + 3 * n_samples * floats_per_sample + 16 * schedule.size(cfg)[1]
  if cfg.solver == "bfgs" and not cfg.host_solver:
    per_seed += 3 * n_params ** 2
  elif cfg.solver is not None:
    per_seed += 30 * n_params  # L-BFGS history, CG directions, line-search copies
  return 4 * per_seed * (cfg.seeds + len(jax.devices()))


def available_bytes():
  """Memory of the first device (a GPU's own), else the machine's physical memory."""
  stats = jax.local_devices()[0].memory_stats() or {}
  if "bytes_limit" in stats:
    return int(stats["bytes_limit"])
  return physical_bytes()


def gathered_bytes(cfg, n_params):
  """What every process holds once a run across processes is gathered (ae/processes.py):
  each seed's params and its history rows (a few metrics per logged step), float32."""
  rows = cfg.iterations // cfg.log_every + 2
  return 4 * cfg.seeds * (n_params + 8 * rows)


def physical_bytes():
  return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def check_memory(cfg, n_params, n_samples, floats_per_sample):
  """InputError, before any work, when the run cannot fit in memory: its devices' share of
  the training state (each process holds its own seeds), and, across processes, the
  gathered params and history on the host."""
  processes = jax.process_count()
  if processes > 1:
    gather, host = gathered_bytes(cfg, n_params), physical_bytes()
    if gather > 0.5 * host:
      raise InputError(f"{cfg.seeds} seeds of {n_params:,} parameters, gathered into every "
                       f"process with their history, need about {gather / 2**30:.1f} GiB; "
                       f"this machine has {host / 2**30:.1f} GiB: use fewer --seeds (the "
                       "params are gathered whole, not written per process)")
  need = memory_bytes(cfg, n_params, n_samples, floats_per_sample) / processes
  have = available_bytes()
  if need > 0.8 * have:
    hint = " (dense BFGS stores n_params^2 floats per seed: try --solver=lbfgs)" if (
        cfg.solver == "bfgs") else ""
    raise InputError(f"{cfg.seeds} seed(s) of {n_params:,} parameters need about "
                     f"{need / 2**30:.1f} GiB; this machine has {have / 2**30:.1f} GiB: use "
                     f"fewer --seeds or a smaller --arch{hint}")
