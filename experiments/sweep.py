"""sweep: the original study's one-parameter-at-a-time studies, re-run over many seeds at once.

  python -m experiments.sweep --study=eta                # 16 seeds per value
  python -m experiments.sweep --study=all                # every study in turn (~4 minutes)
  python -m experiments.sweep --study=std --values=0.1,0.6,2 --base=best
  python -m experiments.sweep --study=presets            # their two best settings vs ours

Every value runs on the same seeds; values that differ only in numbers (eta, the init's std,
same-shaped data) share one compiled program with the seeds. Writes metrics.json, table.md
(mean +- std of the worst-glyph error, ...), a strip plot per study, a panel grid of the median
seeds' latent spaces and reconstructions, and report.md: each of the original's conclusions
against the measurements, with a rank test over seeds.
"""
if __name__ == "__main__":  # as a program: a signal during the imports below ends it cleanly
  from experiments import startup
  startup.begin()

import dataclasses

from ae.fields import field
from experiments import entry
from experiments.sweep_studies import STUDIES

NAME = "sweep"
E = "experiment"


@dataclasses.dataclass(frozen=True)
class Config:
  study: str = field("eta", "Which study: " + ", ".join(STUDIES) + "; all (every one in turn); "
                     "presets (the original's two best settings against the default recipe).",
                     E, STUDIES + ("all", "presets"))
  values: str = field(None, "The study's values instead of the original's, comma-separated "
                      "(arch: sizes joined by '-'; dataset: font1..font3, ':n' for the first "
                      "n glyphs; eta: numbers or 'adaptive').", E)
  base: str = field("original", "What each value changes one thing of: original (the "
                    "original's starting point) or best (latent2d's default recipe).", E,
                    ("original", "best"))
  seeds: int = field(16, "Seeds per value: the same seeds for every value (paired).", "seeds")
  seed: int = field(0, "First seed.", "seeds")
  solver_steps: int = field(5, "Iterations per solver call (solver and frequency studies).", E)
  powell_seconds: float = field(0.02, "Wall-time cap of each Powell call (solver study).", E)

  def without_effect(self):
    """{field: why} for flags without effect here (an error when given)."""
    out = {}
    if self.study == "presets":
      out["base"] = "--study=presets compares fixed settings, on no base"
    if self.study not in ("solver", "frequency", "all"):
      out["solver_steps"] = "only the solver and frequency studies call a solver"
    if self.study not in ("solver", "all"):
      out["powell_seconds"] = "only the solver study runs Powell"
    return out


def plan(config):
  """{study: [Value, ...]} for the config (InputError on a bad study or value)."""
  from experiments import sweep_run  # pylint: disable=g-import-not-at-top  (JAX: see entry.py)
  return sweep_run.plan(config)


def run(config, run_dir, progress=None, should_stop=None):
  """Runs the study (or all of them) and writes the run directory; returns the metrics."""
  from experiments import sweep_run  # pylint: disable=g-import-not-at-top  (JAX: see entry.py)
  return sweep_run.run(config, run_dir, progress, should_stop)


def redraw(load_dir, run_dir):
  """--load: a saved sweep's figures, table.md and report.md again (sweep_run.redraw)."""
  from experiments import sweep_run  # pylint: disable=g-import-not-at-top  (JAX: see entry.py)
  return sweep_run.redraw(Config(), load_dir, run_dir)


if __name__ == "__main__":
  entry.app(NAME, __doc__, Config(), run, redraw=redraw)
