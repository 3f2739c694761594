"""One run across many processes (JAX's multi-controller runtime), from the command line.

  python -m experiments.latent2d --seeds=64 --coordinator_address=host0:12345 \\
      --num_processes=2 --process_id=0        # and --process_id=1 on the other process
  srun --ntasks=8 python -m experiments.sweep --study=all --distributed   # SLURM, Open MPI

Every process runs the same program: the seed axis spans every process's devices
(ae/processes.py), process 0 alone writes the run and prints, and a signal on any process
stops them all at the same chunk. `python -m experiments.launch` starts N local processes.
Without these flags nothing changes.
"""
import errno
import hashlib
import json
import os
import pathlib
import re
import sys
import threading

from absl import flags

from ae import InputError
from experiments import runtime_log
from experiments.startup import JOINING

ADDRESS = flags.DEFINE_string(
    "coordinator_address", None, "HOST:PORT where process 0 serves the coordinator: with "
    "--num_processes and --process_id (all three or none), this program is one of several "
    "processes of one run (python -m experiments.launch starts them locally).")
NUM = flags.DEFINE_integer("num_processes", None, "How many processes the run has.")
PID = flags.DEFINE_integer("process_id", None, "This process's number, 0..num_processes-1; "
                           "0 writes the run directory.")
AUTO = flags.DEFINE_bool("distributed", False, "Join a cluster launch that "
                         "jax.distributed.initialize() detects by itself (SLURM, Open MPI).")
TIMEOUT = flags.DEFINE_integer("initialization_timeout", 60, "Seconds to wait for every "
                               "process to join, and for a lost process to be noticed.")
FLAGS = tuple((n, "processes") for n in (*JOINING, "initialization_timeout"))  # --help groups


def wanted():
  """True when the flags ask for a run across processes."""
  return AUTO.value or any(f.value is not None for f in (ADDRESS, NUM, PID))


def check():
  """InputError for flags given in part or out of range (before any work)."""
  given = [f for f in (ADDRESS, NUM, PID) if f.value is not None]
  if AUTO.value and given:
    raise InputError("--distributed detects the processes by itself: drop "
                     "--coordinator_address, --num_processes and --process_id, or it")
  if given and len(given) < 3:
    missing = [f"--{f.name}" for f in (ADDRESS, NUM, PID) if f.value is None]
    raise InputError(f"a run across processes needs --coordinator_address, --num_processes "
                     f"and --process_id together: add {', '.join(missing)}")
  if not 1 <= TIMEOUT.value <= 86400:
    raise InputError(f"--initialization_timeout must be in 1..86400 seconds, got "
                     f"{TIMEOUT.value}")
  if not given:
    return
  # HOST:PORT, or [IPv6]:PORT as in URLs
  form = r"(?:[^\s:\[\]]+|\[[0-9A-Fa-f:.]+\]):\d{1,5}"
  if not re.fullmatch(form, ADDRESS.value) or not 0 < int(ADDRESS.value.rsplit(":", 1)[1]) < 65536:
    raise InputError(f"--coordinator_address takes HOST:PORT or [IPv6]:PORT, got "
                     f"{ADDRESS.value[:200]!r}")
  if NUM.value < 1:
    raise InputError(f"--num_processes must be at least 1, got {NUM.value}")
  if not 0 <= PID.value < NUM.value:
    raise InputError(f"--process_id must be in 0..{NUM.value - 1} (--num_processes="
                     f"{NUM.value}), got {PID.value}")


def start(experiment):
  """jax.distributed.initialize from the flags, before any backend is touched; returns an
  error line, or None once every process has joined."""
  if not wanted():
    return None
  import jax  # pylint: disable=g-import-not-at-top
  kw = dict(initialization_timeout=TIMEOUT.value, heartbeat_timeout_seconds=TIMEOUT.value)
  if not AUTO.value:
    kw.update(coordinator_address=ADDRESS.value, num_processes=NUM.value,
              process_id=PID.value)
    port = int(ADDRESS.value.rsplit(":", 1)[1])
    if PID.value == 0 and in_use(port):  # the runtime would crash binding it
      return (f"--coordinator_address: port {port} is in use on this machine, where process "
              "0 serves the coordinator: pick another port")
  who = "this process" if PID.value is None else f"process {PID.value}"
  runtime_log.start(experiment, who)
  # The runtime aborts the process (a C++ fatal error, no exception) when the others never
  # join: say so in one line just before it would.
  joined = threading.Event()
  def watchdog():
    if not joined.wait(max(0.5, TIMEOUT.value - min(1.0, 0.1 * TIMEOUT.value))):
      runtime_log.done()
      sys.stderr.write(f"{experiment}: error: {who}: the other processes did not join "
                       f"within --initialization_timeout={TIMEOUT.value} s (is every process "
                       "started, with the same --coordinator_address?)\n")
      sys.stderr.flush()
      os._exit(1)  # pylint: disable=protected-access
  threading.Thread(target=watchdog, daemon=True).start()
  try:
    jax.distributed.initialize(**kw)
  except Exception as e:  # pylint: disable=broad-except  (XLA's errors have no public type)
    if AUTO.value:
      return (f"--distributed found no cluster launch to join (SLURM, Open MPI): "
              f"{first_line(e)}")
    return f"the processes did not start together: {first_line(e)}"
  finally:
    joined.set()
  return None


