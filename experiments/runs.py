"""runs: the runs under --out_dir, newest first, one line each; or two runs and more compared.

  python -m experiments.runs                          # every run under runs/
  python -m experiments.runs --experiment=latent2d --where=eta=0.0085,seeds=32
  python -m experiments.runs --compare runs/latent2d/A runs/latent2d/B
  ae-lab runs ...                                     # the same, from any directory

Each line: date, experiment, name, the flags that differ from the defaults (the run's
flags.txt: `--flagfile=<run>/flags.txt` repeats it), seeds, the experiment's headline number,
seconds, interrupted or not; a damaged or foreign directory says so. --compare prints the
flags that differ between the runs and draws their curves overlaid (median and range over
seeds) into --figure. --index rewrites <out_dir>/index.html (every run does so too): the same
table, sortable, linking each run's figures and explorer page. Reads no JAX: a second or less.
"""
import json
import pathlib
import sys

import numpy as np
from absl import app, flags

from experiments import cli, runs_page, runs_table

_OUT = flags.DEFINE_string("out_dir", "runs", "The folder of runs (<out_dir>/<experiment>/<run>).")
_EXPERIMENT = flags.DEFINE_enum("experiment", None, list(runs_table.EXPERIMENTS),
                                "Only this experiment's runs.")
_WHERE = flags.DEFINE_string("where", None, "Only runs whose flags, name or headline hold "
                             "every comma-separated term (e.g. eta=0.0085,seeds=32).")
_COMPARE = flags.DEFINE_bool("compare", False, "Compare the run directories given as "
                             "arguments: their differing flags, and their curves in --figure.")
_FIGURE = flags.DEFINE_string("figure", None, "--compare's figure (default: "
                              "<out_dir>/compare.png).")
_INDEX = flags.DEFINE_bool("index", False, "Rewrite <out_dir>/index.html and print its path.")


def fail(message):
  print(f"runs: error: {message}", file=sys.stderr)
  sys.exit(2)


def _run(arg):
  """A run directory given on the command line: its path and its row (which must be a
  readable run)."""
  path = pathlib.Path(arg)
  if not path.is_dir():
    fail(f"{arg}: no such run directory")
  exp = path.parent.name
  r = runs_table.row(path, exp if exp in runs_table.EXPERIMENTS else "?")
  if r["problem"]:
    fail(f"{arg}: {r['problem']}")
  return path, r


def _leaves(tree, prefix=""):
  for k, v in tree.items():
    if isinstance(v, dict):
      yield from _leaves(v, f"{prefix}{k}.")
    else:
      yield prefix + k, v


def compare(args, figure):
  """Prints the config fields that differ between the runs; draws their curves."""
  if len(args) < 2:
    fail("--compare needs two run directories or more")
  found = [_run(a) for a in args]
  configs = [dict(_leaves(json.loads((p / "config.json").read_text())["config"]))
             for p, _ in found]
  keys = sorted(set().union(*configs))
  differ = [k for k in keys if len({json.dumps(c.get(k)) for c in configs}) > 1]
  print(("1 config field differs:" if len(differ) == 1 else
         f"{len(differ)} config fields differ:") if differ else "the configs are the same")
  width = max([len(k) for k in differ] + [5])
  for k in differ:
    print(f"  {k:{width}}  " + "  |  ".join(json.dumps(c.get(k)) for c in configs))
  for (p, r), i in zip(found, range(len(found))):
    print(f"  [{i + 1}] {p}: {r['headline']}")
  _figure(found, figure)
  print(f"figure: {figure}")


def _figure(found, path):
  from ae import plotting  # pylint: disable=g-import-not-at-top  (matplotlib: only here)
  histories = []
  for p, _ in found:
    with np.load(p / "history.npz") as h:
      histories.append({k: h[k] for k in h.files})
  panels = [k for k in ("loss", "max_pixel_error", "rmse") if all(k in h for h in histories)]
  fig, axes = plotting.plt.subplots(1, len(panels), figsize=(5.5 * len(panels), 4),
                                    squeeze=False)
  for ax, key in zip(axes[0], panels):
    for i, ((p, _), h) in enumerate(zip(found, histories)):
      y = np.asarray(h[key], float)
      ok = np.isfinite(y).all(1)
      y = y[ok] if ok.any() else y
      colour = plotting.plt.cm.tab10(i % 10)
      ax.fill_between(h["step"], y.min(0), y.max(0), color=colour, alpha=0.15)
      ax.plot(h["step"], np.median(y, 0), color=colour, lw=2,
              label=f"[{i + 1}] {p.parent.name}/{p.name} (median, range of {len(y)} seeds)")
    if key == "loss":
      plotting.log_scale(ax.yaxis)
    ax.set(xlabel="step", ylabel={"loss": "loss (each run's own)", "rmse": "RMSE",
                                  "max_pixel_error": "wrong pixels, worst glyph"}[key])
    ax.grid(alpha=0.3)
  axes[0][0].legend(fontsize=7)
  fig.suptitle("runs compared: the median over seeds (line) and the range (band)")
  pathlib.Path(path).parent.mkdir(parents=True, exist_ok=True)
  plotting.save(fig, path)


def main(argv):
  out = pathlib.Path(_OUT.value)
  if _COMPARE.value:
    compare(argv[1:], _FIGURE.value or out / "compare.png")
    return
  if len(argv) > 1:
    fail(f"unexpected arguments {argv[1:]} (run directories go with --compare)")
  if not out.is_dir():
    fail(f"--out_dir={out}: no such directory (runs go to runs/ by default)")
  rows = runs_table.collect(out, _EXPERIMENT.value)
  if _INDEX.value:
    print(runs_page.write(out))
    return
  shown = [r for r in rows if _WHERE.value is None or runs_table.matches(r, _WHERE.value)]
  for r in shown:
    print(runs_table.line(r))
  print(f"{len(shown)} of {len(rows)} runs under {out}"
        + (f" (--where={_WHERE.value})" if _WHERE.value else ""))


def parse(argv):
  """absl's flags, a bad one as one line (exit 2); --help: this docstring and the flags."""
  if any(a in cli.HELP for a in argv[1:]):
    cli.print_and_exit("\n".join([__doc__.strip() + "\n\nflags:"] + [
        f"  --{f.name}: {flags.FLAGS[f.name].help} (default: {flags.FLAGS[f.name].default})"
        for f in (_OUT, _EXPERIMENT, _WHERE, _COMPARE, _FIGURE, _INDEX)]))
  try:
    return flags.FLAGS(argv)
  except flags.Error as e:
    fail(str(e).splitlines()[0])


if __name__ == "__main__":
  app.run(main, flags_parser=parse)
