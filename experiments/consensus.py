"""Is a latent map the data's or the seed's? Every 2-D run's seeds aligned into one consensus
map (ae/align.py): metrics.json's `latent_stability`, its summary row and figures/consensus.png.
"""
import jax
import numpy as np

from ae import align, autoencoder, stats, train
from ae.data import display

SHOWN = 5   # least stable glyphs named in the summary and the figure
K = align.K


def autoencoder_codes(model, params, x):
  """Every seed's latent codes of x: (seeds, n, latent_dim)."""
  seeds = len(jax.tree.leaves(params)[0])
  return np.stack([np.asarray(autoencoder.encode(model, train.seed_params(params, i), x))
                   for i in range(seeds)])


def measure(codes, diverged, seeds, labels, k=align.K):
  """metrics.json's latent_stability from every seed's codes (seeds, n, 2): the consensus's
  neighbourhood stability (median over seeds of each seed's mean Jaccard, with its 95%
  bootstrap interval; each kept seed's in `per_seed`), the same for maps with glyphs shuffled
  between seeds (the null), the median Procrustes disparity, each glyph's stability and the
  least stable glyphs; or
  {"why": ...} where there is none."""
  codes = np.asarray(codes, float)
  try:
    a = align.gpa(codes, ok=~np.asarray(diverged, bool))
  except ValueError:
    return {"why": f"needs 2 seeds that did not diverge, with distinct codes; this run has "
                   f"{int((~np.asarray(diverged, bool)).sum())} of {len(codes)} that did not "
                   "diverge"}
  if len(labels) <= k:
    return {"why": f"needs more than {k} glyphs for {k} neighbours each"}
  j = align.jaccard(codes[a.seeds], a.consensus, k)   # (kept seeds, glyphs)
  median, (lo, hi) = stats.median_interval(j.mean(1))
  per_glyph = j.mean(0)
  order = np.argsort(per_glyph, kind="stable")
  return {"k": k, "seeds": [int(seeds[i]) for i in a.seeds],
          "dropped": [int(seeds[i]) for i in a.dropped],
          "stability_median": median, "stability_interval": [lo, hi],
          "per_seed": [round(float(v), 4) for v in j.mean(1)],   # in "seeds"' order
          "null": float(align.null_stability(codes[a.seeds], k).mean()),
          "disparity_median": float(np.median(a.disparity)),
          "per_glyph": [round(float(v), 4) for v in per_glyph],   # in the data's order
          "least_stable": [str(labels[i]) for i in order[:SHOWN]]}


def text(stability):
  """The summary row's value."""
  if "why" in stability:
    return f"none: {stability['why']}"
  lo, hi = stability["stability_interval"]
  n = len(stability["seeds"])
  return (f"{stability['stability_median']:.2f} [{lo:.2f}, {hi:.2f}] over {n} seeds (glyphs "
          f"shuffled: {stability['null']:.2f}); least stable: "
          f"{' '.join(display(c) for c in stability['least_stable'])}")


def row(stability, what=""):
  """The summary's row, (label, value); what: which codes, when it needs saying."""
  return (f"latent map stability ({K} neighbours{', ' + what if what else ''})",
          text(stability))


def figure(path, codes, diverged, stability, shown, title, classes=None):
  """figures/consensus.png from the run's codes and its latent_stability (none without one,
  or for a latent space that is not 2-D);
  shown: each glyph's label as the figures draw it."""
  from ae import plotting_consensus  # pylint: disable=g-import-not-at-top  (matplotlib: drawing.py)
  if "why" in stability or np.shape(codes)[-1] != 2:
    return None
  a = align.gpa(np.asarray(codes, float), ok=~np.asarray(diverged, bool))
  per_glyph = np.asarray(stability["per_glyph"])
  shaky = np.argsort(per_glyph, kind="stable")[:SHOWN]
  return plotting_consensus.consensus(path, a, shown, stability, shaky, title, classes)
