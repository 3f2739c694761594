"""A progress bar for the chunked training loop, on stderr.

train.fit_seeds calls it as progress(done, total, step, rows): done/total count history
rows, step is the optimizer step reached, rows the chunk's new rows (name -> (seeds, k)).
rows is None before compilation (done == 0) and during a host solver call, which passes
evaluations= and best= instead. On a terminal the bar redraws in place; otherwise it prints
one line every `every` seconds.
"""
import sys
import time
import warnings

import numpy as np

BAR = 24


def _median(a):
  with warnings.catch_warnings():
    warnings.simplefilter("ignore", RuntimeWarning)
    return float(np.nanmedian(np.asarray(a, float)))


def _duration(s):
  return f"{s:.0f} s" if s < 90 else f"{s / 60:.1f} min"


class Progress:

  def __init__(self, stream=None, every=5.0, warn_after=60.0, on_trained=None):
    """on_trained: called at each chunk that trained steps (the entry points' stop handler
    says by it whether a stop saves anything)."""
    self.on_trained = on_trained
    self.stream = stream or sys.stderr
    self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
    self.every, self.warn_after = every, warn_after
    self.start = self.last = None
    self.warned, self.drawn = False, False

  def _emit(self, text, final=False):
    if self.tty:
      self.stream.write("\r" + text[:150].ljust(100) + ("\n" if final else ""))
      self.drawn = not final
    else:
      self.stream.write(text + "\n")
    self.stream.flush()

  def fresh(self):
    """A new bar on the same stream (one per fit)."""
    return Progress(self.stream, self.every, self.warn_after, self.on_trained)

  def close(self):
    """Ends a line the bar left open (an interrupted run, a solver's last line)."""
    if self.tty and self.drawn:
      self.stream.write("\n")
      self.stream.flush()
      self.drawn = False

  def __call__(self, done, total, step, rows, evaluations=None, best=None):
    now = time.perf_counter()
    if rows is None and evaluations is None:  # before compilation
      if self.tty:
        self._emit("compiling…")
      return
    if self.on_trained is not None and step > 0:
      self.on_trained()
    if self.start is None:
      self.start, self.last = now, now
    elapsed = now - self.start
    if evaluations is not None:
      text = f"  solver: {evaluations:,} evaluations, best loss {best:.4g}, {_duration(elapsed)}"
      if self.tty and now - self.last >= 0.2 or now - self.last >= self.every:
        self.last = now
        self._emit(text)
      return
    left = elapsed / max(done, 1) * (total - done)
    if not self.warned and done < total and elapsed + left > self.warn_after:
      self.warned = True
      if self.drawn:
        self.stream.write("\n")
      self.stream.write(f"  this run will take about {_duration(elapsed + left)} "
                        "(Ctrl-C stops it and keeps what is done)\n")
    parts = [f"step {step}", f"loss {_median(rows['loss'][:, -1]):.4g}"]
    if "max_pixel_error" in rows:
      parts.append(f"worst glyph {_median(rows['max_pixel_error'][:, -1]):g} px")
    if "rmse" in rows:
      parts.append(f"RMSE {_median(rows['rmse'][:, -1]):.4g}")
    if elapsed > 0 and step:
      parts.append(f"{step / elapsed:,.0f} steps/s")
    parts.append(f"{_duration(left)} left" if done < total else f"{_duration(elapsed)}")
    filled = int(BAR * done / max(total, 1))
    text = f"  [{'#' * filled}{'.' * (BAR - filled)}] " + " · ".join(parts)
    finished = done >= total
    if finished or (self.tty and now - self.last >= 0.1) or now - self.last >= self.every:
      self.last = now
      if finished and not self.tty and elapsed < self.every:
        return  # a short run off a terminal stays quiet
      self._emit(text, final=finished)
