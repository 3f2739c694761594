"""circles' figures, from trained params and the run's metrics (shared by run and --load).
Only the process drawing them imports this module, and with it matplotlib (issue 41:
experiments/drawing.py)."""
import numpy as np

from ae import autoencoder, circles, plotting, plotting_rings, plotting_shapes, report, train
from experiments import circles_report, consensus


def figures(run_dir, config, x, radii, keep, fit, extra, metrics):
  """extra: (each seed's generated(), PCA-2's generated())."""
  gens, pca = extra
  t = config.train
  fig_dir = run_dir / "figures"
  picks, bad = report.picks(metrics, t.seed)
  plotting.curves(fig_dir / "curves.png", fit.steps, fit.history,
                  report.seed_labels(picks, t.seed),
                  f"circles: {t.seeds} seed{'s' * (t.seeds > 1)}", bad,
                  (("loss", f"{config.model.loss} loss (full batch)", True, None),
                   ("rmse", "reconstruction RMSE", True, (0.01, "RMSE 0.01 (the goal)"))))
  consensus.figure(fig_dir / "consensus.png", [g["z"][keep] for g in gens],
                   [p["diverged"] for p in metrics["per_seed"]], metrics["latent_stability"],
                   circles_report.labels(radii[keep]),
                   "circles: the consensus of the seeds' maps (labels: radii)")
  lim = 1.1 * (np.abs(x).max())
  band = config.data.band()
  for tag, i in picks.items():
    p, g, who = train.seed_params(fit.params, i), gens[i], f"{tag} seed {t.seed + i}"
    plotting_shapes.latent(fig_dir / f"latent_{tag}.png", g["z"], radii, keep,
                           f"circles: latent codes by radius ({who})", g["path_z"],
                           g.get("gap_z"))
    if config.data.render == "image":
      _ring_figures(fig_dir, config, p, g, pca, tag, who, band)
      continue
    m = config.model
    out = autoencoder.reconstruct_np(m, p, x)
    want = np.linspace(radii.min(), radii.max(), 5)
    picks_r = [int(np.argmin(np.abs(radii - r))) for r in want]
    plotting_shapes.reconstructions(fig_dir / f"reconstruction_{tag}.png", x, out, radii,
                                    picks_r, f"circles: input (black) and output (red), {who}",
                                    lim)
    z = g["z"][keep]
    n = config.grid
    zz, lo, hi = autoencoder.latent_grid(z, n, margin=0.25)
    grid = autoencoder.decode_np(m, p, zz)
    path_shapes = autoencoder.decode_np(m, p, g["path_z"])
    plotting_shapes.generation(fig_dir / f"generation_{tag}.png", path_shapes, g["path"],
                               f"circles: decoded along the path through the codes ({who})",
                               lim)
    plotting_shapes.grid(fig_dir / f"grid_{tag}.png", grid, circles.quality(grid), n, lo, hi,
                         f"circles: a {n}x{n} latent grid over and around the codes ({who})",
                         lim)
    if band is not None:
      plotting_shapes.holdout(fig_dir / f"holdout_{tag}.png",
                              autoencoder.decode_np(m, p, g["gap_z"]), g["gap"], band,
                              f"circles: decoded between the codes around the held-out band "
                              f"({who})", lim)


def _ring_figures(fig_dir, config, p, g, pca, tag, who, band):
  """--render=image: the seed's decodes beside PCA-2's, and its decoded latent grid."""
  size, n = config.data.image_size, config.grid
  plotting_rings.compare(fig_dir / f"rings_{tag}.png", size, g, pca,
                         f"ring images: the autoencoder ({who}) and PCA-2", band)
  zz, lo, hi = autoencoder.latent_grid(g["z"], n, margin=0.25)
  plotting.manifold(fig_dir / f"grid_{tag}.png",
                    np.clip(autoencoder.decode_np(config.model, p, zz), 0, 1),
                    (size, size), lo, hi, title=f"ring images: a {n}x{n} latent grid over "
                    f"and around the codes ({who})")
