"""Did a refactor move any number? Runs every `python -m experiments...` command of README.md's
code blocks into a folder, then compares two such folders: every run's params.npz and
history.npz array by array, bit for bit, and metrics.json with its timings and paths left out.

  python -m bench.unchanged run /tmp/after            # ~2 min on 2 cores
  python -m bench.unchanged compare /tmp/before /tmp/after

For "before", run the same file from a checkout of the earlier commit (cwd and PYTHONPATH
there): `cd old && PYTHONPATH=. python /path/to/bench/unchanged.py run /tmp/before`.
"""
import json
import os
import pathlib
import re
import shlex
import subprocess
import sys

import numpy as np

SKIP = ("seconds", "loaded_from", "explorer", "versions", "machine", "timing")


def commands(readme="README.md"):
  """The experiment commands of README.md's code blocks, in order (but its GPU section's,
  sized for a GPU)."""
  out, fenced, section = [], False, ""
  for line in pathlib.Path(readme).read_text(encoding="utf-8").splitlines():
    if line.startswith("## "):
      section = line
    if line.startswith("```"):
      fenced = not fenced
    elif fenced and "python -m experiments." in line and "GPU" not in section:
      out.append(shlex.split(line[line.index("python -m experiments."):].split("#")[0]))
  return out


def run(folder):
  for i, argv in enumerate(commands()):
    print(" ".join(argv), flush=True)
    page = [] if argv[2] == "experiments.sweep" else ["--explorer_seeds=0"]  # no page: faster
    subprocess.run([sys.executable, *argv[1:], f"--out_dir={folder}", f"--run_name=c{i}",
                    "--cache_dir=none", *page], check=True,
                   stdout=subprocess.DEVNULL, env=dict(os.environ, PYTHONPATH=os.getcwd()))


def _strip(o):
  if isinstance(o, dict):
    return {k: _strip(v) for k, v in o.items() if not any(s in k for s in SKIP)}
  return [_strip(v) for v in o] if isinstance(o, list) else o


def compare(a, b):
  """Lines naming each difference; none when every run is the same."""
  a, b = pathlib.Path(a), pathlib.Path(b)
  runs = sorted(p.relative_to(a) for p in a.glob("*/c*") if p.is_dir())
  diffs = []
  for r in runs:
    for name in sorted(set(os.listdir(a / r)) | set(os.listdir(b / r))):
      if name.endswith(".npz"):
        x, y = np.load(a / r / name), np.load(b / r / name)
        for k in sorted(set(x.files) | set(y.files)):
          if k not in x.files or k not in y.files or x[k].tobytes() != y[k].tobytes():
            diffs.append(f"{r}/{name}: {k}")
      elif name == "metrics.json":
        ma, mb = (_strip(json.loads((d / r / name).read_text())) for d in (a, b))
        if ma != mb:
          diffs.append(f"{r}/{name}")
  print(f"{len(runs)} runs compared; {len(diffs)} differ")
  return diffs


if __name__ == "__main__":
  what, *folders = sys.argv[1:]
  if what == "run":
    run(folders[0])
  else:
    found = compare(*folders)
    print("\n".join(found))
    sys.exit(1 if found else 0)
