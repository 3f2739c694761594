"""The metrics.json contract, built in one place for every experiment and benchmark.

  >>> errors = np.array([[0, 1], [2, 0]])      # wrong pixels: 2 seeds x 2 glyphs
  >>> m = build([0, 1], [0.1, 0.2], [1.0, 1.0], {"compile_seconds": 1, "train_seconds": 2},
  ...           per_seed=pixel_per_seed(errors), score=pixel_score(errors),
  ...           summary_fn=lambda ok: pixel_summary(errors, ok), labels="AB")
  >>> m["summary"]["best_seed"], m["summary"]["seeds_le1"], m["per_seed"][1]["max_pixel_error"]
  (0, 1, 2)

gives {"summary": {...}, "per_seed": [...]}: per seed at least seed, final_loss, diverged; a
summary with seeds, diverged_seeds, best_seed, median_seed (both among the seeds that did not
diverge), interrupted and the timing, plus what the experiment adds.
"""
import numpy as np

MAX_LABELS = 256  # the summary lists the glyph labels only up to this many


RTOL = 1e-5  # a final loss within float rounding of the start is not above it


def diverged(final_loss, start_loss):
  """(n,) bools: a seed diverged when its loss ends non-finite or above where it started
  (beyond float rounding: the same loss computed in another layout, as a seed that never
  trained has, is not above its start)."""
  final, start = np.asarray(final_loss, float), np.asarray(start_loss, float)
  with np.errstate(invalid="ignore"):
    return ~np.isfinite(final) | (final > start + RTOL * np.abs(start))


def ranking(score, bad):
  """Seed indices best first: the good seeds by score (lower is better; rows of a 2-D score
  compare left to right), then the bad ones."""
  score = np.asarray(score, float).reshape(len(bad), -1)
  score = np.where(np.isfinite(score), score, np.inf)
  order = sorted(range(len(bad)), key=lambda i: (bool(bad[i]), *score[i]))
  return order


def build(seeds, final_loss, start_loss, timing, per_seed=None, score=None, summary_fn=None,
          labels=None, interrupted=False):
  """The metrics.json dict. seeds: the seed numbers; final_loss, start_loss: (n,);
  per_seed: optional list of n dicts of extra entries; score: (n,) or (n, k) ranking keys,
  lower is better (default: the final loss); summary_fn(ok) -> extra summary entries, given
  the mask of seeds that did not diverge; labels: the glyph labels (kept if <= 256)."""
  seeds = [int(s) for s in seeds]
  n = len(seeds)
  final = np.asarray(final_loss, float)
  bad = diverged(final, start_loss)
  rows = []
  for i in range(n):
    row = {"seed": seeds[i], "final_loss": float(final[i]) if np.isfinite(final[i]) else None,
           "diverged": bool(bad[i])}
    row.update(per_seed[i] if per_seed is not None else {})
    rows.append(row)
  order = ranking(final if score is None else score, bad)
  good = [i for i in order if not bad[i]]
  summary = {
      "seeds": n,
      "diverged_seeds": [seeds[i] for i in range(n) if bad[i]],
      "best_seed": seeds[good[0]] if good else None,
      "median_seed": seeds[good[(len(good) - 1) // 2]] if good else None,
      "final_loss_median": float(np.median(final[~bad])) if good else None,
      "interrupted": bool(interrupted),
      "compile_seconds": round(float(timing["compile_seconds"]), 3),
      "train_seconds": round(float(timing["train_seconds"]), 3),
      "train_seconds_per_seed": round(float(timing["train_seconds"]) / max(n, 1), 4),
  }
  if summary_fn is not None:
    summary.update(summary_fn(~bad))
  if labels is not None and len(labels) <= MAX_LABELS:
    summary["glyphs"] = ("".join(labels) if all(len(c) == 1 for c in labels) else list(labels))
  return {"summary": summary, "per_seed": rows}


def pixel_per_seed(errors):
  """Per-seed entries of a pixel experiment from wrong pixels per glyph (seeds, n)."""
  e = np.asarray(errors, int)
  return [{"max_pixel_error": int(r.max()), "mean_pixel_error": float(r.mean()),
           "pixel_errors": r.tolist()} for r in e]


def pixel_score(errors, final_loss=None):
  """Ranking keys: fewest wrong pixels on the worst glyph, then mean, then loss."""
  e = np.asarray(errors, float)
  keys = [e.max(1), e.mean(1)]
  if final_loss is not None:
    keys.append(np.asarray(final_loss, float))
  return np.stack(keys, 1)


def pixel_summary(errors, ok):
  """Pixel summary over the seeds that did not diverge (ok: (n,) bools)."""
  e = np.asarray(errors, int)
  ok = np.asarray(ok, bool)
  worst = e.max(axis=1)
  return {
      "seeds_zero": int(np.sum(ok & (worst == 0))),
      "seeds_le1": int(np.sum(ok & (worst <= 1))),
      "max_pixel_error_median": float(np.median(worst[ok])) if ok.any() else None,
      "mean_pixel_error_mean": float(e[ok].mean()) if ok.any() else None,
  }


def picks(metrics, first_seed):
  """({"best": i, "median": j}, diverged indices) for the figures: seed indices into the run,
  the median left out when it is the best, both absent when every seed diverged."""
  s = metrics["summary"]
  out = {k: s[f"{k}_seed"] - first_seed for k in ("best", "median")
         if s[f"{k}_seed"] is not None}
  if out.get("median") == out.get("best"):
    out.pop("median", None)
  return out, [i for i, p in enumerate(metrics["per_seed"]) if p["diverged"]]


def latent_box(z):
  """[[min, max] of each latent axis] of the codes z (n, k): a per_seed entry, so --decode
  points can be chosen inside it."""
  z = np.asarray(z)
  return [[float(z[:, k].min()), float(z[:, k].max())] for k in range(z.shape[1])]


def seed_labels(picks_, first_seed):
  """{"best (seed 3)": i, ...}: the picks as the curves' legend names them."""
  return {f"{k} (seed {first_seed + i})": i for k, i in picks_.items()}
