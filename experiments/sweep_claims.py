"""report.md: each of the original's conclusions against the sweep's measurements, seed by
seed: a paired test per claim, corrected for the number of claims, with an interval."""
import warnings

import numpy as np

from ae import stats

# (study, the original's conclusion, values A, values B[, kind]): it claims A has fewer wrong
# pixels on the worst glyph than B (kind "as good": no more; "more even": A's latent maps
# spread the glyphs more evenly, align.evenness). Labels missing from a run are skipped.
CLAIMS = [
    ("eta", "A very large eta removes any precision (0.01 beats 0.1, 0.15, 0.45)",
     ["0.01"], ["0.1", "0.15", "0.45"]),
    ("eta", "An eta between 0.001 and 0.01 is the ideal middle (0.005 and 0.01 beat the rest)",
     ["0.005", "0.01"], ["0.0005", "0.05", "0.1", "0.15", "0.45"]),
    ("eta", "Adaptive eta is too noisy (the fixed 0.01 beats it)", ["0.01"], ["adaptive"]),
    ("eta", "A small eta gives a well-distributed latent layer (0.0005 and 0.005 spread the "
     "glyphs more evenly than 0.1, 0.15 and 0.45)", ["0.0005", "0.005"],
     ["0.1", "0.15", "0.45"], "more even"),
    ("iterations", "More iterations over-train (300 beats 1500)", ["300"], ["1500"]),
    ("iterations", "The more iterations, the more the latent layer spreads (1500 spreads the "
     "glyphs more evenly than 300)", ["1500"], ["300"], "more even"),
    ("activation", "tanh fits better than sigmoid and relu", ["tanh"], ["sigmoid", "relu"]),
    ("solver", "Powell's results were not encouraging (BFGS, CG, L-BFGS beat it)",
     ["bfgs", "cg", "lbfgs"], ["powell"]),
    ("solver", "CG is a good alternative to BFGS (CG at least as good)", ["cg"], ["bfgs"],
     "as good"),
    ("frequency", "Minimising every 1 to 6 iterations is ideal (1, 2, 4 beat 10..150)",
     ["1", "2", "4"], ["10", "30", "50", "150"]),
    ("frequency", "Without minimisation the predictions are not exact (any frequency beats "
     "never)", ["1", "2", "4", "10", "30", "50", "150"], ["never"]),
    ("std", "The best init std lies between 0.6 and 0.75 (0.6, 0.73 beat 0.2, 1.3)",
     ["0.6", "0.73"], ["0.2", "1.3"]),
    ("dataset", "font1 (digits, signs) and font3 (lower case) are harder than font2",
     ["font2"], ["font1", "font3"]),
    ("optimizer", "(not the original's: it ran plain gradient descent) Adam beats gradient "
     "descent, each at its best eta", ["adam"], ["sgd"]),
]


# per kind: (the per-seed value compared, its unit, +1 when the claim is that A's is higher)
MEASURES = {"fewer": ("max_pixel_error", " px", -1), "as good": ("max_pixel_error", " px", -1),
            "more even": ("latent_evenness", "", +1)}
LATENT = "a claim about the latent layer"


def _seeds(result, key="max_pixel_error"):
  """Per-seed values of `key` in seed order, nan for a diverged seed (or one without it)."""
  return np.array([np.nan if p["diverged"] or p.get(key) is None else p[key]
                   for p in result["per_seed"]], float)


def _side(results, key):
  """A side of several values as one: each seed's median over them (its seeds are shared)."""
  stack = np.stack([_seeds(r, key) for r in results])
  with warnings.catch_warnings():   # a seed diverged under every value: nan, left out
    warnings.simplefilter("ignore", RuntimeWarning)
    return np.nanmedian(stack, axis=0)


def _verdict(d, q, kind):
  """The verdict on the claim from the per-seed differences A - B and the Holm-adjusted p."""
  if q is None:
    return "not enough seeds"
  if np.all(d == 0):
    return "supported: every seed ties" if kind == "as good" else "not shown: every seed ties"
  if q < stats.ALPHA:
    lean = np.median(d) or np.mean(d)
    return ("supported" if lean * MEASURES[kind][2] > 0 else
            "contradicted: the opposite holds")
  return ("supported: no significant difference" if kind == "as good" else
          "not shown: no significant difference")


def _rate(results):
  """Seeds with at most 1 wrong pixel on every glyph, over a side's values, with its 95%
  binomial interval."""
  k = sum(r["summary"]["seeds_le1"] for r in results)
  n = sum(len(r["per_seed"]) for r in results)
  _, lo, hi = stats.rate_interval(k, n)
  return f"{k}/{n} [{100 * lo:.0f}–{100 * hi:.0f}%]" if n else "-"


