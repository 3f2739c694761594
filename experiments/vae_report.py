"""vae's evaluation, the plain autoencoder beside it, metrics, figures and summary table."""

import jax
import jax.numpy as jnp
import numpy as np
from matplotlib.patches import Ellipse

from ae import (autoencoder, baselines, circles, losses, plotting, plotting_shapes, report,
                train, vae)
from ae.plotting import plt, save
from experiments import skeleton

NEAR = 3  # a decoding within 3 px of some training glyph counts as glyph-like


def evaluate(config, d, params, key):
  """Every seed's ELBO, posterior, prior samples and decoded quantile grid."""
  cfg, x = config.model, jnp.asarray(d.x)
  mu, logvar, out, kl_dim = map(np.asarray, vae.posterior(cfg, params, x))
  z = np.asarray(jax.random.normal(jax.random.fold_in(key, 1),
                                   (config.prior_samples, cfg.latent_dim)))
  grid_z = np.asarray(vae.quantile_grid(config.grid, cfg.latent_dim))
  ev = {"elbo": np.asarray(vae.elbo(cfg, params, x, key)), "mu": mu, "logvar": logvar,
        "kl_dim": kl_dim, "prior_z": z, "grid_z": grid_z,
        "prior_out": np.asarray(vae.decode_all(cfg, params, jnp.asarray(z))),
        "grid_out": np.asarray(vae.decode_all(cfg, params, jnp.asarray(grid_z)))}
  if d.binary:
    ev["errors"] = ((out > 0) != (d.x > .5)).sum(-1)
    ev["prior_ham"] = np.stack([_hamming(o > 0, d.x) for o in ev["prior_out"]])
    ev["grid_ham"] = np.stack([_hamming(o > 0, d.x) for o in ev["grid_out"]])
    ev["coverage"] = (ev["grid_ham"] <= NEAR).mean(1)
  else:
    ev["rmse"] = np.sqrt(((out - d.x) ** 2).mean(axis=(1, 2)))
    ev["coverage"] = np.array([_circle_like(o, d.x).mean() for o in ev["grid_out"]])
    ev["prior_circle_like"] = np.array([_circle_like(o, d.x).mean() for o in ev["prior_out"]])
  return ev


def _hamming(binary, x):
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
    cover.append((_hamming(out > .5, d.x) <= NEAR).mean())
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
    zz, _, _ = autoencoder.latent_grid(baselines.encode(fitted, flat), config.grid)
    grid = baselines.decode(fitted, zz)
    out["latent_coverage"] = float(
        (_hamming(grid > .5, d.x) <= NEAR).mean() if d.binary else
        _circle_like(grid.reshape((-1,) + d.x.shape[1:]), d.x).mean())
  return out


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
  return out


# ---------------------------------------------------------------- figures
def figures(run_dir, config, d, fit, ev, metrics):
  t = config.train
  fig_dir = run_dir / "figures"
  picks, bad = report.picks(metrics, t.seed)
  second = (("max_pixel_error", "wrong pixels, worst glyph (posterior means)", False,
             (1, "1 wrong pixel")) if d.binary else ("rmse", "RMSE (posterior means)", True,
                                                      None))
  plotting.curves(fig_dir / "curves.png", fit.steps, fit.history,
                  report.seed_labels(picks, t.seed),
                  f"{d.name}: VAE, beta {config.model.beta:g}, {t.seeds} seeds", bad,
                  (("loss", "-ELBO estimate (one sample; beta-weighted)", False, None),
                   ("kl", "KL(q(z|x) || p(z)), nats", False, None), second))
  for tag, i in picks.items():
    who = f"{tag} seed {t.seed + i}"
    latent(fig_dir / f"latent_{tag}.png", d, ev["mu"][i], ev["logvar"][i], who)
    if d.binary:
      grid_figure(fig_dir / f"prior_grid_{tag}.png", d, ev, i, config, who)
      samples(fig_dir / f"samples_{tag}.png", d, ev["prior_out"][i], ev["prior_ham"][i], who)
      interpolation(fig_dir / f"interpolation_{tag}.png", config, d, fit, ev, i, who)
      if "ae" in ev:
        compare(fig_dir / f"compare_{tag}.png", config, d, ev, i, who)
    else:
      g = config.grid
      q = circles.quality(ev["grid_out"][i])
      lo, hi = ev["grid_z"].min(0), ev["grid_z"].max(0)
      plotting_shapes.grid(fig_dir / f"prior_grid_{tag}.png", ev["grid_out"][i], q, g, lo, hi,
                           f"circles: VAE decoded at standard-normal quantiles ({who})",
                           1.1 * np.abs(d.x).max())


def latent(path, d, mu, logvar, who):
  """Posterior means (the first two dimensions) with their one-std ellipses."""
  fig, ax = plt.subplots(figsize=(6.5, 6))
  sd = np.exp(0.5 * logvar)
  colors = plt.cm.viridis(np.linspace(0, 1, len(mu))) if not d.binary else None
  for k, (m, s) in enumerate(zip(mu, sd)):
    ax.add_patch(Ellipse(m[:2], 2 * s[0], 2 * s[1] if len(s) > 1 else 0.05, alpha=.15,
                         color=colors[k] if colors is not None else plt.cm.tab20(k % 20)))
  if d.binary and plotting.labelled(d.labels):
    for m, ch in zip(mu, d.labels):
      if ch:
        ax.text(m[0], m[1] if len(m) > 1 else 0, ch, ha="center", va="center",
                weight="bold", fontsize=10, path_effects=plotting.OUTLINE)
  else:
    ax.scatter(mu[:, 0], mu[:, 1] if mu.shape[1] > 1 else 0 * mu[:, 0], s=8, c=colors)
  ax.add_patch(plt.Circle((0, 0), 1, fill=False, ls=":", color="grey"))
  ax.set(xlim=(-3, 3), ylim=(-3, 3), aspect="equal", xlabel="z1", ylabel="z2",
         title=f"{d.name}: posterior means, one-std ellipses; the prior's 1-std circle dotted "
               f"({who})")
  ax.title.set_fontsize(9)
  ax.grid(alpha=.3)
  return save(fig, path)


