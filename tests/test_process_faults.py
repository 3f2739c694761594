"""A run across processes when something goes wrong (issue 43): SIGTERM stops it like Ctrl-C,
the launcher's processes die with it, a lost process (process 0 included) is one line naming
it with the runtime's log in a file, the launcher's own errors are one line, and an IPv6
coordinator works. Local processes on free ports, each with a timeout."""
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import ROOT
from experiments.launch import free_port
from spawn import ENV, start
from test_processes import _lines, _start, _training


def test_the_runtime_ending_a_process_is_one_line_naming_the_coordinator(tmp_path):
  """What the runtime does when process 0 goes: a fatal C++ log line on fd 2 and an abort.
  The terminal gets one line naming process 0 and the log file; the file keeps the rest."""
  child = ("import os, sys\nfrom experiments import runtime_log\n"
           "runtime_log.start('latent2d', 'process 1')\n"
           "os.write(2, b'F1206 client.h:80] Terminating process because the JAX distributed "
           "service detected fatal errors. Failed to send RPC to coordination service.\\n' * 40)\n"
           "os.abort()\n")
  r = subprocess.run([sys.executable, "-c", child], cwd=ROOT, env=ENV, capture_output=True,
                     text=True, timeout=60)
  assert r.returncode == -signal.SIGABRT
  lines = _lines(r.stderr)
  assert len(lines) == 1 and lines[0].startswith(
      "latent2d: error: process 1: lost process 0, which serves the run's coordinator; "
      "nothing saved (the runtime's log: "), r.stderr
  log = lines[0].rsplit(": ", 1)[1].rstrip(")")
  assert open(log).read().count("Terminating process") == 40
  os.remove(log)


def test_a_clean_exit_leaves_no_log_and_no_line(tmp_path):
  child = ("import sys\nfrom experiments import runtime_log\n"
           "print(runtime_log.start('latent2d', 'process 0'))\nsys.exit(2)\n")
  r = subprocess.run([sys.executable, "-c", child], cwd=ROOT, env=ENV, capture_output=True,
                     text=True, timeout=60)   # its stderr closes when the watcher's does
  assert r.returncode == 2 and r.stderr == "" and not os.path.exists(r.stdout.strip())


@pytest.mark.parametrize("args,message", [
    (["--processes=0", "--", "latent2d"], "flag --processes=0: 0 is not an integer in the "
                                          "range [1, 64]"),
    (["--processes=65", "--", "latent2d"], "flag --processes=65: 65 is not an integer in the "
                                           "range [1, 64]"),
    (["--bogus", "--", "latent2d"], "Unknown command line flag 'bogus'"),
    (["--", "latent2d", "--load=runs/latent2d/x"], "--load re-draws a finished run in one "
                                                   "process: run python -m experiments."
                                                   "latent2d --load=... without the launcher")])
def test_the_launcher_s_own_errors_are_one_line(args, message):
  r = subprocess.run([sys.executable, "-m", "experiments.launch", *args], cwd=ROOT, env=ENV,
                     capture_output=True, text=True, timeout=60)
  assert r.returncode == 2 and r.stderr.splitlines() == [f"launch: error: {message}"], r.stderr


