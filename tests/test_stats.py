"""ae/stats.py and the sweep's report (issue 39): Holm against a worked example, a paired test
that finds what a pooled one misses, intervals, and verdicts made on the adjusted p."""
import numpy as np
import pytest
import scipy.stats

from ae import stats
from experiments import sweep_claims


def test_holm_against_a_worked_example():
  # sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1: 0.02, 0.03, 0.06, 0.04 -> 0.06 (monotone)
  assert stats.holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
  assert stats.holm([0.2, None, 0.9]) == pytest.approx([0.4, None, 0.9])
  assert stats.holm([0.6, 0.7]) == [1.0, 1.0]


def test_pairing_finds_a_shift_on_shared_seeds_that_pooling_misses():
  rng = np.random.default_rng(0)
  seed_effect = rng.normal(20, 6, 16)   # what each seed's initial weights do
  b = np.round(seed_effect)
  a = b - 1 - (rng.random(16) < 0.3)   # one or two pixels fewer on every seed
  d, p = stats.paired(a, b)
  assert p < 0.001 and np.all(d < 0)
  assert stats.unpaired(a, b) > 0.2   # Mann-Whitney on the pooled seeds sees nothing
  assert stats.paired(b, b) == (pytest.approx(np.zeros(16)), 1.0)
  assert stats.paired([1.0], [2.0])[1] is None


def test_intervals():
  d = np.arange(-10.0, 11.0)
  med, (lo, hi) = stats.median_interval(d)
  assert med == 0 and lo < 0 < hi and (lo, hi) == stats.median_interval(d)[1]  # repeats
  rate, lo, hi = stats.rate_interval(3, 16)
  ci = scipy.stats.binomtest(3, 16).proportion_ci(0.95)
  assert rate == 3 / 16 and (lo, hi) == (ci.low, ci.high)


def test_the_median_interval_is_scipys_bootstrap_bit_for_bit():
  """stats.median_interval computes scipy.stats.bootstrap's percentile interval itself (so a
  run need not import scipy.stats): the same numbers, to the last bit, on every kind of
  sample the lab makes (a few seeds or many, ties, a constant run of values)."""
  rng = np.random.default_rng(5)
  samples = [rng.normal(size=n) for n in (2, 3, 8, 16, 32, 101)]
  samples += [np.round(rng.normal(3, 2, 16)), rng.integers(0, 3, 7).astype(float),
              np.array([0.43, 0.43, 0.5]), rng.random(1024)]
  for d in samples:
    for seed in (0, 3):
      want = scipy.stats.bootstrap((d,), np.median, n_resamples=stats.RESAMPLES,
                                   method="percentile", rng=np.random.default_rng(seed))
      _, (lo, hi) = stats.median_interval(d, seed)
      assert (lo, hi) == (want.confidence_interval.low, want.confidence_interval.high), d


def _value(label, worst, le1=0, even=None):
  even = [None] * len(worst) if even is None else even
  return {"summary": {"value": label, "seeds_le1": le1},
          "per_seed": [{"max_pixel_error": w, "diverged": False, "latent_evenness": e}
                       for w, e in zip(worst, even)]}


