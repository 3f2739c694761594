"""Where a figure becomes a PNG file: at once, or, inside `two_processes()`, at the scope's end
by this process and a forked copy of it, side by side.

Writing a PNG is matplotlib's Agg drawing the figure on one core; a run's 5-10 figures take
1-2 s of a warm run's 3-6 s. Both processes take the next unwritten figure from one shared
counter until none is left, so the 2 cores finish them in about half the time; the files
are the bytes one process writes. The copy writes files only: it touches no JAX (its
threads are not in the copy) and leaves with os._exit, running none of this process's exit
code. Figures are written one by one where fork is not offered (not Linux) or one core is.
"""
import contextlib
import os
import signal
import sys
import traceback
import warnings

_pending = None   # [(figure, path)] kept by the open two_processes() scope, else None


def write(fig, path):
  """Writes the figure (tight, 110 dpi) and closes it."""
  fig.savefig(path, dpi=110, bbox_inches="tight")
  close(fig)


def close(fig):
  # pyplot comes with the figure (ae.plotting, which chose Agg first), not with this module:
  # the runner imports it, and a run with no figures imports no matplotlib
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  plt.close(fig)


def save(fig, path):
  """Writes the figure now, or keeps it for the end of the open two_processes() scope."""
  if _pending is None:
    write(fig, path)
  else:
    _pending.append((fig, path))
  return path


@contextlib.contextmanager
def two_processes():
  """Figures saved inside are written when the scope ends without an exception, by two
  processes (each file whole once the scope is left); after an exception, none is."""
  global _pending
  if _pending is not None:   # nested: the outer scope writes them all
    yield
    return
  _pending = []
  try:
    yield
    write_all(_pending)
  finally:
    for fig, _ in _pending:
      close(fig)
    _pending = None


def _handled():
  """The signals this process handles in Python (a run's Stop, KeyboardInterrupt): their
  handlers are the run's, so the copy ignores these and leaves them to this process."""
  return [s for s in signal.valid_signals() if callable(signal.getsignal(s))]


def _forks():
  return sys.platform.startswith("linux") and len(os.sched_getaffinity(0)) > 1


def write_all(figures):
  """Writes [(figure, path)]: split between this process and a forked copy when there are
  two or more and fork pays (above); RuntimeError when the copy failed."""
  if len(figures) < 2 or not _forks():
    for fig, path in figures:
      write(fig, path)
    return
  import multiprocessing  # pylint: disable=g-import-not-at-top  (only where figures fork)
  taken = multiprocessing.Value("i", 0)   # figures taken so far, by either process

  def take_and_write():
    while True:
      with taken.get_lock():
        i = taken.value
        taken.value = i + 1
      if i >= len(figures):
        return
      write(*figures[i])

  sys.stdout.flush()   # what is buffered is written once, not once more by the copy
  sys.stderr.flush()
  handled = _handled()
  old = signal.pthread_sigmask(signal.SIG_BLOCK, handled)  # none reaches the copy's handlers
  with warnings.catch_warnings():
    # JAX (and Python >= 3.12) warn that the copy of a threaded process may deadlock: it
    # would in a lock another thread held. The copy calls no JAX (no figure holds a JAX
    # array: tests/conftest.py checks every figure the tests draw), only matplotlib.
    warnings.filterwarnings("ignore", message=r"(?s).*fork\(\)", category=RuntimeWarning)
    warnings.filterwarnings("ignore", message=r"(?s).*fork\(\)", category=DeprecationWarning)
    pid = os.fork()
  if pid == 0:
    _copy(take_and_write, handled, old)
  status = None
  try:   # from the fork on: whatever stops this process stops the copy first
    signal.pthread_sigmask(signal.SIG_SETMASK, old)   # a signal that came meanwhile acts now
    take_and_write()
    status = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
  finally:
    if status is None:   # this process failed or was interrupted: the copy stops too
      os.kill(pid, signal.SIGKILL)
      os.waitpid(pid, 0)
  if status != 0:
    raise RuntimeError(f"the process writing half of the figures failed (exit status "
                       f"{status}); its error is printed above")


def _copy(work, handled, mask):
  """The forked copy: writes figures until none is left, then exits without unwinding into
  the caller (whose `with` blocks and atexit handlers belong to the first process)."""
  code = 1
  try:
    for sig in handled:   # a Ctrl-C reaches both; the first process decides, and kills this
      signal.signal(sig, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_SETMASK, mask)
    work()
    code = 0
  except BaseException:  # pylint: disable=broad-except  (reported, then the exit status says it)
    traceback.print_exc()
  finally:
    sys.stderr.flush()
    os._exit(code)
