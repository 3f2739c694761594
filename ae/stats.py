"""Claims tested over seeds: paired tests, their correction for the number of claims, and an
interval for every effect and rate.

A study's values share their seeds (and so their initial weights): seed s of value A and
seed s of value B differ only in A and B, so claims compare per-seed differences (Wilcoxon
signed-rank), not two pooled samples. A report that tests m claims corrects their p-values
for m (Holm-Bonferroni), and each effect gets a bootstrap interval, each rate a binomial one.

  >>> [round(p, 3) for p in holm([0.01, 0.04, 0.03, 0.005])]
  [0.03, 0.06, 0.06, 0.02]
"""
import numpy as np

# scipy.stats is imported where it is used: it takes 0.8 s, and a run (the interval of its
# latent stability) never needs it; the sweep's report does.

ALPHA = 0.05
RESAMPLES = 2000


def holm(pvalues):
  """Holm-Bonferroni adjusted p-values, in the given order (None stays None): the i-th
  smallest of m is multiplied by m - i, then made non-decreasing, capped at 1."""
  known = [(p, i) for i, p in enumerate(pvalues) if p is not None]
  m = len(known)
  out = list(pvalues)
  running = 0.0
  for rank, (p, i) in enumerate(sorted(known)):
    running = max(running, min(1.0, (m - rank) * p))
    out[i] = running
  return out


def paired(a, b):
  """(differences a - b, two-sided Wilcoxon signed-rank p) over the seeds where both are
  finite; p is None with fewer than 2 pairs, 1.0 when every pair ties."""
  a, b = np.asarray(a, float), np.asarray(b, float)
  ok = np.isfinite(a) & np.isfinite(b)
  d = a[ok] - b[ok]
  if len(d) < 2:
    return d, None
  if np.all(d == 0):
    return d, 1.0
  return d, signed_rank_p(d)


def signed_rank_p(d):
  """The exact two-sided p of the Wilcoxon signed-rank test, zeros dropped, tied |d| given
  mid-ranks: the null distribution of the positive rank sum over every sign pattern, built
  one rank at a time (doubled mid-ranks are integers). scipy computes the same p by a
  permutation test when ranks tie, about 1 s per claim; this takes microseconds."""
  d = np.asarray(d, float)
  d = d[d != 0]
  if len(d) == 0:
    return 1.0
  import scipy.stats  # pylint: disable=g-import-not-at-top
  ranks = np.rint(2 * scipy.stats.rankdata(np.abs(d))).astype(int)
  dist = np.zeros(ranks.sum() + 1)
  dist[0] = 1.0
  for r in ranks:   # each rank joins the positive sum or not, with probability 1/2
    dist[r:] = 0.5 * dist[r:] + 0.5 * dist[:-r]   # the right side is a new array
    dist[:r] *= 0.5
  t = ranks[d > 0].sum()
  return float(min(1.0, 2 * min(dist[:t + 1].sum(), dist[t:].sum())))


def unpaired(a, b):
  """Two-sided Mann-Whitney U p of two independent samples (finite values), or None."""
  a, b = np.asarray(a, float), np.asarray(b, float)
  a, b = a[np.isfinite(a)], b[np.isfinite(b)]
  if len(a) < 2 or len(b) < 2:
    return None
  if np.all(a == a[0]) and np.all(b == a[0]):
    return 1.0
  import scipy.stats  # pylint: disable=g-import-not-at-top
  return float(scipy.stats.mannwhitneyu(a, b, alternative="two-sided").pvalue)


def median_interval(d, seed=0):
  """(median of d, 95% bootstrap interval of the median): percentile bootstrap,
  RESAMPLES resamples, a fixed seed so a report repeats. scipy.stats.bootstrap's arithmetic
  step for step (its resampling draw, its linear quantiles; tests/test_stats.py holds them
  equal bit for bit), without importing scipy.stats, which takes 0.8 s of every run."""
  d = np.asarray(d, float)
  if len(d) == 0:
    return None, (None, None)
  if len(d) == 1 or np.all(d == d[0]):
    return float(np.median(d)), (float(d[0]), float(d[0]))
  n = len(d)
  pick = np.random.default_rng(seed).integers(0, n, (RESAMPLES, n), dtype=np.int64)
  medians = np.sort(np.median(d[pick], axis=-1))
  alpha = np.float64((1 - 0.95) / 2)
  low, high = (_linear_quantile(medians, p) for p in (alpha, 1 - alpha))
  return float(np.median(d)), (low, high)


def _linear_quantile(y, p):
  """The p-quantile of sorted y, interpolated linearly (Hyndman and Fan's type 7), written
  as scipy.stats.quantile computes it."""
  n = np.float64(len(y))
  jg = p * n + (1 - p)
  j = np.clip(jg // 1 - 1, 0.0, n - 1)
  g = 0.0 if jg // 1 - 1 < 0 else jg % 1
  jp1 = np.clip(jg // 1, 0.0, n - 1)
  return float((1 - g) * y[int(j)] + g * y[int(jp1)])


def rate_interval(k, n):
  """k of n as a rate with its 95% Clopper-Pearson interval: (k / n, low, high)."""
  if n == 0:
    return None, None, None
  import scipy.stats  # pylint: disable=g-import-not-at-top
  ci = scipy.stats.binomtest(int(k), int(n)).proportion_ci(0.95)
  return k / n, float(ci.low), float(ci.high)
