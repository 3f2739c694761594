"""circles' metrics and summary table; its figures: circles_figures.py."""

import numpy as np

from ae import autoencoder, report, train
from experiments import consensus, runner

GEN_KEYS = ("path_circularity_max", "path_distance_max", "recon_distance_max",
            "path_radius_monotonic", "path_radius_range", "path_radius_max_step",
            "holdout_radius_error", "holdout_circularity_max", "holdout_distance_max",
            "holdout_inside", "band_coverage")


def labels(radii):
  """How the page, the consensus and its figure name a circle: its radius."""
  return [f"{r:.3f}" for r in radii]


def shape_error(config):
  """What says how far a decode is from a true circle: its circularity (points) or its
  distance to the nearest true ring (images)."""
  return "distance" if config.data.render == "image" else "circularity"


def _rmse(config, p, x):
  out = np.asarray(autoencoder.reconstruct(config.model, p, x))
  with np.errstate(over="ignore"):   # a diverged model's RMSE is inf, and says so
    return float(np.sqrt(np.mean((out - x) ** 2)))


def metrics(config, x, radii, keep, fit, gens):
  """metrics.json: per seed the reconstruction RMSE (training circles, and held-out ones) and
  the generation numbers; the summary over the seeds that did not diverge."""
  t = config.train
  per_seed, rmse = [], []
  for i, g in enumerate(gens):
    p = train.seed_params(fit.params, i)
    row = {"recon_rmse": _rmse(config, p, x[keep])}
    if (~keep).any():
      row["heldout_recon_rmse"] = _rmse(config, p, x[~keep])
    row.update({k: g[k] for k in GEN_KEYS if k in g})
    row["latent_box"] = report.latent_box(g["z"])
    per_seed.append(row)
    rmse.append(row["recon_rmse"])

  def summary(ok):
    rows = [r for r, good in zip(per_seed, ok) if good]
    if not rows:
      return {"recon_rmse_median": None}
    med = lambda k: float(np.median([r[k] for r in rows]))
    err = shape_error(config)
    out = {"recon_rmse_median": med("recon_rmse"),
           f"path_{err}_max": med(f"path_{err}_max"),
           "path_radius_monotonic": all(r["path_radius_monotonic"] for r in rows),
           "path_radius_range": [med_i(rows, "path_radius_range", 0),
                                 med_i(rows, "path_radius_range", 1)]}
    for k in ("heldout_recon_rmse", "holdout_radius_error", f"holdout_{err}_max",
              "holdout_inside", "recon_distance_max", "band_coverage"):
      if k in rows[0]:
        out[k if k != "heldout_recon_rmse" else "heldout_recon_rmse_median"] = med(k)
    return out

  out = report.build(range(t.seed, t.seed + t.seeds), fit.history["loss"][:, -1],
                     fit.history["loss"][:, 0], fit.timing, per_seed, np.asarray(rmse),
                     summary, interrupted=fit.interrupted)
  out["latent_stability"] = consensus.measure(   # the training circles' maps, aligned
      [g["z"][keep] for g in gens], [p["diverged"] for p in out["per_seed"]],
      range(t.seed, t.seed + t.seeds), labels(radii[keep]))
  return out


def med_i(rows, key, i):
  return float(np.median([r[key][i] for r in rows]))


def print_summary(config, metrics):
  s, n = metrics["summary"], config.train.seeds
  seed = config.train.seed
  fmt = lambda v: "-" if v is None else f"{v:.4f}"
  rows = [("seeds", f"{n} (seed {seed}..{seed + n - 1})"),
          ("reconstruction RMSE, median", fmt(s["recon_rmse_median"]))]
  err = shape_error(config)
  # circularity in percent (0: a perfect circle); distance as RMSE to the nearest true ring
  shown = (lambda v: f"{100 * v:.2f}%") if err == "circularity" else fmt
  worst = "worst circularity" if err == "circularity" else "farthest from a true ring"
  if s["recon_rmse_median"] is not None:
    if "recon_distance_max" in s:
      rows.append(("reconstructions: " + worst, fmt(s["recon_distance_max"])))
    rows += [(f"path: {worst}, median", shown(s[f"path_{err}_max"])),
             ("path: radius monotonic", "every seed" if s["path_radius_monotonic"] else "no"),
             ("path: fitted radius range", f"{s['path_radius_range'][0]:.3f} .. "
                                           f"{s['path_radius_range'][1]:.3f}")]
    if "holdout_inside" in s:
      rows += [("held-out band: RMSE of its circles", fmt(s["heldout_recon_rmse_median"])),
               ("gap: decoded radii inside the band", f"{100 * s['holdout_inside']:.0f}%"),
               (f"gap: {worst}, median", shown(s[f"holdout_{err}_max"])),
               ("gap: radius error, median", fmt(s["holdout_radius_error"]))]
    if "band_coverage" in s:
      rows.append(("band: its radii drawn as true rings", f"{100 * s['band_coverage']:.0f}% "
                   "(anywhere in the latent box, median)"))
  b = metrics.get("baselines")
  if b:   # the linear yardstick: the same numbers for PCA-1 and PCA-2
    one, two = b["pca1"], b["pca2"]
    what = "ring images" if err == "distance" else "circles"
    rows.append(("PCA-1 / PCA-2 (linear baselines)",
                 f"RMSE {fmt(one['recon_rmse'])} / {fmt(two['recon_rmse'])}; the training "
                 f"{what} have rank {b['data_rank']}"))
    rows.append((f"  their path: {worst}",
                 f"{shown(one[f'path_{err}_max'])} / {shown(two[f'path_{err}_max'])}"))
    if "holdout_inside" in one:
      rows.append(("  their gap: radii inside, error",
                   f"{100 * one['holdout_inside']:.0f}% / {100 * two['holdout_inside']:.0f}%; "
                   f"{fmt(one['holdout_radius_error'])} / {fmt(two['holdout_radius_error'])}"))
    if "band_coverage" in one:
      rows.append(("  their band drawn as true rings", f"{100 * one['band_coverage']:.0f}% / "
                   f"{100 * two['band_coverage']:.0f}%"))
  rows.append(consensus.row(metrics["latent_stability"]))
  rows += [("best / median seed", f"{runner.shown(s['best_seed'])} / "
                                  f"{runner.shown(s['median_seed'])}"),
           ("diverged", runner.diverged_text(s)),
           ("compile / train", f"{s['compile_seconds']:.2f} s / {s['train_seconds']:.2f} s")]
  runner.print_table(rows)