def facts(experiment, config):
  """What every process of a run must share, in the order a difference is reported: the
  experiment, the project's code, each flag's value, the data file's bytes."""
  from experiments import cli  # pylint: disable=g-import-not-at-top
  import jax  # pylint: disable=g-import-not-at-top
  code = hashlib.sha256()
  for top in ("ae", "experiments"):
    root = pathlib.Path(__file__).resolve().parent.parent / top
    for f in sorted(root.rglob("*")):
      if f.is_file() and f.suffix in (".py", ".js", ".html", ".css", ".txt", ".flags"):
        code.update(f.relative_to(root.parent).as_posix().encode() + b"\0" + f.read_bytes())
  out = {"the experiment": experiment, "the project's code": code.hexdigest()[:12],
         "jax": jax.__version__}
  for path, _ in cli.leaves(config):
    value = config
    for p in path:
      value = getattr(value, p)
    out[f"--{path[-1]}"] = repr(value)
  dataset = getattr(getattr(config, "data", None), "dataset", None)
  if isinstance(dataset, str) and os.path.isfile(dataset):
    with open(dataset, "rb") as f:
      out["the data file's bytes"] = hashlib.file_digest(f, "sha256").hexdigest()[:12]
  return out


def disagreement(experiment, config):
  """None when every process runs the same experiment, code, flags and data; else one line
  naming the first difference and its two values. Two tiny all-gathers when they agree."""
  from ae import processes  # pylint: disable=g-import-not-at-top
  import numpy as np  # pylint: disable=g-import-not-at-top
  if not processes.several():
    return None
  mine = json.dumps(list(facts(experiment, config).items())).encode()
  digests = processes.each(np.frombuffer(hashlib.sha256(mine).digest(), np.uint8))
  if (digests == digests[0]).all():
    return None
  sizes = processes.each(np.array([len(mine)], np.int64))[:, 0]
  padded = np.zeros(int(sizes.max()), np.uint8)
  padded[:len(mine)] = np.frombuffer(mine, np.uint8)
  every = [dict(json.loads(bytes(row[:n]))) for row, n in zip(processes.each(padded), sizes)]
  other = next(i for i, d in enumerate(every) if d != every[0])
  first, theirs = every[0], every[other]
  name = next(k for k in [*first, *theirs] if first.get(k) != theirs.get(k))
  shown = lambda v: "absent" if v is None else (v if len(v) <= 60 else v[:57] + "...")
  import jax  # pylint: disable=g-import-not-at-top
  return (f"process {jax.process_index()}: the processes disagree: {name} is {shown(first.get(name))} on process 0 but "
          f"{shown(theirs.get(name))} on process {other}; start every process with the same "
          "experiment, flags, data and code")


def in_use(port):
  """True when `port` cannot be bound here, on IPv4 or IPv6 (the coordinator binds both)."""
  import socket  # pylint: disable=g-import-not-at-top
  for family, host in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
    try:
      with socket.socket(family) as s:
        s.bind((host, port))
    except OSError as e:
      if e.errno == errno.EADDRINUSE:
        return True
  return False


def first_line(e):
  """The first line of an error from the runtime, without XLA's status prefix."""
  text = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
  return re.sub(r"^(UNKNOWN|INTERNAL|UNAVAILABLE|DEADLINE_EXCEEDED|ABORTED): ", "", text)[:300]


def lost(experiment, e):
  """A process of the run failed while the run was under way (a peer died, a collective
  broke): one line, and exit 1 at once (the runtime's shutdown would wait for the lost
  process)."""
  import jax  # pylint: disable=g-import-not-at-top
  runtime_log.done()
  me, n = jax.process_index(), jax.process_count()
  # a peer that went away: named where there is only one it can be
  gone = re.search(r"closed|peer|UNAVAILABLE|unhealthy", str(e)) and n == 2
  what = f"lost process {1 - me}" if gone else "the run across processes failed"
  log = f"; the runtime's log: {runtime_log.path()}" if runtime_log.path() else ""
  sys.stderr.write(f"{experiment}: error: process {me}: {what} ({first_line(e)}); nothing "
                   f"saved{log}\n")  # one write
  sys.stderr.flush()
  sys.stdout.flush()
  os._exit(1)  # pylint: disable=protected-access
