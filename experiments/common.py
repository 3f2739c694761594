"""What every experiment's entry point shares: the app runner, output flags, errors, Ctrl-C
and progress. Only the experiments' entry points import this module (never ae/ or bench/).

  if __name__ == "__main__":
    common.app("latent2d", __doc__, Config(), run)
"""
import datetime
import importlib.resources
import os
import pathlib
import signal
import sys

from absl import app as absl_app
from absl import flags

from ae import InputError
from experiments import cli
from experiments.progress import Progress
from experiments.startup import use_all_cores, use_compile_cache

OUT_DIR = flags.DEFINE_string("out_dir", "runs", "Runs go to <out_dir>/<experiment>/<run_name>/.")
RUN_NAME = flags.DEFINE_string("run_name", None, "Run directory name (default: the start time and process id).")
CACHE_DIR = flags.DEFINE_string(
    "cache_dir", os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"),
                              "ae-lab", "jax"),
    "JAX's persistent compilation cache: a repeated run compiles from it; 'none' turns it off.")
OUTPUT_FLAGS = (("out_dir", "output"), ("run_name", "output"), ("cache_dir", "output"))


def run_dir(experiment):
  """<out_dir>/<experiment>/<run_name> from the flags (see make_run_dir)."""
  return make_run_dir(OUT_DIR.value, experiment, RUN_NAME.value)


def make_run_dir(out_dir, experiment, name=None):
  """<out_dir>/<experiment>/<name>; the default name is the start time and the process id,
  so two runs started in the same second get different names."""
  name = name if name is not None else (
      f"{datetime.datetime.now():%Y%m%d-%H%M%S}-{os.getpid()}")
  if (not name or "/" in name or name in (".", "..") or name.startswith(".")
      or len(name) > 100 or not name.isprintable()):
    raise InputError(f"--run_name must be a plain printable name of at most 100 characters, "
                     f"not starting with '.', got {name[:40]!r}{'...' if len(name) > 40 else ''}")
  out = pathlib.Path(out_dir)
  if out.exists() and not out.is_dir():
    raise InputError(f"--out_dir={out_dir} is a file, not a directory")
  probe = out
  while not probe.exists():
    probe = probe.parent
  if not os.access(probe, os.W_OK | os.X_OK):
    raise InputError(f"--out_dir={out_dir}: {probe} is not writable")
  return out / experiment / name


def fail(experiment, message, status=2):
  print(f"{experiment}: error: {message}", file=sys.stderr)
  sys.exit(status)


class Stop:
  """SIGINT/SIGTERM set a flag that training checks between chunks; a second one quits."""

  def __init__(self, experiment):
    self.experiment, self.signal = experiment, None

  def install(self):
    for sig in (signal.SIGINT, signal.SIGTERM):
      signal.signal(sig, self._handle)
    return self

  def _handle(self, signum, frame):
    del frame
    if self.signal is not None:  # the second signal: quit now, nothing saved
      print(f"\n{self.experiment}: stopped", file=sys.stderr)
      os._exit(130)  # pylint: disable=protected-access
    self.signal = signum
    print(f"\n{self.experiment}: {signal.Signals(signum).name}: stopping after this chunk and "
          "saving what is done (again to quit at once)", file=sys.stderr, flush=True)

  def __call__(self):
    return self.signal is not None


def train_run(experiment, run, config, stop):
  """The usual body of an experiment: reject inert flags, then train into a new run dir."""
  cli.check_inert(config, cli.present())
  return run(config, run_dir(experiment), progress=Progress(), should_stop=stop)


def preset_path(name):
  """The installed file of a preset (experiments/presets/<name>.flags)."""
  path = importlib.resources.files("experiments").joinpath("presets", f"{name}.flags")
  if not path.is_file():
    names = sorted(p.name[:-6] for p in importlib.resources.files("experiments").joinpath(
        "presets").iterdir() if p.name.endswith(".flags"))
    raise InputError(f"--preset must be one of {', '.join(names)}, got {name!r}")
  return str(path)


def app(experiment, doc, default, run, extra_flags=(), body=None, presets=False):
  """Runs an experiment as a program: flags from `default` (a Config instance), then
  body(config, stop) -> metrics (default: train_run). Bad input: one line, exit 2.
  Interrupted: exit 130. presets: accept --preset=NAME (a flag file shipped with the package,
  read wherever the package is installed)."""
  cli.define(default)
  extra = tuple(extra_flags) + OUTPUT_FLAGS
  if presets:
    flags.DEFINE_string("preset", None, "A shipped flag file: params1 or params2, the original "
                        "study's two best settings (later flags override it).")
    extra = (("preset", "data"),) + extra

  def parse(argv):
    if presets:  # --preset=NAME is --flagfile=<the installed file>
      try:
        argv = [f"--flagfile={preset_path(a.split('=', 1)[1])}" if a.startswith("--preset=")
                else a for a in argv]
      except InputError as e:
        fail(experiment, e)
    if any(a in ("--help", "-h", "-?", "--helpshort") for a in argv[1:]):
      try:
        print(cli.grouped_help(doc, default, extra))
      except BrokenPipeError:  # e.g. | head
        pass
      sys.exit(0)
    try:
      return flags.FLAGS(argv)
    except flags.Error as e:
      fail(experiment, str(e).splitlines()[0])

  def main(argv):
    if len(argv) > 1:
      fail(experiment, f"unexpected arguments {argv[1:]} (flags look like --name=value)")
    use_all_cores()
    use_compile_cache(CACHE_DIR.value)
    stop = Stop(experiment).install()
    try:
      config = cli.from_flags(default)
      if body is not None:
        metrics = body(config, stop)
      else:
        metrics = train_run(experiment, run, config, stop)
    except InputError as e:
      fail(experiment, e)
    if metrics and metrics.get("summary", {}).get("interrupted"):
      sys.exit(130)

  absl_app.run(main, flags_parser=parse)
