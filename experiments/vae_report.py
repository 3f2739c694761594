"""vae's evaluation, the plain autoencoder and PCA-2 beside it, metrics and summary table
(the figures: vae_figures.py)."""

import numpy as np

from ae import autoencoder, baselines, circles, losses, report, train, vae
from experiments import consensus, runner

NEAR = 3  # a decoding within 3 px of some training glyph counts as glyph-like


def evaluate(config, d, params, key):
  """Every seed's ELBO, posterior, prior samples and decoded quantile grid."""
  cfg, x = config.model, np.asarray(d.x)
  mu, logvar, out, kl_dim = map(np.asarray, vae.posterior(cfg, params, x))
  z = np.asarray(vae.prior_draws(key, config.prior_samples, cfg.latent_dim))
  grid_z = vae.quantile_grid(config.grid, cfg.latent_dim)
  ev = {"elbo": np.asarray(vae.elbo(cfg, params, x, key)), "mu": mu, "logvar": logvar,
        "kl_dim": kl_dim, "prior_z": z, "grid_z": grid_z,
        "prior_out": np.asarray(vae.decode_all(cfg, params, z)),
        "grid_out": np.asarray(vae.decode_all(cfg, params, grid_z))}
  if d.binary:
    ev["errors"] = ((out > 0) != (d.x > .5)).sum(-1)
    ev["prior_ham"] = np.stack([hamming(o > 0, d.x) for o in ev["prior_out"]])
    ev["grid_ham"] = np.stack([hamming(o > 0, d.x) for o in ev["grid_out"]])
    ev["coverage"] = (ev["grid_ham"] <= NEAR).mean(1)
  else:
    ev["rmse"] = np.sqrt(((out - d.x) ** 2).mean(axis=(1, 2)))
    ev["coverage"] = np.array([_circle_like(o, d.x).mean() for o in ev["grid_out"]])
    ev["prior_circle_like"] = np.array([_circle_like(o, d.x).mean() for o in ev["prior_out"]])
  return ev


def hamming(binary, x):
  """Wrong pixels of each row of `binary` against its nearest training glyph."""
  return losses.nearest(binary, x)[1]


def _circle_like(shapes, x):
  """Decodings that are circles within 5% with a radius inside the data's range (+-0.05)."""
  q, r = circles.quality(shapes), circles.quality(x)["radius"]
  return (q["circularity"] <= 0.05) & (q["radius"] >= r.min() - .05) & (
      q["radius"] <= r.max() + .05)


def plain_autoencoder(config, d, model, params):
  """The plain autoencoder (experiments/vae.py trains it) against the VAE: its reconstruction
  errors, and the coverage of a grid over the box its codes span (the region one would sample
  new glyphs from), at the VAE's grid resolution."""
  _, errors = autoencoder.evaluate(model, params, d.x)
  g, cover, grids, boxes = config.grid, [], [], []
  for s in range(config.train.seeds):
    p = train.seed_params(params, s)
    z = np.asarray(autoencoder.encode(model, p, d.x))
    zz, lo, hi = autoencoder.latent_grid(z, g)
    out = np.asarray(autoencoder.decode(model, p, zz))
    cover.append((hamming(out > .5, d.x) <= NEAR).mean())
    grids.append(out)
    boxes.append((lo, hi))
  return {"errors": np.asarray(errors), "coverage": np.array(cover), "grid_out": grids,
          "box": boxes}


def pca_baseline(config, d):
  """PCA with the VAE's latent width, fitted on the training data, measured as the VAE is:
  its reconstruction (wrong pixels, or RMSE) and, for a 2-D latent, the coverage of a grid at
  the VAE's resolution over the box its codes span (the plain autoencoder's rule)."""
  k = config.model.latent_dim
  flat = d.x.reshape(len(d.x), -1)
  fitted = baselines.pca(flat, k)
  out = {"components": k, "fitted_on": "the training data"}
  rec = baselines.reconstruct(fitted, flat)
  if d.binary:
    e = baselines.pixel_errors(rec, flat)
    out.update(max_pixel_error=int(e.max()), mean_pixel_error=float(e.mean()))
  else:
    out["recon_rmse"] = float(np.sqrt(np.mean((rec - flat) ** 2)))
  if k == 2:
    grid, _, _ = pca_grid(config, flat, fitted)
    out["latent_coverage"] = float(
        (hamming(grid > .5, d.x) <= NEAR).mean() if d.binary else
        _circle_like(grid.reshape((-1,) + d.x.shape[1:]), d.x).mean())
  return out


def pca_grid(config, flat, fitted=None):
  """PCA-2's decodes on a grid at the VAE's resolution over the box its codes span (the plain
  autoencoder's rule): (decodes, lo, hi). fitted: the PCA of flat (fitted here if None)."""
  fitted = baselines.pca(flat, 2) if fitted is None else fitted
  zz, lo, hi = autoencoder.latent_grid(baselines.encode(fitted, flat), config.grid)
  return baselines.decode(fitted, zz), lo, hi


