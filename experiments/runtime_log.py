"""In a run across processes, JAX's runtime writes its own log (gRPC, Gloo, the coordination
service) to a file, not the terminal, and a process the runtime kills still says one line.

The runtime ends a process from C++ when it loses the coordinator (process 0): a fatal log
and an abort, no Python exception and no chance to print. So before the runtime starts, the
C-level stdout and stderr (fds 1 and 2: Gloo prints its connection lines on stdout) go to a
log file, Python's sys.stdout and sys.stderr keep the terminal, and a tiny watcher process
waits on a pipe from this one: if this process ends without saying its last word (`done()`),
the watcher prints one line naming the lost process and the log file. The log is removed
after a clean exit, unless $AE_LAB_RUNTIME_LOG names a file to keep it in (appended).
"""
import atexit
import os
import subprocess
import sys
import tempfile

# The watcher: waits for the pipe to close; silent if the process said "done".
_WATCH = r"""
import sys
experiment, who, log = sys.argv[1:4]
said = sys.stdin.read()
if "done" in said:
    sys.exit(0)
try:
    with open(log, errors="replace") as f:
        tail = f.read()[-20000:]
except OSError:
    tail = ""
if "coordination service" in tail or "leader task" in tail:
    what = "lost process 0, which serves the run's coordinator"
else:
    what = "the runtime ended it"
sys.stderr.write(f"{experiment}: error: {who}: {what}; nothing saved (the runtime's log: {log})\n")
"""
_state = {}


KEEP = "AE_LAB_RUNTIME_LOG"


def start(experiment, who):
  """Sends the C-level stdout and stderr to a log file and starts the watcher; returns the
  log's path. `who`: how the line names this process ("process 1")."""
  kept = os.environ.get(KEEP)
  if kept:
    path = os.path.abspath(kept)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
  else:
    fd, path = tempfile.mkstemp(prefix=f"ae-lab-{experiment}-", suffix=".log")
  sys.stdout.flush()
  sys.stderr.flush()
  terminal, out = os.dup(2), os.dup(1)
  os.dup2(fd, 1)   # the runtime's C++ lines go to the file
  os.dup2(fd, 2)
  os.close(fd)
  sys.stdout = os.fdopen(out, "w", buffering=1, encoding="utf-8", errors="replace")
  sys.stderr = os.fdopen(terminal, "w", buffering=1, encoding="utf-8", errors="replace")
  watcher = subprocess.Popen([sys.executable, "-c", _WATCH, experiment, who, path],
                             stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=terminal,
                             start_new_session=True, text=True)  # no terminal signal reaches it
  _state.update(watcher=watcher, path=path)
  atexit.register(done, remove=not kept)
  return path


def done(remove=False):
  """This process has said its last word (or exits cleanly): the watcher stays silent. The
  log is removed on a clean exit and kept (and named) otherwise."""
  watcher = _state.pop("watcher", None)
  if watcher is None:
    return
  try:
    watcher.stdin.write("done")
    watcher.stdin.close()
  except OSError:
    pass
  if remove:
    try:
      os.remove(_state["path"])
    except OSError:
      pass


def path():
  """The log file, or None where the runtime's log goes to the terminal."""
  return _state.get("path")