def test_the_report_corrects_for_its_claims_and_pairs_the_seeds():
  rng = np.random.default_rng(1)
  base = rng.integers(5, 30, 12).astype(float)
  studies = {
      # a clear one: 0.01 beats the large etas by 3 px on every seed
      "eta": {"values": [_value("0.01", base - 3, 2), _value("0.1", base),
                         _value("0.15", base + 1), _value("0.45", base + 2)]},
      # two weak ones: a pixel fewer on 6 of 12 seeds, ties on the rest (raw p = 2 / 2^6)
      "iterations": {"values": [_value("300", base - (np.arange(12) < 6)),
                                _value("1500", base)]},
      "dataset": {"values": [_value("font2", base - (np.arange(12) >= 6)),
                             _value("font1", base), _value("font3", base)]},
      # the opposite: tanh worse than sigmoid and relu on every seed
      "activation": {"values": [_value("tanh", base + 4), _value("sigmoid", base),
                                _value("relu", base)]},
  }
  metrics = {"summary": {"base": "original", "seeds": 12}, "studies": studies}
  every = sweep_claims.claims(metrics)   # eta: two claims (its third needs "adaptive")
  assert [c["q"] for c in every] == stats.holm([c["p"] for c in every]) and len(every) == 5
  found = {c["study"]: c for c in every if not c["claim"].startswith("An eta between")}
  assert found["eta"]["verdict"] == "supported" and found["eta"]["effect"] == -4   # vs median
  assert found["activation"]["verdict"] == "contradicted: the opposite holds"
  for weak in ("iterations", "dataset"):   # raw yes, corrected for 5 claims no
    assert found[weak]["p"] == pytest.approx(2 / 2**6) and found[weak]["q"] > 0.05
    assert found[weak]["verdict"] == "not shown: no significant difference"
  text = sweep_claims.conclusions(None, metrics)
  assert "Holm–Bonferroni" in text and "Wilcoxon signed-rank" in text
  assert "seeds <= 1 px 2/12 [" in text
  assert "This run tests none of them in a measurable reading" in text   # no evenness measured: no latent claim


def test_a_latent_claim_tests_the_evenness_of_the_maps_in_the_same_correction():
  """'The more iterations, the more the latent layer spreads': 1500's maps more even than
  300's on every seed is supported; less even on every seed, contradicted."""
  base = np.arange(12.0)
  even = np.linspace(0.2, 0.8, 12)
  for more, verdict in ((0.1, "supported"), (-0.1, "contradicted: the opposite holds")):
    metrics = {"summary": {"base": "original", "seeds": 12}, "studies": {"iterations": {
        "values": [_value("300", base, even=list(even)),
                   _value("1500", base, even=list(even + more))]}}}
    every = sweep_claims.claims(metrics)
    assert [c["kind"] for c in every] == ["fewer", "more even"]
    latent = every[1]
    assert latent["verdict"] == verdict and latent["effect"] == pytest.approx(more)
    assert latent["q"] == stats.holm([c["p"] for c in every])[1]
    text = sweep_claims.conclusions(None, metrics)
    assert "The claim marked as a claim about the latent layer is tested" in text
    line = next(l for l in text.splitlines() if "(a claim about the latent layer)" in l)
    assert f"evenness: medians {np.median(even):.3f} (1500)".replace(
        f"{np.median(even):.3f}", f"{np.median(even + more):.3f}") in line
    assert "seeds <= 1 px" not in line and f"**{verdict}**" in line


def test_the_signed_rank_p_is_scipys_exact_one_ties_and_zeros_included():
  """Without ties scipy's exact distribution; with tied |d| and zeros, its permutation test
  over every sign pattern (2^n below its resample count: exact), which it uses only for ties
  and replaces by a normal approximation when a difference is zero."""
  rng = np.random.default_rng(4)
  for n in (2, 5, 9, 13):
    d = rng.normal(size=n)
    assert stats.signed_rank_p(d) == pytest.approx(
        scipy.stats.wilcoxon(d, method="exact").pvalue, rel=1e-9)
  every = scipy.stats.PermutationMethod(n_resamples=10**6)
  for n in (3, 8, 14):
    d = rng.integers(-3, 4, n).astype(float)
    d[0] = 0.0   # a zero: dropped (zero_method "wilcox")
    nz = d[d != 0]
    assert stats.signed_rank_p(d) == pytest.approx(
        scipy.stats.wilcoxon(nz, method=every).pvalue, rel=1e-9)
  d = rng.integers(-5, 7, 60).astype(float)   # large n: close to the normal approximation
  assert abs(stats.signed_rank_p(d) - scipy.stats.wilcoxon(d).pvalue) < 0.01
