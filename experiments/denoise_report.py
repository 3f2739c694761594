"""denoise's metrics and summary table; its figures: denoise_figures.py."""

import jax
import numpy as np

from ae import autoencoder, denoise, report
from experiments import consensus, runner

BASELINES = ("noisy_input_error", "noisy_input_restore_rate", "nearest_glyph_restore_rate",
             "nearest_glyph_error", "pca_restore_rate", "pca_error")


def metrics(config, glyphs, fit, levels, codes):
  """metrics.json: per seed its clean reconstruction and its restore rate and wrong pixels at
  every level; summary.levels, one entry per level, medians over the seeds that did not
  diverge, beside the two baselines; the stability of the clean glyphs' codes (any latent
  dimension: neighbours are found in the codes' own space)."""
  t, m = config.train, config.model
  name = "k" if config.noise.noise_model == "k" else "p"
  final, errors = jax.device_get(autoencoder.evaluate(m, fit.params, glyphs.x))
  errors = np.asarray(errors, int)
  per_seed = report.pixel_per_seed(errors)
  for s, row in enumerate(per_seed):
    row["levels"] = [{name: e[name], "restore_rate": float(e["restore_rate"][s]),
                      "mean_pixel_error": float(e["mean_pixel_error"][s])} for e in levels]
  score = np.mean([e["mean_pixel_error"] for e in levels], axis=0)

  def summary(ok):
    out = report.pixel_summary(errors, ok)
    rows = []
    for e in levels:
      r, w = e["restore_rate"][ok], e["mean_pixel_error"][ok]
      rows.append({name: e[name],
                   "restore_rate": float(np.median(r)) if ok.any() else None,
                   "mean_pixel_error": float(np.median(w)) if ok.any() else None,
                   "restore_rate_min": float(r.min()) if ok.any() else None,
                   "restore_rate_max": float(r.max()) if ok.any() else None,
                   **{k: e[k] for k in BASELINES}})
    out["levels"] = rows
    out["net_beats_nearest_glyph_at"] = [
        r[name] for r in rows if r["restore_rate"] is not None and
        r["restore_rate"] > r["nearest_glyph_restore_rate"]]
    return out

  out = report.build(range(t.seed, t.seed + t.seeds), fit.history["loss"][:, -1],
                     fit.history["loss"][:, 0], fit.timing, per_seed, score, summary,
                     glyphs.chars, fit.interrupted)
  out["latent_stability"] = consensus.measure(
      codes, [p["diverged"] for p in out["per_seed"]], range(t.seed, t.seed + t.seeds),
      glyphs.chars)
  return out


def figure_noise(config, glyphs, n=8, copies=20):
  """The noisy copies the figures draw, drawn here (JAX's noise; the process drawing the
  figures calls no JAX): "examples", (rows, levels, per level one noisy copy of each row's
  glyph), for up to n glyphs at up to 4 levels; "latent", (level, `copies` noisy copies of
  every glyph at the middle level)."""
  levels = [v for v in config.noise.levels() if v]
  idx = np.linspace(0, len(glyphs) - 1, min(n, len(glyphs))).round().astype(int)
  one = config.noise.__class__(**{**config.noise.__dict__, "eval_copies": 1})
  rows = [denoise.noisy_copies(one, jax.random.PRNGKey(100 + i), glyphs.x[idx], level)[0]
          for i, level in enumerate(levels[:4])]
  middle = levels[len(levels) // 2] if levels else 0
  many = config.noise.__class__(**{**config.noise.__dict__, "eval_copies": copies})
  noisy, _ = denoise.noisy_copies(many, jax.random.PRNGKey(7), glyphs.x, middle)
  return {"examples": (idx, levels[:4], rows), "latent": (middle, noisy)}


def print_summary(config, glyphs, metrics):
  s, n = metrics["summary"], config.train.seeds
  name = "k" if config.noise.noise_model == "k" else "p"
  print(f"data: {glyphs.describe()}; seeds {config.train.seed}..{config.train.seed + n - 1}; "
        f"{config.noise.eval_copies} noisy copies per glyph and level")
  k = config.model.latent_dim
  print(f"{name:>5} | net: restored | net: wrong px | noisy input px | nearest glyph: restored"
        f" | PCA-{k}: restored")
  for r in s["levels"]:
    rate = "-" if r["restore_rate"] is None else f"{r['restore_rate']:.3f}"
    err = "-" if r["mean_pixel_error"] is None else f"{r['mean_pixel_error']:.3f}"
    print(f"{r[name]:>5g} | {rate:>13} | {err:>13} | {r['noisy_input_error']:>14.2f} | "
          f"{r['nearest_glyph_restore_rate']:>23.3f} | {r['pca_restore_rate']:>16.3f}")
  beats = s["net_beats_nearest_glyph_at"]
  print(f"the net beats the nearest-glyph decoder at: "
        f"{', '.join(f'{name}={v:g}' for v in beats) if beats else 'no level'}")
  print(f"clean glyphs: {s['seeds_zero']}/{n} seeds reconstruct every glyph exactly; "
        f"diverged: {runner.diverged_text(s)}; compile / train "
        f"{s['compile_seconds']:.2f} s / {s['train_seconds']:.2f} s")
  figure = "" if k == 2 else f"; no consensus figure: the latent space is {k}-D"
  label, value = consensus.row(metrics["latent_stability"], "clean glyphs")
  print(f"{label}: {value}{figure}")
