"""What a run's figures cost, by one process against two (ae/plot_files.py).

  python -m bench.figure_files             # the four default runs, 5 of each way: ~3 min

Each experiment's default config runs in this process (its first run compiles; the rest
reuse the programs), alternating figures written by the run alone and by the run and a
forked copy. Timed: the run's whole two_processes() scope, the figures built (their decodes
included: a run in one process has compiled them already) and their files written, since
with two processes the copy writes while the run builds the next. Medians, and their ratio.
"""
import contextlib
import pathlib
import statistics
import sys
import tempfile
import time

from absl import app, flags

_REPEAT = flags.DEFINE_integer("repeat", 5, "Runs each way per experiment; medians reported.")
_EXPERIMENTS = flags.DEFINE_list("experiments", ["latent2d", "circles", "denoise", "vae"],
                                 "Experiments whose default config runs.")


@contextlib.contextmanager
def _timed(plot_files, forks, times):
  """plot_files with fork allowed or not; each two_processes() scope's seconds appended to
  `times`."""
  real_forks, real_scope = plot_files.forks, plot_files.two_processes

  @contextlib.contextmanager
  def scope():
    t0 = time.perf_counter()
    with real_scope():
      yield
    times.append(time.perf_counter() - t0)
  plot_files.forks = lambda: forks
  plot_files.two_processes = scope
  try:
    yield
  finally:
    plot_files.forks, plot_files.two_processes = real_forks, real_scope


def main(argv):
  del argv
  import importlib  # pylint: disable=g-import-not-at-top
  from ae import plot_files  # pylint: disable=g-import-not-at-top
  if not plot_files.forks():
    sys.exit("bench.figure_files: figures are written by one process here (not Linux, or "
             "one core): nothing to compare")
  rows = []
  with tempfile.TemporaryDirectory() as out, open("/dev/null", "w") as quiet:
    for name in _EXPERIMENTS.value:
      module = importlib.import_module(f"experiments.{name}")
      times = {True: [], False: []}
      for k in range(2 * _REPEAT.value + 1):   # the first run compiles: not counted
        forks = k % 2 == 1
        with _timed(plot_files, forks, times[forks]), contextlib.redirect_stdout(quiet), \
            contextlib.redirect_stderr(quiet):
          module.run(module.Config(), pathlib.Path(out) / f"{name}{k}")
        if k == 0:
          times[False].clear()
        print(f"{name}: {'two processes' if forks else 'one process'} "
              f"{times[forks][-1] if times[forks] else float('nan'):.3f} s", file=sys.stderr)
      one, two = statistics.median(times[False]), statistics.median(times[True])
      rows.append((name, one, two))
  print(f"| run (default config) | figures built and written, one process | two processes "
        f"| ratio |\n"
        f"|---|---|---|---|")
  for name, one, two in rows:
    print(f"| {name} | {one:.2f} s | {two:.2f} s | {one / two:.2f}x |")


if __name__ == "__main__":
  app.run(main)
