"""A run's figures drawn by a process of their own, forked before training (issue 41).

Importing matplotlib and the figure modules takes half a second; the forked process takes it
while this one trains. Once the metrics exist they are sent to it with the fit and the
experiment's extra (NumPy: it calls no JAX), and it draws (with its own copy writing half the
files: ae/plot_files.py) while this process writes the rest of the run and prints the
summary. This process never imports matplotlib.

  with drawing.drawer(job.figures) as d:   # forked here
    ...                                    # train, evaluate
    d.draw(tmp, fit, metrics, extra)       # sent; this process goes on
    ...                                    # params, history, the summary
    metrics = d.result()                   # every figure written; the metrics as the
                                           # figures left them (latent2d's new letters)

Only programs draw aside (entry points call `aside()`), and only where plot_files forks; a run
called in-process (tests, a notebook) draws in its own process at result(), as before.
The drawing process ignores the run's signals: this process decides. After an exception here
it is stopped (SIGUSR1, raised there as an exception, so that its copy is stopped and its files
removed) and reaped before the run directory is removed.
"""
import contextlib
import os
import pickle
import select
import signal
import threading
import time

import jax
import numpy as np

from ae import plot_files

STOP_SECONDS = 10   # a stopped drawing process not gone by then is killed
_ASIDE = {"on": False}   # aside() turns it on: a program's runs draw in a forked process


def aside():
  """From now on a run's figures are drawn by a forked process (entry points call this)."""
  _ASIDE["on"] = True


class _Stop(Exception):
  """Raised in the drawing process when the run stops it (SIGUSR1)."""


def _stop(signum, frame):
  del signum, frame
  signal.signal(signal.SIGUSR1, signal.SIG_IGN)   # once: its exit runs undisturbed
  raise _Stop


def _numpy(tree):
  """tree with every JAX array as a NumPy array (what the drawing process may touch)."""
  return jax.tree.map(lambda a: np.asarray(a) if isinstance(a, jax.Array) else a, tree)


def _handed(run_dir, fit, metrics, extra):
  """What the figures are given, in either process: the fit and the extra in NumPy (metrics
  as they are: a tree map would sort their keys)."""
  return run_dir, _numpy(fit), metrics, _numpy(extra)


@contextlib.contextmanager
def drawer(figures, wanted=True):
  """A Drawer of figures(run_dir, fit, metrics, extra), forked here when programs draw aside
  and `wanted` (a run's writer); stopped and reaped on the way out unless its result came."""
  d = Drawer(figures)
  try:
    if wanted and _ASIDE["on"] and plot_files.forks():
      d.fork()
    yield d
  finally:
    d.close()


class Drawer:
  """See the module's docstring; made by drawer()."""

  def __init__(self, figures):
    self.figures = figures
    self.args = None     # in this process: what draw() was given
    self.pid = None      # the drawing process, while it runs
    self.feed = None     # the thread writing the pickled arguments to its pipe

  def fork(self):
    """Starts the drawing process (else draw() and result() draw here)."""
    inbox, self._send = os.pipe()
    self._reply, outbox = os.pipe()

    def started(pid):   # before any signal: close() can always stop it
      self.pid = pid
      os.close(inbox)
      os.close(outbox)
    plot_files.fork(lambda: self._draw(inbox, outbox), started)

  def draw(self, run_dir, fit, metrics, extra):
    """Hands the figures over: sent to the drawing process (by a thread: a pipe holds 64 kB
    and this process goes on), or kept for result() here."""
    self.args = _handed(run_dir, fit, metrics, extra)
    if self.pid is not None:
      data = pickle.dumps(self.args)
      self.feed = threading.Thread(target=self._write, args=(data,), daemon=True)
      self.feed.start()

  def _write(self, data):
    with contextlib.suppress(BrokenPipeError), os.fdopen(self._send, "wb") as f:
      f.write(data)   # a broken pipe: the drawing process failed, and result() says so

  def result(self):
    """The metrics once every figure is written; RuntimeError when drawing failed."""
    if self.pid is None:
      # as in the drawing process, which would hang in a call to JAX (its threads are not
      # there): here such a call (always a transfer of NumPy data to JAX) raises instead
      with jax.transfer_guard("disallow"), plot_files.two_processes():
        self.figures(*self.args)
      return self.args[2]
    self.feed.join()
    # select, not a read: the run's signals restart a read (entry.Stop), so a read would hold
    # them all until the figures were done, and two would count as one
    select.select([self._reply], [], [])
    with os.fdopen(self._reply, "rb") as f:
      reply = f.read()
    status = os.waitstatus_to_exitcode(os.waitpid(self.pid, 0)[1])
    self.pid = None
    if status != 0 or not reply:
      raise RuntimeError(f"the process drawing the figures failed (exit status {status}); "
                         "its error is printed above")
    return pickle.loads(reply)

  def close(self):
    """Stops and reaps the drawing process unless result() did (an exception, a stopped or
    interrupted run); no signal of the run cuts this short."""
    if self.pid is None:
      return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, plot_files.handled())
    try:
      os.kill(self.pid, signal.SIGUSR1)
      end = time.monotonic() + STOP_SECONDS
      while os.waitpid(self.pid, os.WNOHANG) == (0, 0):
        if time.monotonic() > end:   # stuck in C code that never returns: killed
          os.kill(self.pid, signal.SIGKILL)
          os.waitpid(self.pid, 0)
          break
        time.sleep(0.005)
      self.pid = None
      for fd in (self._reply,) if self.feed else (self._reply, self._send):
        with contextlib.suppress(OSError):
          os.close(fd)
    finally:
      signal.pthread_sigmask(signal.SIG_SETMASK, old)

  def _draw(self, inbox, outbox):
    """In the drawing process: matplotlib imported, then the figures of what is sent, and
    the metrics back; stopped quietly by SIGUSR1 (figures begun are removed by
    two_processes)."""
    signal.signal(signal.SIGUSR1, _stop)
    os.close(self._send)
    os.close(self._reply)
    try:
      # pylint: disable-next=g-import-not-at-top,unused-import  (the half second it is for)
      from ae import plotting
      with os.fdopen(inbox, "rb") as f:
        run_dir, fit, metrics, extra = pickle.load(f)
      with plot_files.two_processes():
        self.figures(run_dir, fit, metrics, extra)
      with os.fdopen(outbox, "wb") as f:
        f.write(pickle.dumps(metrics))
    except _Stop:
      pass
    finally:   # from here no stop is raised: this process leaves through plot_files._copy
      signal.signal(signal.SIGUSR1, signal.SIG_IGN)
