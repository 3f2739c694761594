"""Where a figure becomes a PNG file: at once, or, inside `two_processes()`, by this process
and a forked copy of it, side by side, the copy starting as soon as the first figure is saved.

Writing a PNG is matplotlib's Agg drawing the figure on one core; a run's 5-10 figures take
1-3 s of a warm run's 4-7 s. The copy is forked at the scope's first figure and is sent each
later one (pickled: the same bytes are written) as it is saved, so it writes while this
process builds the next (its decodes included). At the scope's end both take the next
unwritten figure from one shared counter until none is left. The copy writes files only: it
touches no JAX (its threads are not in the copy) and leaves with os._exit, running none of
this process's exit code. Figures are written one by one, at the scope's end, where fork is
not offered (not Linux) or one core is.
"""
import contextlib
import gc
import os
import pickle
import signal
import sys
import traceback
import warnings

import numpy as np

_scope = None   # the open two_processes() scope's _Figures, else None


DPI = 110


def write(fig, path):
  """Writes the figure (110 dpi, cropped to what it draws, as bbox_inches="tight") and
  closes it."""
  if not _cropped(fig, path):
    fig.savefig(path, dpi=DPI, bbox_inches="tight")
  close(fig)


def _cropped(fig, path):
  """bbox_inches="tight" draws a figure twice: to measure what it draws, then at that size.
  Where all it draws lies on its canvas (most figures), one draw is enough: measured on that
  draw, the image is cropped to the same box (matplotlib's pad included; the figure's colour
  where the pad reaches past the canvas): ~30% less time, the same picture within a pixel's
  shift. False, with nothing written, where it does not or a layout engine places the axes."""
  import matplotlib  # pylint: disable=g-import-not-at-top  (see close())
  import matplotlib.image  # pylint: disable=g-import-not-at-top
  from matplotlib.backends.backend_agg import FigureCanvasAgg  # pylint: disable=g-import-not-at-top
  if fig.get_layout_engine() is not None:
    return False
  fig.set_dpi(DPI)
  canvas = FigureCanvasAgg(fig)
  canvas.draw()
  drawn = fig.get_tightbbox(canvas.get_renderer())   # inches, from the bottom left
  w, h = canvas.get_width_height()
  x0, y0, x1, y1 = (v * DPI for v in drawn.extents)
  if x0 < 0 or y0 < 0 or x1 > w or y1 > h:
    return False
  pad = matplotlib.rcParams["savefig.pad_inches"] * DPI
  rows = slice(round(h - y1 - pad), round(h - y0 + pad))
  cols = slice(round(x0 - pad), round(x1 + pad))
  out = np.empty((rows.stop - rows.start, cols.stop - cols.start, 4), np.uint8)
  out[:] = np.round(np.asarray(matplotlib.colors.to_rgba(fig.get_facecolor())) * 255)
  top, left = max(-rows.start, 0), max(-cols.start, 0)   # the pad past the canvas, if any
  inside = np.asarray(canvas.buffer_rgba())[rows.start + top:rows.stop, cols.start + left:cols.stop]
  out[top:top + inside.shape[0], left:left + inside.shape[1]] = inside
  matplotlib.image.imsave(path, out, format="png", dpi=DPI)
  return True


def close(fig):
  # pyplot comes with the figure (ae.plotting, which chose Agg first), not with this module:
  # the runner imports it, and a run with no figures imports no matplotlib
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  plt.close(fig)


def save(fig, path):
  """Writes the figure now, or hands it to the open two_processes() scope."""
  if _scope is None:
    write(fig, path)
  else:
    _scope.add(fig, path)
  return path


def check(fig, path):
  """A figure as a scope receives it; tests/conftest.py checks here that none holds a JAX
  array (the copy must not call JAX)."""
  del fig, path


@contextlib.contextmanager
def two_processes():
  """Figures saved inside are written by the scope's end (each file whole once the scope is
  left); after an exception none is left: the copy is stopped and what it wrote removed."""
  global _scope
  if _scope is not None:   # nested: the outer scope writes them all
    yield
    return
  _scope = figures = _Figures()
  try:
    yield
    figures.finish()
  finally:
    _scope = None
    figures.end()


def handled():
  """The signals this process handles in Python (a run's Stop, KeyboardInterrupt): their
  handlers are the run's, so the copy ignores these and leaves them to this process."""
  return [s for s in signal.valid_signals() if callable(signal.getsignal(s))]


def forks():
  """Whether figures may be written by a forked process here (Linux, more than one core)."""
  return sys.platform.startswith("linux") and len(os.sched_getaffinity(0)) > 1


