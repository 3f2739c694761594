"""vae's figures: curves, posterior means, decoded grids (the VAE's beside the plain
autoencoder's and PCA-2's), samples from the prior and an interpolation."""

import numpy as np
from matplotlib.collections import EllipseCollection, PatchCollection
from matplotlib.patches import Rectangle

from ae import circles, plotting, plotting_shapes, report, train, vae
from ae.plotting import plt, save
from experiments import consensus
from experiments.vae_report import NEAR, hamming, pca_grid


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
  if config.model.latent_dim == 2:
    consensus.figure(fig_dir / "consensus.png", ev["mu"],
                     [p["diverged"] for p in metrics["per_seed"]], metrics["latent_stability"],
                     d.labels, f"{d.name}: the consensus of the seeds' posterior-mean maps",
                     d.labels if len(set(d.labels)) < len(d.labels) else None)  # repeats: classes
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
  tint = colors if colors is not None else plt.cm.tab20(np.arange(len(mu)) % 20)
  centres = np.column_stack([mu[:, 0], mu[:, 1] if mu.shape[1] > 1 else np.zeros(len(mu))])
  heights = 2 * sd[:, 1] if sd.shape[1] > 1 else np.full(len(sd), 0.05)
  # one artist for every ellipse (an Ellipse patch each took 2 ms to add and draw)
  ax.add_collection(EllipseCollection(
      2 * sd[:, 0], heights, 0, units="xy", offsets=centres, offset_transform=ax.transData,
      facecolors=tint, edgecolors=tint, alpha=.15), autolim=False)   # limits set below
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
  training glyph: a copy (0 px), new but plausible (1-3 px), far (more). One image of every
  tile, their frames one collection (an axes per sample took 1.2 s a figure)."""
  out, ham = 1 / (1 + np.exp(-out[:n])), ham[:n]
  cols, (h, w), gap, row_gap = 10, d.shape, 2, 4   # row_gap: room for each tile's distance
  rows = -(-len(out) // cols)
  fig, ax = plt.subplots(figsize=(cols * 0.9, 1.25 * rows + .6))
  ax.imshow(plotting.tiles(out, d.shape, cols, gap=gap, row_gap=row_gap),
            interpolation="nearest")
  colors = ["tab:red" if v == 0 else "tab:green" if v <= NEAR else "grey" for v in ham]
  corners = [((k % cols) * (w + gap) - .5, (k // cols) * (h + row_gap) - .5)
             for k in range(len(out))]
  ax.add_collection(PatchCollection([Rectangle(c, w, h) for c in corners], facecolor="none",
                                    edgecolors=colors, linewidths=2))
  for (x0, y0), v, c in zip(corners, ham, colors):
    ax.text(x0 + w / 2, y0 - .4, f"{v} px", ha="center", va="bottom", fontsize=7, color=c)
  ax.set(xlim=(-1, cols * (w + gap) - gap), ylim=(rows * (h + row_gap) - row_gap, -row_gap))
  ax.set_axis_off()   # the limits keep the frames whole and the first row's distances in
  ax.set_title(f"{d.name}: samples from the prior ({who}); distance to the nearest training "
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
  out = 1 / (1 + np.exp(-vae.decode_np(config.model, train.seed_params(fit.params, i), z)))
  ham = hamming(out > .5, d.x)
  fig, ax = plt.subplots(figsize=(steps * 0.8, 1.6))
  ax.imshow(plotting.tiles(out, d.shape, steps, colors=_tinted(out, ham)),
            interpolation="nearest")
  ax.set_axis_off()
  ax.set_title(f"{d.name}: from {d.labels[a]} to {d.labels[b]} between posterior means "
               f"({who})", fontsize=9)
  return save(fig, path)


def compare(path, config, d, ev, i, who):
  """The decoded latent grids side by side: PCA-2 (the linear yardstick), the plain
  autoencoder and the VAE of the same seed."""
  g, ae = config.grid, ev["ae"]
  fig, axes = plt.subplots(1, 3, figsize=(19, 6.8 * d.shape[0] / d.shape[1]))
  flat = d.x.reshape(len(d.x), -1)
  grid, lo, hi = pca_grid(config, flat)
  ham = hamming(grid > .5, d.x)
  _mosaic_axes(axes[0], np.clip(grid, 0, 1), d, g, ham, (lo[0], hi[0], lo[1], hi[1]),
               f"PCA-2: grid over its codes' box, {100 * (ham <= NEAR).mean():.0f}% glyph-like")
  lo, hi = ae["box"][i]
  ham_ae = hamming(ae["grid_out"][i] > .5, d.x)
  _mosaic_axes(axes[1], ae["grid_out"][i], d, g, ham_ae, (lo[0], hi[0], lo[1], hi[1]),
               f"plain autoencoder: grid over its codes' box, "
               f"{100 * ae['coverage'][i]:.0f}% glyph-like")
  q = ev["grid_z"][:g, 0]
  _mosaic_axes(axes[2], 1 / (1 + np.exp(-ev["grid_out"][i])), d, g, ev["grid_ham"][i],
               (q[0], q[-1], q[0], q[-1]), f"VAE: grid at normal quantiles, "
                                           f"{100 * ev['coverage'][i]:.0f}% glyph-like")
  fig.suptitle(f"{d.name}: decoded latent grids; the autoencoder and the VAE of the same seed "
               f"({who}); red: farther than {NEAR} px from every training glyph", fontsize=10)
  return save(fig, path)
