"""sweep: every study on a tiny configuration writes its table and figures; the table's numbers
are metrics.json's; the values and seeds come back from config.json; bad input."""
import dataclasses
import json
import re

import numpy as np
import pytest

from ae import InputError, runs
from experiments import sweep, sweep_studies

TINY_VALUES = {  # two cheap values per study
    "eta": "0.01,adaptive", "iterations": "20,30", "activation": "tanh,relu",
    "solver": "none,powell", "frequency": "10,never", "std": "0.2,1.3",
    "dataset": "font1,font2:10", "arch": "35-8-2-8-35,35-6-2-6-35", "optimizer": "sgd,adam",
}


@pytest.fixture(autouse=True)
def small(monkeypatch):
  """Every base trains 20 steps, every study on the small architecture."""
  bases = {k: (d, dataclasses.replace(m, arch=(35, 8, 2, 8, 35)),
               dataclasses.replace(t, iterations=20, log_every=10))
           for k, (d, m, t) in sweep_studies.BASES.items()}
  monkeypatch.setattr(sweep_studies, "BASES", bases)
  monkeypatch.setattr(sweep_studies, "ETA_GRID", (0.01, 0.1))


def _run(tmp_path, study, **kw):
  cfg = sweep.Config(study=study, values=TINY_VALUES.get(study), seeds=2, **kw)
  return cfg, sweep.run(cfg, tmp_path / study)


@pytest.mark.parametrize("study", [pytest.param("eta", marks=pytest.mark.slow),
                                   pytest.param("dataset", marks=pytest.mark.slow),
                                   pytest.param("solver", marks=pytest.mark.slow)])
def test_a_study_writes_its_table_and_figures(tmp_path, study):
  cfg, m = _run(tmp_path, study)
  d = tmp_path / study
  assert {"config.json", "metrics.json", "table.md", "report.md", "data.npz",
          f"params_{study}.npz"} <= {p.name for p in d.iterdir()}
  assert {f"{study}_strip.png", f"{study}_panels.png"} <= {p.name for p in
                                                          (d / "figures").iterdir()}
  rows = m["summary"]["values"][study]
  assert [r["value"] for r in rows] == TINY_VALUES[study].split(",")
  # the table's numbers are metrics.json's
  saved = json.loads((d / "metrics.json").read_text())
  table = (d / "table.md").read_text()
  for r in saved["summary"]["values"][study]:
    line = next(l for l in table.splitlines() if l.startswith(f"| {r['value']} |"))
    mean, std = re.search(r"\| ([\d.]+) ± ([\d.]+) \|", line).groups()
    assert float(mean) == pytest.approx(r["max_pixel_error_mean"], abs=0.005)
    assert float(std) == pytest.approx(r["max_pixel_error_std"], abs=0.005)
    assert f"| {r['seeds_le1']}/2 |" in line
    w = [p["max_pixel_error"] for p in saved["per_seed"]
         if p["value"] == r["value"] and not p["diverged"]]
    assert np.mean(w) == pytest.approx(r["max_pixel_error_mean"])
    # the latent columns: the value's seeds aligned, and their maps' evenness
    lo, hi = r["stability_interval"]
    assert (f"| {r['stability_median']:.2f} [{lo:.2f}, {hi:.2f}] ({r['stability_null']:.2f}) | "
            f"{r['evenness_median']:.2f} |") in line
    rows = [p for p in saved["per_seed"] if p["value"] == r["value"] and not p["diverged"]]
    assert np.median([p["latent_stability"] for p in rows]) == pytest.approx(
        r["stability_median"], abs=1e-4)
  # the seconds column says what it counts (issue 42)
  assert "Seconds: the value's share of its compiled program's time" in table
  # the values and seeds come back from the saved config
  again = runs.restore(sweep.Config(), json.loads((d / "config.json").read_text())["config"])
  assert again == cfg
  assert [v.label for v in sweep.plan(again)[study]] == TINY_VALUES[study].split(",")


@pytest.mark.slow
@pytest.mark.parametrize("study", [s for s in sweep_studies.STUDIES
                                   if s not in ("eta", "dataset", "solver")])
def test_every_other_study_runs(tmp_path, study):
  _, m = _run(tmp_path, study)
  assert len(m["summary"]["values"][study]) == 2
  assert (tmp_path / study / "figures" / f"{study}_strip.png").is_file()


@pytest.mark.slow
def test_batched_values_equal_separate_runs(tmp_path):
  """eta values share one program; each gives what its own run gives."""
  _, both = _run(tmp_path, "eta", base="best")
  one = sweep.run(sweep.Config(study="eta", values="0.01", seeds=2, base="best"),
                  tmp_path / "one")
  a = [p for p in both["per_seed"] if p["value"] == "0.01"]
  b = one["per_seed"]
  assert [p["pixel_errors"] for p in a] == [p["pixel_errors"] for p in b]
  np.testing.assert_allclose([p["final_loss"] for p in a], [p["final_loss"] for p in b],
                             rtol=1e-4)


@pytest.mark.parametrize("kw,match", [
    (dict(study="colour"), "study must be one of"),
    (dict(study="eta", values="0.01,fast"), "'fast' is not a value the eta study"),
    (dict(study="eta", values="-1"), "positive numbers"),
    (dict(study="solver", values="newton"), "the solver study takes"),
    (dict(study="arch", values="35-x-35"), "sizes joined by"),
    (dict(study="arch", values="36-2-36"), "data has 35"),
    (dict(study="all", values="1"), "values applies to one study"),
    (dict(study="eta", seeds=0), "seeds"),
])
def test_bad_input(tmp_path, kw, match):
  with pytest.raises(InputError, match=match):
    sweep.run(sweep.Config(**kw), tmp_path / "r")
  assert not (tmp_path / "r").exists()


def test_the_strip_plot_draws_each_values_stability_beside_its_null(tmp_path, monkeypatch):
  from experiments import sweep_report  # pylint: disable=g-import-not-at-top
  drawn = []
  monkeypatch.setattr(sweep_report, "save", lambda fig, path: drawn.append(fig) or path)
  monkeypatch.setattr(sweep_report, "panels", lambda *a: None)
  vals = sweep_studies.values("eta", "original", "0.01,0.1")
  done = [(v, {"summary": {"value": v.label, "baseline": {"max_pixel_error": 9}},
               "latent_stability": {"null": 0.1 * (k + 1)},
               "per_seed": [{"max_pixel_error": 3, "diverged": False, "latent_stability": s,
                             "latent_evenness": 1.0} for s in (0.5, 0.7)]})
          for k, v in enumerate(vals)]
  sweep_report.study_figures(tmp_path, "eta", done, {})
  fig = drawn[0]
  fig.canvas.draw()
  worst, stable, even = fig.axes
  assert stable.get_ylabel().startswith("latent stability") and "evenness" in even.get_ylabel()
  legend = [t.get_text() for t in stable.get_legend().get_texts()]
  assert legend == ["glyphs shuffled between seeds (the null)"]
  null = next(l for l in stable.get_lines() if l.get_color() == "tab:red")
  assert list(null.get_ydata()) == [0.1, 0.2]
  points = [l for l in stable.get_lines() if l.get_marker() == "."]
  assert sorted(np.concatenate([l.get_ydata() for l in points])) == [0.5, 0.5, 0.7, 0.7]
  assert [t.get_text() for t in even.get_xticklabels()] == ["0.01", "0.1"]