def _tinted(images, ham):
  """Colour overrides: the blank pixels of a decoding farther than NEAR px from every glyph
  tinted red."""
  return [np.where((img < .5)[:, None] & (h > NEAR), (1.0, 0.8, 0.8), np.nan)
          for img, h in zip(images, ham)]


def _mosaic_axes(ax, images, d, g, ham, extent, title):
  ax.imshow(plotting.tiles(images, d.shape, g, colors=_tinted(images, ham)),
            interpolation="nearest", extent=extent, aspect="auto")
  ax.set_title(title, fontsize=9)


def grid_figure(path, d, ev, i, config, who):
  g = config.grid
  out = 1 / (1 + np.exp(-ev["grid_out"][i]))
  q = ev["grid_z"][:g, 0]
  fig, ax = plt.subplots(figsize=(7, 7 * d.shape[0] / d.shape[1]))
  _mosaic_axes(ax, out, d, g, ev["grid_ham"][i], (q[0], q[-1], q[0], q[-1]),
               f"{d.name}: decoded at standard-normal quantiles ({who}); "
               f"{100 * ev['coverage'][i]:.0f}% within {NEAR} px of a glyph (red: not)")
  ax.set(xlabel="z1 (quantiles of N(0, 1))", ylabel="z2")
  return save(fig, path)


def samples(path, d, out, ham, who, n=40):
  """Samples from the prior, each tile's frame coloured by its distance to the nearest
  training glyph: a copy (0 px), new but plausible (1-3 px), far (more)."""
  out, ham = 1 / (1 + np.exp(-out[:n])), ham[:n]
  cols = 10
  fig, axes = plt.subplots(-(-n // cols), cols, figsize=(cols * 0.9, 1.25 * -(-n // cols) + .6))
  for ax, img, h in zip(axes.flat, out, ham):
    ax.imshow(plotting.tiles([img], d.shape, 1), interpolation="nearest")
    color = "tab:red" if h == 0 else "tab:green" if h <= NEAR else "grey"
    for spine in ax.spines.values():
      spine.set_color(color)
      spine.set_linewidth(2)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(f"{h} px", fontsize=7, color=color)
  fig.suptitle(f"{d.name}: samples from the prior ({who}); distance to the nearest training "
               f"glyph — red: a copy, green: new but within {NEAR} px, grey: farther",
               fontsize=9)
  return save(fig, path)


def interpolation(path, config, d, fit, ev, i, who, steps=10):
  mu = ev["mu"][i]
  if config.interpolate:
    a, b = (d.labels.index(c) for c in config.interpolate.split(","))
  else:
    dist = np.linalg.norm(mu[:, None] - mu[None], axis=-1)
    a, b = np.unravel_index(np.argmax(dist), dist.shape)
  t = np.linspace(0, 1, steps)[:, None]
  z = (1 - t) * mu[a] + t * mu[b]
  out = np.asarray(vae.decode(config.model, train.seed_params(fit.params, i), jnp.asarray(z)))
  out = 1 / (1 + np.exp(-out))
  ham = _hamming(out > .5, d.x)
  fig, ax = plt.subplots(figsize=(steps * 0.8, 1.6))
  ax.imshow(plotting.tiles(out, d.shape, steps, colors=_tinted(out, ham)),
            interpolation="nearest")
  ax.set_axis_off()
  ax.set_title(f"{d.name}: from {d.labels[a]} to {d.labels[b]} between posterior means "
               f"({who})", fontsize=9)
  return save(fig, path)


def compare(path, config, d, ev, i, who):
  g, ae = config.grid, ev["ae"]
  fig, axes = plt.subplots(1, 2, figsize=(13, 6.8 * d.shape[0] / d.shape[1]))
  lo, hi = ae["box"][i]
  ham_ae = _hamming(ae["grid_out"][i] > .5, d.x)
  _mosaic_axes(axes[0], ae["grid_out"][i], d, g, ham_ae, (lo[0], hi[0], lo[1], hi[1]),
               f"plain autoencoder: grid over its codes' box, "
               f"{100 * ae['coverage'][i]:.0f}% glyph-like")
  q = ev["grid_z"][:g, 0]
  _mosaic_axes(axes[1], 1 / (1 + np.exp(-ev["grid_out"][i])), d, g, ev["grid_ham"][i],
               (q[0], q[-1], q[0], q[-1]), f"VAE: grid at normal quantiles, "
                                           f"{100 * ev['coverage'][i]:.0f}% glyph-like")
  fig.suptitle(f"{d.name}: decoded latent grids, the same seed ({who}); red: farther than "
               f"{NEAR} px from every training glyph", fontsize=10)
  return save(fig, path)


def print_summary(config, d, metrics, run_dir):
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
  rows += [("diverged", skeleton.diverged_text(s)),
           ("compile / train", f"{s['compile_seconds']:.2f} s / {s['train_seconds']:.2f} s")]
  skeleton.print_table(rows, metrics, run_dir)