class _Figures:
  """One scope's figures, in order, and the copy writing them while more come."""

  def __init__(self):
    self.saved = []        # [(figure, path)]
    self.pid = None        # the copy's, once forked
    self.queue = None      # (path, pickled figure) to the copy, once forked
    self.taken = None      # how many figures either process has taken, once forked
    self.done = False      # finish() returned: every file written

  def add(self, fig, path):
    self.saved.append((fig, path))   # closed by end(), whatever happens next
    check(fig, path)
    if not forks():
      return
    if self.pid is None:
      self._fork()
    else:   # pickled here, written to the pipe by the queue's thread: this process goes on
      self.queue.put((path, pickle.dumps(fig)))

  def _take(self, k):
    """True when figure k is this process's to write: the next one no process has taken."""
    with self.taken.get_lock():
      if self.taken.value != k:
        return False
      self.taken.value = k + 1
      return True

  def _fork(self):
    import multiprocessing  # pylint: disable=g-import-not-at-top  (only where figures fork)
    self.taken = multiprocessing.Value("i", 0)
    self.queue = multiprocessing.Queue()
    fork(self._copy_writes, lambda pid: setattr(self, "pid", pid))

  def _copy_writes(self):
    """In the copy: the first figure (forked with it), then each one sent, in order, unless
    this process took it first; until the queue's end."""
    k = 0
    if self._take(k):
      write(*self.saved[0])
    while (item := self.queue.get()) is not None:
      k, (path, sent) = k + 1, item
      if self._take(k):
        write(pickle.loads(sent), path)

  def finish(self):
    """Writes what the copy has not taken, then waits for it; RuntimeError when it failed."""
    if self.pid is None:
      for fig, path in self.saved:
        write(fig, path)
      self.done = True
      return
    self.queue.put(None)
    for k, (fig, path) in enumerate(self.saved):
      if self._take(k):
        write(fig, path)
    status = os.waitstatus_to_exitcode(os.waitpid(self.pid, 0)[1])
    self.pid = None
    if status != 0:
      raise RuntimeError(f"the process writing half of the figures failed (exit status "
                         f"{status}); its error is printed above")
    self.done = True

  def end(self):
    """After finish() or an exception: the copy stopped, every figure closed and, unless
    finish() completed, no file of the scope left."""
    if self.pid is not None:   # this process failed or was interrupted: the copy stops too
      os.kill(self.pid, signal.SIGKILL)
      os.waitpid(self.pid, 0)
    if self.queue is not None:
      if not self.done:   # the copy is gone: what is left in the pipe has no reader
        self.queue.cancel_join_thread()
      self.queue.close()
      self.queue.join_thread()
    for fig, path in self.saved:
      close(fig)
      if not self.done:
        with contextlib.suppress(OSError):
          os.unlink(path)


def fork(work, started):
  """Forks a process that runs work() (figures only: no JAX, whose threads are not in the
  copy) and leaves with os._exit, running none of this process's exit code; started(pid)
  runs here before any signal can (so its pid is kept to stop it by). It ignores the signals
  this process handles (`handled`): a Ctrl-C reaches both, this process decides, and stops
  the other itself."""
  sys.stdout.flush()   # what is buffered is written once, not once more by the copy
  sys.stderr.flush()
  theirs = handled()
  old = signal.pthread_sigmask(signal.SIG_BLOCK, theirs)  # none reaches the copy's handlers
  with warnings.catch_warnings():
    # JAX (and Python >= 3.12) warn that the copy of a threaded process may deadlock: it
    # would in a lock another thread held. The copy calls no JAX (no figure holds a JAX
    # array: tests/conftest.py checks every figure the tests draw), only matplotlib.
    warnings.filterwarnings("ignore", message=r"(?s).*fork\(\)", category=RuntimeWarning)
    warnings.filterwarnings("ignore", message=r"(?s).*fork\(\)", category=DeprecationWarning)
    pid = os.fork()
  if pid == 0:
    _copy(work, theirs, old)
  try:
    started(pid)
  finally:
    signal.pthread_sigmask(signal.SIG_SETMASK, old)   # a signal that came meanwhile acts now


def _copy(work, handled, mask):
  """The forked copy: runs work, then exits without unwinding into the caller (whose `with`
  blocks and atexit handlers belong to the first process)."""
  code = 1
  # No cyclic garbage collection in a copy: it lives for one run's figures and leaves by
  # os._exit, so what a collection would free goes back at the exit anyway, and collections
  # cost it 0.2-0.4 s a run (each full one walked some 100,000 objects) and kept its peak
  # memory no lower (BUILD_NOTES.md)
  gc.disable()
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
