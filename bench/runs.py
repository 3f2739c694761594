"""What listing runs costs (issue 42): 1,000 run directories of a 16-seed latent2d run (its
config.json, metrics.json, flags.txt and figure names; the arrays are never read), read by
experiments/runs_table.collect and written as index.html, and the whole `python -m
experiments.runs` command. Medians of 5; the goal: reading 1,000 runs under 2 s.

  python -m bench.runs [--runs=1000]      # ~30 s (one latent2d run first)
"""
import pathlib
import shutil
import subprocess
import sys
import tempfile

from absl import app, flags

from bench import median_seconds
from experiments import runs_page, runs_table

_RUNS = flags.DEFINE_integer("runs", 1000, "Run directories to list.")


def main(argv):
  del argv
  tmp = pathlib.Path(tempfile.mkdtemp())
  subprocess.run([sys.executable, "-m", "experiments.latent2d", "--seeds=16",
                  f"--out_dir={tmp / 'one'}", "--run_name=r"], check=True, capture_output=True)
  src = tmp / "one" / "latent2d" / "r"
  base = tmp / "runs" / "latent2d"
  for i in range(_RUNS.value):
    d = base / f"run{i:05d}"
    (d / "figures").mkdir(parents=True)
    for f in ("config.json", "metrics.json", "flags.txt", "explorer.html"):
      if f != "explorer.html":
        shutil.copy(src / f, d / f)
      else:
        (d / f).write_text("")
    for f in (src / "figures").iterdir():
      (d / "figures" / f.name).write_text("")
  size = (src / "metrics.json").stat().st_size
  read = median_seconds(lambda: runs_table.collect(tmp / "runs"))
  page = median_seconds(lambda: runs_page.write(tmp / "runs"))
  whole = median_seconds(lambda: subprocess.run(
      [sys.executable, "-m", "experiments.runs", f"--out_dir={tmp / 'runs'}"], check=True,
      capture_output=True))
  print(f"| {_RUNS.value} runs (metrics.json {size / 1e3:.0f} kB each) | median of 5 |")
  print("|---|---|")
  print(f"| read them (runs_table.collect) | {read:.2f} s |")
  print(f"| read them and write index.html | {page:.2f} s |")
  print(f"| `python -m experiments.runs`, the whole command | {whole:.2f} s |")
  shutil.rmtree(tmp)


if __name__ == "__main__":
  app.run(main)
