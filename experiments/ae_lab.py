"""ae-lab: every experiment as one console script that works from any directory.

  ae-lab latent2d --eta=0.0085     # the same as: python -m experiments.latent2d --eta=0.0085
  ae-lab sweep --study=eta
  ae-lab runs                      # the runs under runs/, newest first (python -m experiments.runs)

`python -m experiments.<name>` finds `experiments` through the current directory first, so a
project of one's own with an `experiments/` folder hides it; the console script does not.
"""
import runpy
import sys

EXPERIMENTS = ("latent2d", "denoise", "circles", "vae", "sweep")   # each: <out_dir>/<name>/<run>
PROGRAMS = (*EXPERIMENTS, "runs")
USAGE = (f"usage: ae-lab {{{','.join(PROGRAMS)}}} [flags]   (ae-lab NAME --help: "
         "that experiment's flags)")


def main():
  if len(sys.argv) < 2 or sys.argv[1] in ("-h", "--help"):
    print(__doc__.strip() + "\n\n" + USAGE)
    sys.exit(0 if len(sys.argv) > 1 else 2)
  name = sys.argv[1]
  if name not in PROGRAMS:
    print(f"ae-lab: error: no experiment {name!r}; {USAGE}", file=sys.stderr)
    sys.exit(2)
  sys.argv = [f"ae-lab {name}", *sys.argv[2:]]
  runpy.run_module(f"experiments.{name}", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
  main()
