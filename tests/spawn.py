"""Starting an experiment as its own process, as a user would, and waiting for what it says:
the one helper every test that spawns one uses."""
import os
import subprocess
import sys
import threading

from conftest import ROOT

ENV = dict(os.environ, PYTHONPATH=ROOT)


def start(name, *args, cwd=ROOT, env=None, **kw):
  """`python -m experiments.<name> args` with its stdout and stderr piped (text)."""
  return subprocess.Popen([sys.executable, "-m", f"experiments.{name}", *args], cwd=cwd,
                          env=ENV if env is None else env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, **kw)


def run(name, *args, timeout=120, cwd=ROOT, env=None):
  """The finished process (subprocess.CompletedProcess), within `timeout` seconds."""
  return subprocess.run([sys.executable, "-m", f"experiments.{name}", *args], cwd=cwd,
                        env=ENV if env is None else env, capture_output=True, text=True,
                        timeout=timeout)


class Watch:
  """Reads a started process's stdout and stderr as they come, so a test can wait for an
  event (its header, its first trained step) instead of sleeping, and still get all of both
  streams at the end."""

  def __init__(self, proc):
    self.proc, self.text = proc, {"stdout": [], "stderr": []}
    self.changed = threading.Condition()
    self.threads = [threading.Thread(target=self._read, args=(k,), daemon=True)
                    for k in self.text]
    for t in self.threads:
      t.start()

  def _read(self, key):
    stream = getattr(self.proc, key)
    for c in iter(lambda: stream.read(1), ""):
      with self.changed:
        self.text[key].append(c)
        self.changed.notify_all()
    with self.changed:
      self.changed.notify_all()

  def said(self, key="stderr"):
    with self.changed:
      return "".join(self.text[key])

  def wait_for(self, words, key="stderr", timeout=120):
    """True once `words` appear on the stream; False if the process ends first or `timeout`
    seconds pass."""
    with self.changed:
      return self.changed.wait_for(
          lambda: words in "".join(self.text[key][-4000:]) or self.proc.poll() is not None,
          timeout) and words in "".join(self.text[key])

  def training(self, timeout=120):
    """Waits for the progress bar's first trained chunk ("steps/s"); asserts it came."""
    assert self.wait_for("steps/s", timeout=timeout), self.said()

  def finish(self, timeout=60):
    """(stdout, stderr): everything the process wrote, once it has ended."""
    self.proc.wait(timeout)
    for t in self.threads:
      t.join(timeout)
    return self.said("stdout"), self.said("stderr")
