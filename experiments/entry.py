"""What every experiment's entry point shares: the app runner, output flags, errors, Ctrl-C
and progress. Only the experiments' entry points import this module (never ae/ or bench/).

It imports nothing that starts JAX, and neither may an experiment's module at its top: --help
and a mistyped flag answer before JAX starts (tests/test_startup.py); the work's modules are
imported by the functions that use them.

  if __name__ == "__main__":
    entry.app("latent2d", __doc__, Config(), run)
"""
import datetime
import os
import pathlib
import signal
import sys
import webbrowser

from absl import app as absl_app
from absl import flags

from ae import InputError
from experiments import cli, distributed, runs_page, startup
from experiments.progress import Progress
from experiments.startup import (Stopped, early_signal, freeze_imports, use_all_cores,
                                 use_compile_cache)

OUT_DIR = flags.DEFINE_string("out_dir", "runs", "Runs go to <out_dir>/<experiment>/<run_name>/.")
RUN_NAME = flags.DEFINE_string("run_name", None, "Run directory name (default: the start time and process id).")
CACHE_DIR = flags.DEFINE_string(
    "cache_dir", os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"),
                              "ae-lab", "jax"),
    "JAX's persistent compilation cache: a repeated run compiles from it, and reads its "
    "training program back instead of tracing it (ae/programs.py); 'none' turns it off.")
OUTPUT_FLAGS = (("out_dir", "output"), ("run_name", "output"), ("cache_dir", "output"))


def run_dir(experiment):
  """<out_dir>/<experiment>/<run_name> from the flags (see make_run_dir); an existing one is
  named with the flags that change it (the library's own message names the directory)."""
  path = make_run_dir(OUT_DIR.value, experiment, RUN_NAME.value)
  if os.path.lexists(path):
    raise InputError(f"run directory {path} already exists (an earlier run is never "
                     "overwritten): pick another --run_name or --out_dir")
  return path


def make_run_dir(out_dir, experiment, name=None):
  """<out_dir>/<experiment>/<name>; the default name is the start time and the process id,
  so two runs started in the same second get different names."""
  if not str(out_dir).strip():
    raise InputError("--out_dir is empty: give a directory for the runs (default runs)")
  out_dir = os.path.expanduser(out_dir)
  name = name if name is not None else (
      f"{datetime.datetime.now():%Y%m%d-%H%M%S}-{os.getpid()}")
  if (not name or "/" in name or name in (".", "..") or name.startswith(".")
      or len(name) > 100 or not name.isprintable()):
    raise InputError(f"--run_name must be a plain printable name of at most 100 characters, "
                     f"not starting with '.', got {name[:40]!r}{'...' if len(name) > 40 else ''}")
  out = pathlib.Path(out_dir)
  try:
    if out.exists() and not out.is_dir():
      raise InputError(f"--out_dir={out_dir} is a file, not a directory")
    probe = out
    while not probe.exists():
      probe = probe.parent
  except OSError as e:  # a name over the system's limit, say
    raise InputError(f"--out_dir: {e.strerror}: {str(out_dir)[:60]}...") from None
  if not os.access(probe, os.W_OK | os.X_OK):
    raise InputError(f"--out_dir={out_dir}: {probe} is not writable")
  return out / experiment / name


def fail(experiment, message, status=2):
  """One line on stderr and exit; an InputError names the command-line flags."""
  message = (message if isinstance(message, InputError) else InputError(message)).flag_message
  sys.stderr.write(f"{experiment}: error: {message}\n")  # one write: lines of several
  sys.stderr.flush()                                       # processes never interleave
  sys.exit(status)


def say(text):
  """Writes to the terminal's stderr without Python's buffers (safe inside a signal handler)."""
  try:
    os.write(sys.stderr.fileno(), text.encode("utf-8", "replace"))
  except (OSError, ValueError, AttributeError):  # stderr closed or replaced by a non-file
    pass