def claims(metrics):
  """Each of the original's conclusions that the run can test: its sides, the per-seed
  differences A - B, the paired test's raw and Holm-adjusted p, the effect with its 95%
  bootstrap interval, and the verdict (on the adjusted p)."""
  studies = metrics["studies"]
  out = []
  for study, text, a_labels, b_labels, *kind in CLAIMS:
    kind = (kind or ["fewer"])[0]
    if study not in studies:
      continue
    res = {r["summary"]["value"].split(" (")[0]: r for r in studies[study]["values"]}
    a = [res[l] for l in a_labels if l in res]
    b = [res[l] for l in b_labels if l in res]
    key = MEASURES[kind][0]
    measured = any(p.get(key) is not None for r in a + b for p in r["per_seed"])
    if a and b and measured:   # (a run saved before evenness existed has none)
      d, p = stats.paired(_side(a, key), _side(b, key))
      out.append({"study": study, "claim": text, "a": [l for l in a_labels if l in res],
                  "b": [l for l in b_labels if l in res], "kind": kind, "d": d, "p": p,
                  "rates": (_rate(a), _rate(b)),
                  "medians": (np.nanmedian(_side(a, key)), np.nanmedian(_side(b, key)))})
  for c, q in zip(out, stats.holm([c["p"] for c in out])):
    c["q"] = q
    c["effect"], c["interval"] = stats.median_interval(c["d"])
    c["verdict"] = _verdict(c["d"], q, c["kind"])
  return out


def _line(c):
  p = "-" if c["p"] is None else f"{c['p']:.2g}"
  q = "-" if c["q"] is None else f"{c['q']:.2g}"
  lo, hi = c["interval"]
  unit = MEASURES[c["kind"]][1]
  g = "g" if unit else ".3f"
  effect = ("-" if c["effect"] is None else
            f"{c['effect']:+{g}}{unit} [{lo:+{g}}, {hi:+{g}}]")
  what = "evenness: medians" if c["kind"] == "more even" else "Medians"
  rates = ("" if c["kind"] == "more even" else
           f"seeds <= 1 px {c['rates'][0]} vs {c['rates'][1]}")
  return (f"- **{c['study']}**{' (' + LATENT + ')' if c['kind'] == 'more even' else ''}: "
          f"{c['claim']}. {what} {c['medians'][0]:{g}}{unit} ({', '.join(c['a'])}) vs "
          f"{c['medians'][1]:{g}}{unit} ({', '.join(c['b'])}); A − B per seed {effect} over "
          f"{len(c['d'])} seeds; p = {p}, Holm-adjusted {q}; {rates}"
          f"{': ' if rates else ''}**{c['verdict']}**.")


def conclusions(config, metrics):
  """report.md: each of the original's conclusions against the measurements."""
  del config
  s = metrics["summary"]
  found = claims(metrics)
  latent = [c for c in found if c["kind"] == "more even"]
  lines = [f"# The original's conclusions, re-tested ({s['base']} base, {s['seeds']} seeds "
           "per value)\n",
           "Each claim compares the wrong pixels on the worst glyph (one about the latent layer: "
           "the evenness below), seed by seed: a study's "
           "values share their seeds and initial weights, so the test is paired (the exact "
           "Wilcoxon signed-rank on the per-seed differences A − B, two-sided; a side of "
           "several values enters as each seed's median over them; diverged seeds left "
           "out). The "
           f"{len(found)} p-values of this report are corrected for their number with "
           "Holm–Bonferroni, and a verdict needs an adjusted p below "
           f"{stats.ALPHA:g}. The effect is the median per-seed difference with its 95% "
           f"bootstrap interval ({stats.RESAMPLES} resamples); each side's rate of seeds with "
           "at most 1 wrong pixel has its 95% Clopper–Pearson interval.\n",
           "The original's claims about the latent layer (\"well distributed\", \"more "
           "dispersion\") name no measure and rest on one unseeded plot each, so as stated "
           "they were never measurable. " + (
               ("The claim" if len(latent) == 1 else f"The {len(latent)} claims") +
               f" marked as {LATENT} {'is' if len(latent) == 1 else 'are'} tested in the "
               "closest measurable reading, with the same paired test in the same correction: "
               "each seed's "
               "evenness, the median distance from a glyph's code to its nearest other "
               "glyph's over the map's root-mean-square radius, times the square root of the "
               "number of glyphs (free of the map's scale, rotation and reflection; about 1.2 "
               "for codes scattered uniformly over a disc, near 0 for codes piled in clumps). "
               "Whether a map is the data's or the seed's is each table's latent stability "
               "column (table.md).\n" if latent else
               "This run tests none of them in a measurable reading: that needs the eta or "
               "iterations study with the original's values, in a run that measured its maps' "
               "evenness (runs saved before it was measured did not).\n")]
  lines += [_line(c) for c in found]
  return "\n".join(lines) + "\n"