@pytest.mark.slow
def test_sigterm_to_the_launcher_saves_an_interrupted_run_and_sigkill_leaves_no_orphans(
    tmp_path):
  """A cluster scheduler ends jobs with SIGTERM: one saved interrupted run, exit 130 (JAX's
  preemption notifier no longer takes the signal). A SIGKILLed launcher's processes get
  SIGTERM from the kernel and stop too."""
  def launcher(name):
    return start("launch", "--processes=2", "--devices_per_process=1", "--", "latent2d",
                 "--seeds=4", "--iterations=2000000", f"--out_dir={tmp_path}",
                 f"--run_name={name}", "--cache_dir=none")
  term = launcher("term")
  watch = _training(term)
  term.send_signal(signal.SIGTERM)
  _, err = watch.finish(30)
  assert term.returncode == 130, err
  metrics = json.loads((tmp_path / "latent2d" / "term" / "metrics.json").read_text())
  assert metrics["summary"]["interrupted"]
  kill = launcher("kill")
  _training(kill)
  children = subprocess.run(["pgrep", "-f", "run_name=kill"], capture_output=True,
                            text=True).stdout.split()
  assert len(children) >= 2
  kill.send_signal(signal.SIGKILL)
  kill.wait(timeout=10)
  deadline = time.monotonic() + 30
  while time.monotonic() < deadline and subprocess.run(
      ["pgrep", "-f", "run_name=kill"], capture_output=True).returncode == 0:
    time.sleep(0.2)
  assert subprocess.run(["pgrep", "-f", "run_name=kill"], capture_output=True).returncode == 1
  assert json.loads((tmp_path / "latent2d" / "kill" / "metrics.json").read_text())[
      "summary"]["interrupted"]


@pytest.mark.slow
def test_losing_process_0_is_at_most_three_lines_on_the_survivor_naming_it(tmp_path):
  procs = _start("latent2d", ["--seeds=4", "--iterations=2000000", f"--out_dir={tmp_path}",
                              "--run_name=r"], timeout=20)
  _training(procs[0])
  procs[0].send_signal(signal.SIGKILL)
  _, err = procs[1].communicate(timeout=60)
  lines = _lines(err.replace("\r", "\n"))
  lost = [l for l in lines if "lost process 0" in l]
  assert len(lines) <= 3 and lost and "the runtime's log: " in lost[0], err
  assert "Traceback" not in err and "client.h" not in err
  procs[0].wait(timeout=10)


@pytest.mark.slow
def test_an_ipv6_coordinator(tmp_path):
  port = free_port()
  procs = [subprocess.Popen([sys.executable, "-m", "experiments.latent2d", "--seeds=2",
                             "--iterations=100", f"--coordinator_address=[::1]:{port}",
                             "--num_processes=2", f"--process_id={i}", f"--out_dir={tmp_path}",
                             "--run_name=v6", "--cache_dir=none"], cwd=ROOT,
                            env=dict(ENV, AE_LAB_CPU_DEVICES="1"), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True) for i in range(2)]
  out = [p.communicate(timeout=120) for p in procs]
  assert [p.returncode for p in procs] == [0, 0], out
  assert (tmp_path / "latent2d" / "v6" / "metrics.json").is_file()


def test_a_signal_during_a_write_to_stderr_stops_the_run_without_reentering_the_buffer(
    monkeypatch):
  """The CI failure: SIGTERM arrived while the progress bar wrote to sys.stderr (a buffered
  file over the terminal's fd), and the handler's own print re-entered that buffer
  ("reentrant call inside <_io.BufferedWriter>"). The raw writer here calls the handler from
  inside the buffer's write, as the signal did."""
  import io
  from experiments.entry import Stop
  read_end, write_end = os.pipe()
  stop = Stop("latent2d")
  stop.mark_trained()   # mid-run: the bar is showing training

  class Raw(io.RawIOBase):
    def writable(self):
      return True

    def fileno(self):
      return write_end

    def write(self, b):
      if stop.signal is None:
        stop._handle(signal.SIGTERM, None)   # pylint: disable=protected-access
      return os.write(write_end, b)

  monkeypatch.setattr(sys, "stderr", io.TextIOWrapper(io.BufferedWriter(Raw()),
                                                      line_buffering=True))
  print("training  12% |###", file=sys.stderr)   # re-enters before this change
  sys.stderr.flush()
  os.close(write_end)
  said = os.read(read_end, 4096).decode()
  os.close(read_end)
  assert stop() and stop.signal == signal.SIGTERM
  assert "latent2d: SIGTERM: stopping after this chunk" in said and "training  12%" in said