class Stop:
  """SIGINT, SIGTERM or SIGHUP (a closed terminal) set a flag that the run checks before
  training, between chunks and before the figures; a second one quits at the next Python
  step (KeyboardInterrupt), which removes the run being built."""

  def __init__(self, experiment):
    self.experiment, self.signal = experiment, None
    self.at_once = False   # True: the first signal quits (nothing is being trained)
    self.trained = False   # a step was trained, so a stop saves what is done

  def install(self):
    """Handles the signals from now on (again after jax.distributed.initialize, whose
    preemption notifier takes SIGTERM for itself)."""
    for sig in startup.SIGNALS:
      signal.signal(sig, self._handle)
      # restart a system call the signal interrupts: the handler only sets a flag, and a
      # collective's socket call (gloo, across processes) must not fail with EINTR
      signal.siginterrupt(sig, False)
    if early_signal() is not None:  # came during the imports: stop before any training
      self.signal = early_signal()
    return self

  def _handle(self, signum, frame):
    del frame
    if self.signal is not None or self.at_once:  # the second signal: quit, nothing saved
      raise KeyboardInterrupt
    self.signal = signum
    # os.write, not print: the handler can run in the middle of the main thread's own write to
    # sys.stderr (the progress bar), and a buffered writer re-entered raises RuntimeError
    say(f"\n{self.experiment}: {signal.Signals(signum).name}: " + (
        "stopping after this chunk and saving what is done (again to quit at once)\n"
        if self.trained else
        "stopping before training; nothing is trained yet, so nothing will be saved\n"))

  def mark_trained(self):
    self.trained = True

  def __call__(self):
    return self.signal is not None


def train_run(experiment, run, config, stop):
  """The usual body of an experiment: reject flags without effect, then train into a new run
  directory; returns (metrics, the run directory)."""
  from ae import processes  # pylint: disable=g-import-not-at-top  (JAX)
  cli.reject_without_effect(config, cli.present())
  path = run_dir(experiment)
  use_compile_cache(CACHE_DIR.value)   # before the first program: every one is kept
  if processes.is_writer():  # the bar is process 0's
    return run(config, path, should_stop=stop,
               progress=Progress(on_trained=stop.mark_trained)), path
  return run(config, path, should_stop=stop), path


def redraw_run(experiment, redraw, drawing, config, load):
  """--load=<run dir>: redraw(load, run_dir, **changes) with the drawing flags given; any
  other flag but the output ones is an error (it could not apply to a finished run).
  Returns (metrics, the new run directory)."""
  if not load.strip():
    raise InputError(f"--load is empty: give the run directory to re-draw, e.g. "
                     f"--load=runs/{experiment}/<run>")
  allowed = {"load", "out_dir", "run_name", "cache_dir", "preset", "open", *drawing,
             *(n for n, _ in distributed.FLAGS if n not in startup.JOINING)}
  given = cli.present() - allowed
  if given:
    can = ", ".join(f"--{d}" for d in (*drawing, "out_dir", "run_name"))
    raise InputError(f"--{sorted(given)[0]} cannot apply with --load, which re-draws a "
                     f"finished run: only {can} can")
  changes = {d: getattr(config, d) for d in drawing if flags.FLAGS[d].present}
  path = run_dir(experiment)
  if pathlib.Path(path).resolve().is_relative_to(pathlib.Path(load).expanduser().resolve()):
    raise InputError(f"--out_dir={OUT_DIR.value} is inside the run --load reads: a loaded run "
                     "is only read; pick an --out_dir outside it")
  use_compile_cache(CACHE_DIR.value)
  return redraw(load, path, **changes), path


def open_page(path, metrics):
  """--open: the run's explorer.html in the default browser (a run without one says why)."""
  page = (metrics or {}).get("explorer", {})
  if page.get("file"):
    uri = (pathlib.Path(path) / page["file"]).resolve().as_uri()
    if not webbrowser.open(uri):
      print(f"--open: no browser found here; open {uri}", file=sys.stderr)
  else:
    print(f"--open: no explorer page ({page.get('why', 'none written')})", file=sys.stderr)


