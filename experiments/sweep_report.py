"""The sweep's metrics, Markdown table, figures and report of the original's conclusions."""
import warnings

import numpy as np

from ae import autoencoder, baselines, plotting, stats
from ae.plotting import plt, save

# (study, the original's conclusion, values A, values B[, "as good"]): it claims A has fewer
# wrong pixels on the worst glyph than B (or, "as good", no more). Labels missing from a run
# are skipped.
CLAIMS = [
    ("eta", "A very large eta removes any precision (0.01 beats 0.1, 0.15, 0.45)",
     ["0.01"], ["0.1", "0.15", "0.45"]),
    ("eta", "An eta between 0.001 and 0.01 is the ideal middle (0.005 and 0.01 beat the rest)",
     ["0.005", "0.01"], ["0.0005", "0.05", "0.1", "0.15", "0.45"]),
    ("eta", "Adaptive eta is too noisy (the fixed 0.01 beats it)", ["0.01"], ["adaptive"]),
    ("iterations", "More iterations over-train (300 beats 1500)", ["300"], ["1500"]),
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


def best_per_optimizer(results, vals, params, hist):
  """From an optimizer x eta grid keep each optimizer's best eta (lowest median worst-glyph
  error, then mean error); returns the kept lists and the whole search."""
  by = {}
  for r, v in zip(results, vals):
    if r is not None:
      by.setdefault(v.label.split("@")[0], []).append((r, v))
  keep_r, keep_v, keep_p, keep_h, search = [], [], {}, {}, {}
  for name, rows in by.items():
    search[name] = [{"eta": v.train.eta, "max_pixel_error_median":
                     r["summary"]["max_pixel_error_median"],
                     "seeds_le1": r["summary"]["seeds_le1"]} for r, v in rows]
    r, v = min(rows, key=lambda rv: (_inf(rv[0]["summary"]["max_pixel_error_median"]),
                                     _inf(rv[0]["summary"]["mean_pixel_error_mean"])))
    label = name
    r["summary"]["value"] = f"{name} (best eta {v.train.eta:g})"
    keep_r.append(r)
    keep_v.append(v._replace(label=label))
    keep_p[label], keep_h[label] = params[v.label], hist[v.label]
  return keep_r, keep_v, keep_p, keep_h, search


def baseline(value, result):
  """PCA with the value's latent width on the value's glyphs: its worst-glyph error, and how
  many of the value's seeds do better on their worst glyph."""
  b = baselines.glyphs(value.data.load().x, value.model.latent_dim)["pca"]
  better = int(np.sum(_worst(result) < b["max_pixel_error"]))
  return {"components": b["components"], "max_pixel_error": b["max_pixel_error"],
          "seeds_better": better}


def _inf(v):
  return np.inf if v is None else v


def _worst(result):
  """Per-seed worst-glyph errors of the seeds that did not diverge."""
  return np.array([p["max_pixel_error"] for p in result["per_seed"] if not p["diverged"]])


def metrics(config, out, seconds):
  per_seed, rows = [], {}
  comp = train = 0.0
  interrupted = False
  for study, o in out.items():
    rows[study] = []
    for r in o["values"]:
      s = r["summary"]
      comp += s["compile_seconds"]
      train += s["train_seconds"]
      interrupted |= s["interrupted"]
      w = _worst(r)
      rows[study].append({
          "value": s["value"], "max_pixel_error_mean": float(w.mean()) if len(w) else None,
          "max_pixel_error_std": float(w.std()) if len(w) else None,
          "max_pixel_error_median": s["max_pixel_error_median"],
          "mean_pixel_error_mean": s["mean_pixel_error_mean"], "seeds_le1": s["seeds_le1"],
          "seeds_zero": s["seeds_zero"], "final_loss_median": s["final_loss_median"],
          "diverged": len(s["diverged_seeds"]), "seconds": s["seconds"],
          "batched_with": s["batched_with"], "baseline": s.get("baseline")})
      per_seed += [dict(p, study=study, value=s["value"]) for p in r["per_seed"]]
  summary = {"study": config.study, "base": config.base, "seeds": config.seeds,
             "first_seed": config.seed, "values": rows, "seconds": round(seconds, 1),
             "compile_seconds": round(comp, 2), "train_seconds": round(train, 2),
             "interrupted": interrupted}
  return {"summary": summary, "per_seed": per_seed, "studies": out}


def table(metrics):
  s = metrics["summary"]
  n = s["seeds"]
  lines = [f"# sweep: {s['study']} ({s['base']} base), {n} seeds each "
           f"({s['first_seed']}..{s['first_seed'] + n - 1}), {s['seconds']} s\n"]
  for study, rows in s["values"].items():
    lines += [f"## {study}\n", "| value | worst-glyph px, mean ± std | mean px | seeds <= 1 px | "
              "PCA worst px: seeds better | final loss (median) | seconds |",
              "|---|---|---|---|---|---|---|"]
    for r in rows:
      f = lambda v, fmt: "-" if v is None else format(v, fmt)
      batched = f" (1 of {r['batched_with']} batched)" if r["batched_with"] > 1 else ""
      b = r.get("baseline")
      pca = "-" if not b else (f"PCA-{b['components']} {b['max_pixel_error']}: "
                               f"{b['seeds_better']}/{n}")
      lines.append(f"| {r['value']} | {f(r['max_pixel_error_mean'], '.2f')} ± "
                   f"{f(r['max_pixel_error_std'], '.2f')} | {f(r['mean_pixel_error_mean'], '.3f')} "
                   f"| {r['seeds_le1']}/{n} | {pca} | {f(r['final_loss_median'], '.4g')} | "
                   f"{r['seconds']:.2f}{batched} |")
    lines += ["", "PCA worst px: the worst-glyph error of PCA with the value's latent width, "
              "fitted on its glyphs (the best linear autoencoder), and how many seeds do better. "
              "Seconds: the value's share of its compiled program's time; values that differ "
              "only in a number share one program (\"1 of n batched\").", ""]
  return "\n".join(lines)


def _seeds(result):
  """Per-seed worst-glyph errors in seed order, nan for a diverged seed."""
  return np.array([np.nan if p["diverged"] else p["max_pixel_error"]
                   for p in result["per_seed"]], float)


def _side(results):
  """A side of several values as one: each seed's median over them (its seeds are shared)."""
  stack = np.stack([_seeds(r) for r in results])
  with warnings.catch_warnings():   # a seed diverged under every value: nan, left out
    warnings.simplefilter("ignore", RuntimeWarning)
    return np.nanmedian(stack, axis=0)


def _verdict(d, q, kind):
  """The verdict on 'A has fewer wrong pixels than B' (kind "as good": no more) from the
  per-seed differences A - B and the Holm-adjusted p."""
  if q is None:
    return "not enough seeds"
  if np.all(d == 0):
    return "supported: every seed ties" if kind == "as good" else "not shown: every seed ties"
  if q < stats.ALPHA:
    lean = np.median(d) or np.mean(d)
    return "supported" if lean < 0 else "contradicted: the opposite holds"
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
    if study not in studies:
      continue
    res = {r["summary"]["value"].split(" (")[0]: r for r in studies[study]["values"]}
    a = [res[l] for l in a_labels if l in res]
    b = [res[l] for l in b_labels if l in res]
    if a and b:
      d, p = stats.paired(_side(a), _side(b))
      out.append({"study": study, "claim": text, "a": [l for l in a_labels if l in res],
                  "b": [l for l in b_labels if l in res], "kind": (kind or ["better"])[0],
                  "d": d, "p": p, "rates": (_rate(a), _rate(b)),
                  "medians": (np.nanmedian(_side(a)), np.nanmedian(_side(b)))})
  for c, q in zip(out, stats.holm([c["p"] for c in out])):
    c["q"] = q
    c["effect"], c["interval"] = stats.median_interval(c["d"])
    c["verdict"] = _verdict(c["d"], q, c["kind"])
  return out


def conclusions(config, metrics):
  """report.md: each of the original's conclusions against the measurements."""
  del config
  s = metrics["summary"]
  found = claims(metrics)
  lines = [f"# The original's conclusions, re-tested ({s['base']} base, {s['seeds']} seeds "
           "per value)\n",
           "Each claim compares the wrong pixels on the worst glyph, seed by seed: a study's "
           "values share their seeds and initial weights, so the test is paired (the exact "
           "Wilcoxon signed-rank on the per-seed differences A − B, two-sided; a side of "
           "several values enters as each seed's median over them; diverged seeds left "
           "out). The "
           f"{len(found)} p-values of this report are corrected for their number with "
           "Holm–Bonferroni, and a verdict needs an adjusted p below "
           f"{stats.ALPHA:g}. The effect is the median per-seed difference with its 95% "
           f"bootstrap interval ({stats.RESAMPLES} resamples); each side's rate of seeds with "
           "at most 1 wrong pixel has its 95% Clopper–Pearson interval.\n"]
  for c in found:
    p = "-" if c["p"] is None else f"{c['p']:.2g}"
    q = "-" if c["q"] is None else f"{c['q']:.2g}"
    lo, hi = c["interval"]
    effect = ("-" if c["effect"] is None else
              f"{c['effect']:+g} px [{lo:+g}, {hi:+g}]")
    lines.append(
        f"- **{c['study']}**: {c['claim']}. Medians {c['medians'][0]:g} px "
        f"({', '.join(c['a'])}) vs {c['medians'][1]:g} px ({', '.join(c['b'])}); "
        f"A − B per seed {effect} over {len(c['d'])} seeds; p = {p}, Holm-adjusted {q}; "
        f"seeds <= 1 px {c['rates'][0]} vs {c['rates'][1]}: **{c['verdict']}**.")
  return "\n".join(lines) + "\n"


def study_figures(run_dir, study, done, params):
  """figures/<study>_strip.png and figures/<study>_panels.png."""
  fig_dir = run_dir / "figures"
  labels = [r["summary"]["value"] for _, r in done]
  worst = [_worst(r) for _, r in done]
  nums = _numbers([v.label for v, _ in done])
  fig, ax = plt.subplots(figsize=(max(6, 0.9 * len(done) + 2), 4.2))
  pos = np.log10(nums) if nums is not None and max(nums) / min(nums) > 10 else (
      np.asarray(nums) if nums is not None else np.arange(len(done)))
  width = 0.5 * (np.min(np.diff(np.sort(pos))) if len(pos) > 1 else 1)
  ax.boxplot([w if len(w) else [np.nan] for w in worst], positions=pos, widths=width,
             showfliers=False)
  rng = np.random.default_rng(0)
  for p, w in zip(pos, worst):
    ax.plot(p + rng.uniform(-width / 3, width / 3, len(w)), w, ".", color="tab:blue", alpha=.6)
  ax.set_xticks(pos)
  ax.set_xticklabels(labels, rotation=30 if len(done) > 5 else 0, fontsize=8, ha="right"
                     if len(done) > 5 else "center")
  if nums is not None and max(nums) / min(nums) > 10:
    ax.set_xlabel(f"{study} (log scale)")
  ax.axhline(1, color="green", ls=":", lw=1, label="1 wrong pixel")
  base = [r["summary"].get("baseline") for _, r in done]
  if all(base):   # each value's linear yardstick: PCA of its glyphs at its latent width
    ax.plot(pos, [b["max_pixel_error"] for b in base], "_", color="tab:red", ms=22, mew=2,
            label="PCA (linear) on the same glyphs")
  ax.set(ylabel="wrong pixels on the worst glyph", title=f"{study}: every seed (points), "
         "median and quartiles (boxes)")
  ax.legend(fontsize=7)
  ax.grid(alpha=.3)
  save(fig, fig_dir / f"{study}_strip.png")
  panels(fig_dir / f"{study}_panels.png", study, done, params)


def _numbers(labels):
  try:
    return [float(l) for l in labels]
  except ValueError:
    return None


def panels(path, study, done, params):
  """For each value, the median seed's latent codes and its thresholded reconstructions."""
  fig, axes = plt.subplots(len(done), 2, figsize=(9, 2.3 * len(done) + .6), squeeze=False,
                           gridspec_kw={"width_ratios": [1, 2.2]}, layout="constrained")
  for row, (v, r) in zip(axes, done):
    s = r["summary"]
    g = v.data.load()
    if s["median_seed"] is None:
      row[0].set_axis_off()
      row[1].set_axis_off()
      row[1].set_title(f"{s['value']}: every seed diverged", fontsize=8)
      continue
    i = s["median_seed"] - r["per_seed"][0]["seed"]
    p = [{k: np.asarray(a[i]) for k, a in layer.items()} for layer in params[v.label]]
    z = np.asarray(autoencoder.encode(v.model, p, g.x))
    out = np.asarray(autoencoder.reconstruct(v.model, p, g.x)) > .5
    row[0].scatter(z[:, 0], z[:, 1], s=30, c=np.arange(len(z)), cmap="tab20", alpha=.4)
    for (a, b), ch in zip(z, g.shown):
      row[0].text(a, b, ch, fontsize=7, ha="center", va="center")
    row[0].set_xticks([])
    row[0].set_yticks([])
    wrong = out != (g.x > .5)
    colors = [np.where(w[:, None], (0.85, 0.1, 0.1), np.nan) for w in wrong]
    row[1].imshow(plotting.tiles(out.astype(float), g.shape, 16, colors=colors),
                  interpolation="nearest")
    row[1].set_axis_off()
    row[1].set_title(f"{study} = {s['value']}: median seed {s['median_seed']}, worst glyph "
                     f"{r['per_seed'][i]['max_pixel_error']} px (wrong pixels red)", fontsize=8)
  fig.suptitle(f"{study}: latent codes and reconstructions of each value's median seed")
  return save(fig, path)
