"""The metrics.json builder: divergence, ranking among finite seeds, pixel counts, labels."""
import numpy as np

from ae import report

T = {"compile_seconds": 1.0, "train_seconds": 2.0}


def test_divergence_is_non_finite_or_above_the_start():
  bad = report.diverged([0.1, np.nan, 5.0, np.inf, 0.5], [1.0, 1.0, 1.0, 1.0, 0.5])
  assert bad.tolist() == [False, True, True, True, False]


def test_best_and_median_among_the_seeds_that_did_not_diverge():
  e = np.array([[0, 3], [0, 0], [9, 9], [1, 0], [0, 0], [2, 2]])
  final = np.array([0.2, 0.1, np.nan, 0.3, 4.0, 0.4])   # seed 14 ends above its start
  start = np.full(6, 1.0)
  m = report.build(range(10, 16), final, start, T, report.pixel_per_seed(e),
                   report.pixel_score(e, final), lambda ok: report.pixel_summary(e, ok),
                   labels=list("ab"))
  s = m["summary"]
  assert s["diverged_seeds"] == [12, 14]
  # good seeds ranked: 11 (0 px), 13 (1 px), 15 (2 px), 10 (3 px): median = 2nd of 4
  assert s["best_seed"] == 11 and s["median_seed"] == 13
  assert (s["seeds"], s["seeds_zero"], s["seeds_le1"]) == (6, 1, 2)
  assert s["max_pixel_error_median"] == 1.5  # of 3, 0, 1, 2
  assert s["glyphs"] == "ab" and s["interrupted"] is False
  assert s["train_seconds_per_seed"] == round(2.0 / 6, 4)
  assert m["per_seed"][2]["final_loss"] is None and m["per_seed"][2]["diverged"]
  assert m["per_seed"][0]["pixel_errors"] == [0, 3]
  picks, bad = report.picks(m, 10)
  assert picks == {"best": 1, "median": 3} and bad == [2, 4]
  assert report.seed_labels(picks, 10) == {"best (seed 11)": 1, "median (seed 13)": 3}


def test_every_seed_diverged_and_many_labels():
  m = report.build([0, 1], [np.nan, np.inf], [1, 1], T, labels=[str(i) for i in range(300)],
                   interrupted=True)
  s = m["summary"]
  assert s["best_seed"] is None and s["median_seed"] is None and "glyphs" not in s
  assert s["interrupted"] is True


def test_latent_box_is_each_axis_min_and_max():
  z = np.array([[0.5, -2.0], [-1.0, 3.0], [2.0, 0.0]], np.float32)
  assert report.latent_box(z) == [[-1.0, 2.0], [-2.0, 3.0]]