def app(experiment, doc, default, run, redraw=None, drawing=(), presets=False,
        explorer=False):
  """Runs an experiment as a program: flags from `default` (a Config instance), then
  train_run, or with --load redraw(load_dir, run_dir, **changes) where changes are the
  `drawing` fields given on the command line. Bad input: one line, exit 2. Interrupted:
  exit 130. presets: accept --preset=NAME (a flag file shipped with the package, read
  wherever the package is installed)."""
  cli.define(default)
  extra = OUTPUT_FLAGS
  if redraw is not None:
    load = flags.DEFINE_string("load", None, "A run directory of this experiment: a new run "
                               "with its figures, metrics and summary from its saved params "
                               "and data alone, without training" +
                               (f" (with --{', --'.join(drawing)} changed)" if drawing else "")
                               + ".")
    extra = (("load", "output"),) + extra
  if presets:
    flags.DEFINE_string("preset", None, "A shipped flag file: params1 or params2, the original "
                        "study's two best settings (later flags override it).")
    extra = (("preset", "data"),) + extra
  if explorer:
    show = flags.DEFINE_bool("open", False, "Open the run's explorer.html (its latent plane, "
                             "decoded live) in the default browser when the run is done.")
    extra = extra + (("open", "output"),)
  extra = extra + distributed.FLAGS

  def parse(argv):
    if presets:  # --preset=NAME is --flagfile=<the installed file>
      try:
        argv = cli.expand_presets(argv)
      except InputError as e:
        fail(experiment, e)
    if "--helpfull" in argv[1:]:  # absl's own, every module's flags; exit 0 like --help
      cli.print_and_exit(flags.FLAGS.get_help())
    if any(a in cli.HELP for a in argv[1:]):
      cli.print_and_exit(cli.grouped_help(doc, default, extra))
    try:
      return flags.FLAGS(argv)
    except flags.Error as e:
      fail(experiment, str(e).splitlines()[0])
    except UnicodeDecodeError:  # a --flagfile that is not text
      fail(experiment, "a --flagfile is not a text file of flags")
    except OSError as e:
      fail(experiment, f"{e.filename}: cannot read ({e.strerror})")

  def main(argv):
    from ae import processes  # pylint: disable=g-import-not-at-top  (JAX, once the flags parsed)
    if len(argv) > 1:
      fail(experiment, f"unexpected arguments {argv[1:]} (flags look like --name=value)")
    try:
      distributed.check()
      if distributed.wanted() and redraw is not None and load.value is not None:
        raise InputError("--load re-draws a finished run in one process: drop "
                         + ", ".join(f"--{n}" for n in startup.JOINING))
    except InputError as e:
      fail(experiment, e)
    use_all_cores()
    freeze_imports()
    from experiments.drawing import aside  # pylint: disable=g-import-not-at-top  (JAX)
    aside()   # a program's figures are drawn by a process forked before training
    problem = distributed.start(experiment)  # before any backend is touched
    if problem is not None:
      fail(experiment, problem, 1)
    stop.install()
    if not processes.is_writer():  # process 0 prints; the others only their errors
      sys.stdout.flush()   # (the runtime's own C++ lines already go to its log file)
      os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    loading = redraw is not None and load.value is not None
    try:
      config = cli.from_flags(default)
      problem = distributed.disagreement(experiment, config)
      if problem is not None:   # every process finds it: each says so, none goes on
        fail(experiment, problem)
      if loading:
        if stop():
          raise Stopped
        stop.at_once = True   # a load saves nothing partial: the first signal ends it
        metrics, path = redraw_run(experiment, redraw, drawing, config, load.value)
      else:
        metrics, path = train_run(experiment, run, config, stop)
    except InputError as e:
      fail(experiment, e)
    except (KeyboardInterrupt, Stopped):
      raise
    except Exception as e:  # pylint: disable=broad-except
      if processes.several():  # a lost process or a broken collective: one line, at once
        distributed.lost(experiment, e)
      raise
    if processes.is_writer() and os.path.isdir(path):
      runs_page.rewrite(experiment, OUT_DIR.value)
    if explorer and show.value and processes.is_writer():
      open_page(path, metrics)
    if not loading and metrics and metrics.get("summary", {}).get("interrupted"):
      sys.exit(130)   # a load of an interrupted run is a finished load: 0

  stop = Stop(experiment).install()  # first: a signal at any moment ends the run
  try:
    absl_app.run(main, flags_parser=parse)
  except (KeyboardInterrupt, Stopped):
    for sig in startup.SIGNALS:  # stopping already: a late one must not kill the exit
      signal.signal(sig, signal.SIG_IGN)
    fail(experiment, "stopped; nothing saved", 130)
