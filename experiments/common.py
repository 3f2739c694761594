"""What every experiment's entry point shares: data/seed/output flags, devices, errors, progress.

Importing this module defines the shared flags; only entry points import it (never ae/).
"""
import datetime
import os
import pathlib
import sys
import time

from absl import flags, logging

from ae import InputError

DATASET = flags.DEFINE_string(
    "dataset", "font2", "font1, font2, font3 (built in) or a path: .h C header "
    "(file.h:ArrayName for one array), .npy/.npz binary images, .txt font (data/README.md).")
GLYPH_WIDTH = flags.DEFINE_integer("glyph_width", 5, "Bits per row in a .h file (bit width-1 = "
                                   "leftmost pixel).")
CHARS = flags.DEFINE_string("chars", None, "Train on these glyphs only, e.g. ABCDEFGHIJ.")
N_CHARS = flags.DEFINE_integer("n_chars", None, "Train on the first n glyphs only.")
SEED = flags.DEFINE_integer("seed", 0, "Base seed: seed i of the run trains from PRNGKey(seed+i).")
SEEDS = flags.DEFINE_integer("seeds", 1, "How many seeds to train at once (one vmapped call).")
OUT_DIR = flags.DEFINE_string("out_dir", "runs", "Runs go to <out_dir>/<experiment>/<run_name>/.")
RUN_NAME = flags.DEFINE_string("run_name", None, "Run directory name (default: a timestamp).")


def use_all_cores():
  """Exposes each CPU core as a jax device so seeds shard across cores (see train.shard_seeds).
  Must run before jax touches a backend; harmless on GPU."""
  import jax  # pylint: disable=g-import-not-at-top
  logging.set_verbosity(logging.WARNING)  # no "Unable to initialize backend 'tpu'" chatter
  jax.config.update("jax_num_cpu_devices", max(1, len(os.sched_getaffinity(0))))


def run_dir(experiment):
  name = RUN_NAME.value or datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
  if "/" in name or name in (".", ".."):
    raise InputError(f"--run_name must be a plain name, got {name!r}")
  return pathlib.Path(OUT_DIR.value) / experiment / name


def parse_ints(flag, values):
  try:
    return tuple(int(v) for v in values)
  except ValueError:
    raise InputError(f"--{flag} takes integers separated by commas, got {','.join(values)}") \
        from None


def parse_points(text):
  """'x,y;x,y' -> ((x, y), ...); None stays None (the experiment picks points)."""
  if text is None:
    return None
  try:
    pts = tuple(tuple(float(v) for v in p.split(",")) for p in text.split(";") if p.strip())
  except ValueError:
    pts = ()
  if not pts or any(len(p) != 2 for p in pts):
    raise InputError(f"--decode takes latent points as 'x,y;x,y', got {text!r}")
  return pts


def fail(experiment, message):
  print(f"{experiment}: error: {message}", file=sys.stderr)
  sys.exit(2)


def main_guard(experiment, body):
  """Runs body(); an InputError becomes one line on stderr and exit status 2."""
  try:
    body()
  except InputError as e:
    fail(experiment, e)


class Progress:
  """Host-side progress line for jax.debug.callback: throttled, one line per step reached."""

  def __init__(self, total, every_seconds=2.0):
    self.total, self.every = total, every_seconds
    self.start = self.last = time.perf_counter()
    self.seen = 0

  def __call__(self, step):
    step, now = int(step), time.perf_counter()
    if step > self.seen and (now - self.last >= self.every or step >= self.total):
      self.seen, self.last = step, now
      print(f"  step {step}/{self.total}  {now - self.start:.1f}s", file=sys.stderr, flush=True)