def metrics(config, d, fit, ev):
  t = config.train
  per_seed = []
  for s in range(t.seeds):
    row = {"elbo": float(ev["elbo"][s]), "kl_per_dim": ev["kl_dim"][s].tolist(),
           "latent_coverage": float(ev["coverage"][s])}
    if d.binary:
      row.update(report.pixel_per_seed(ev["errors"][s:s + 1])[0])
      h = ev["prior_ham"][s]
      row.update(prior_copy_fraction=float((h == 0).mean()),
                 prior_new_plausible_fraction=float(((h >= 1) & (h <= NEAR)).mean()),
                 prior_far_fraction=float((h > NEAR).mean()),
                 prior_hamming_mean=float(h.mean()))
    else:
      row.update(recon_rmse=float(ev["rmse"][s]),
                 prior_circle_like_fraction=float(ev["prior_circle_like"][s]))
    if "ae" in ev:
      row.update(latent_coverage_ae=float(ev["ae"]["coverage"][s]),
                 max_pixel_error_ae=int(ev["ae"]["errors"][s].max()))
    per_seed.append(row)

  def summary(ok):
    rows = [r for r, good in zip(per_seed, ok) if good]
    med = lambda k: float(np.median([r[k] for r in rows])) if rows else None
    out = {"elbo_median": med("elbo"), "latent_coverage": med("latent_coverage"),
           "kl_per_dim": (np.median([r["kl_per_dim"] for r in rows], 0).tolist()
                          if rows else None)}
    if d.binary:
      out.update(report.pixel_summary(ev["errors"], ok))
      for k in ("prior_copy_fraction", "prior_new_plausible_fraction", "prior_far_fraction",
                "prior_hamming_mean"):
        out[k] = med(k)
    else:
      out.update(recon_rmse_median=med("recon_rmse"),
                 prior_circle_like_fraction=med("prior_circle_like_fraction"))
    if "ae" in ev:
      out["latent_coverage_ae"] = med("latent_coverage_ae")
      ae = report.pixel_summary(ev["ae"]["errors"], np.ones(t.seeds, bool))
      out.update(seeds_le1_ae=ae["seeds_le1"], seeds_zero_ae=ae["seeds_zero"])
    return out

  out = report.build(range(t.seed, t.seed + t.seeds), fit.history["loss"][:, -1],
                     fit.history["loss"][:, 0], fit.timing, per_seed, -ev["elbo"], summary,
                     d.labels if d.binary else None, fit.interrupted)
  out["baselines"] = {"pca": pca_baseline(config, d)}
  out["latent_stability"] = consensus.measure(   # the seeds' posterior-mean maps aligned
      ev["mu"], [p["diverged"] for p in out["per_seed"]], range(t.seed, t.seed + t.seeds),
      d.labels)
  return out


# ---------------------------------------------------------------- figures
def print_summary(config, d, metrics):
  s, n = metrics["summary"], config.train.seeds
  f = lambda v, fmt: "-" if v is None else format(v, fmt)
  rows = [("data", f"{d.name}: {len(d.x)} samples"),
          ("seeds", f"{n} (seed {config.train.seed}..{config.train.seed + n - 1})"),
          ("ELBO (nats per sample), median", f(s["elbo_median"], ".3f")),
          ("KL per dimension, median", ", ".join(f"{v:.2f}" for v in s["kl_per_dim"] or []))]
  if d.binary:
    rows += [("posterior means: <= 1 wrong px", f"{s['seeds_le1']}/{n} seeds"),
             ("latent grid within 3 px of a glyph", f(s["latent_coverage"], ".1%")),
             ("prior samples: copies / new (1-3 px) / far",
              f"{f(s['prior_copy_fraction'], '.1%')} / "
              f"{f(s['prior_new_plausible_fraction'], '.1%')} / "
              f"{f(s['prior_far_fraction'], '.1%')}")]
    if "latent_coverage_ae" in s:
      rows += [("plain autoencoder: grid coverage", f(s["latent_coverage_ae"], ".1%")),
               ("plain autoencoder: <= 1 wrong px", f"{s['seeds_le1_ae']}/{n} seeds")]
  else:
    rows += [("reconstruction RMSE, median", f(s["recon_rmse_median"], ".4f")),
             ("latent grid decoding to circles", f(s["latent_coverage"], ".1%")),
             ("prior samples that are circles", f(s["prior_circle_like_fraction"], ".1%"))]
  b = metrics.get("baselines", {}).get("pca")
  if b:   # the linear yardstick, measured as the VAE is
    said = (f"worst glyph {b['max_pixel_error']} px, mean {b['mean_pixel_error']:.1f} px"
            if d.binary else f"RMSE {b['recon_rmse']:.4f}")
    if "latent_coverage" in b:
      said += f"; grid {'within 3 px of a glyph' if d.binary else 'circles'} " \
              f"{b['latent_coverage']:.1%}"
    rows.append((f"PCA-{b['components']}, the linear baseline", said))
  rows += [("diverged", runner.diverged_text(s)),
           consensus.row(metrics["latent_stability"]),
           ("compile / train", f"{s['compile_seconds']:.2f} s / {s['train_seconds']:.2f} s")]
  runner.print_table(rows)
