"""Start N local processes as one run, to try a run across processes on one machine.

  python -m experiments.launch --processes=2 -- latent2d --seeds=64
  python -m experiments.launch --processes=2 -- sweep --study=eta --seeds=4

Each process gets a free port's coordinator address, its number, and its share of the CPU
cores as jax devices (2 processes on 2 cores: 1 device each, so the global mesh is the one a
single process would have). Ctrl-C (or SIGTERM, SIGHUP) goes to every process once; the
launcher returns the worst exit status (a process killed by signal s counts as 128 + s).
On a cluster the same flags come from the scheduler: see docs/many-machines.md.
"""
import ctypes
import os
import signal
import socket
import subprocess
import sys

from absl import app, flags

from experiments import startup
from experiments.ae_lab import EXPERIMENTS

PR_SET_PDEATHSIG = 1   # prctl(2), Linux
PROCESSES = flags.DEFINE_integer("processes", 2, "How many local processes.", lower_bound=1,
                                 upper_bound=64)
DEVICES = flags.DEFINE_integer("devices_per_process", None, "CPU devices of each process "
                               "(default: its share of the cores, at least 1).", lower_bound=1)


def free_port():
  """A port no one listens on now (bound to 0, then released for process 0's coordinator)."""
  with socket.socket() as s:
    s.bind(("localhost", 0))
    return s.getsockname()[1]


def status(code):
  """An exit status as a shell reports it: killed by signal s -> 128 + s."""
  return 128 - code if code < 0 else code


def launch(name, args, n, devices=None):
  """Runs experiment `name` with `args` as n processes; returns the worst exit status."""
  cores = sorted(os.sched_getaffinity(0))
  port, share = free_port(), devices or max(1, len(cores) // n)
  env = dict(os.environ, **{startup.CPU_DEVICES: str(share)})

  def start(i):  # in the child, before it runs: its share of the cores, and a death signal
    mine = set(cores[i * share % len(cores):][:share]) or set(cores)
    def prepare():
      os.sched_setaffinity(0, mine)  # no two processes compete for one core
      # SIGTERM (stop and save) when the launcher dies, even by SIGKILL: no orphans train on
      ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    return prepare
  # each in its own session: the terminal's Ctrl-C reaches the launcher alone, which passes
  # it on once (twice would make each process quit at once, unsaved)
  procs = [subprocess.Popen([sys.executable, "-m", f"experiments.{name}", *args,
                             f"--coordinator_address=localhost:{port}",
                             f"--num_processes={n}", f"--process_id={i}"],
                            env=env, start_new_session=True, preexec_fn=start(i))
           for i in range(n)]

  def forward(signum, frame):
    del frame
    for p in procs:
      if p.poll() is None:
        p.send_signal(signum)
  for sig in startup.SIGNALS:
    signal.signal(sig, forward)
  return max(status(p.wait()) for p in procs)


def fail(message):
  sys.stderr.write(f"launch: error: {message}\n")
  sys.exit(2)


def parse(argv):
  """absl's parsing, its errors as one line and exit 2 (as every experiment's)."""
  try:
    return flags.FLAGS(argv)
  except flags.Error as e:
    fail(str(e).splitlines()[0])


def main(argv):
  rest = argv[1:]
  if not rest or rest[0] not in EXPERIMENTS:
    fail(f"name the experiment after '--', one of {', '.join(EXPERIMENTS)} "
         "(e.g. python -m experiments.launch --processes=2 -- latent2d --seeds=64)")
  given = [a for a in rest[1:] if a.split("=")[0].lstrip("-") in startup.JOINING]
  if given:
    fail(f"{given[0]}: the launcher sets the process flags itself")
  if any(a.split("=")[0].lstrip("-") == "load" for a in rest[1:]):
    fail(f"--load re-draws a finished run in one process: run python -m "
         f"experiments.{rest[0]} --load=... without the launcher")
  sys.exit(launch(rest[0], rest[1:], PROCESSES.value, DEVICES.value))


if __name__ == "__main__":
  app.run(main, flags_parser=parse)
