"""latent2d's figures, from trained params and the run's metrics (shared by run and --load).
Only the process drawing them imports this module, and with it matplotlib (issue 41:
experiments/drawing.py)."""
import sys

from ae import autoencoder, baselines, cheader, plotting, report, train
from experiments import consensus, latent2d_report


def figures(run_dir, config, glyphs, params, codes, metrics, history, steps):
  """Every figure of the run under run_dir/figures/, for the best and the median seed;
  codes: every seed's (the consensus)."""
  t = config.train
  fig_dir = run_dir / "figures"
  name = glyphs.title
  picks, bad = report.picks(metrics, t.seed)
  if config.decode_seed is not None:   # that seed's figures too
    picks.setdefault(latent2d_report.decode_tag(config, metrics), config.decode_seed - t.seed)
  panels = ((("loss", f"{config.model.loss} loss (full batch)", True, None),)
            + plotting.PIXEL_PANELS[1:])
  plotting.curves(fig_dir / "curves.png", steps, history, report.seed_labels(picks, t.seed),
                  f"{name}: {t.seeds} seed{'s' * (t.seeds > 1)}", bad, panels)
  if not picks:
    print("no per-seed figures: every seed diverged", file=sys.stderr)
  consensus.figure(fig_dir / "consensus.png", codes,
                   [p["diverged"] for p in metrics["per_seed"]], metrics["latent_stability"],
                   glyphs.shown, f"{name}: the consensus of the seeds' maps", glyphs.classes)
  for tag, i in picks.items():
    _seed_figures(fig_dir, tag, f"{tag} seed {t.seed + i}", config, glyphs,
                  train.seed_params(params, i), codes[i], metrics)


def _seed_figures(fig_dir, tag, who, config, glyphs, p, z, metrics):
  m, x, name = config.model, glyphs.x, glyphs.title
  out = autoencoder.reconstruct_np(m, p, x)
  labels = glyphs.shown
  plotting.latent_scatter(fig_dir / f"latent_{tag}.png", z, labels,
                          f"{name}: latent codes ({who})", glyphs.classes)
  k = m.latent_dim
  plotting.reconstructions(fig_dir / f"reconstruction_{tag}.png", x, out, glyphs.shape, labels,
                           f"{name}, {who}: input | output | output > 0.5 | PCA-{k} > 0.5 "
                           f"(the linear baseline); wrong pixels red",
                           baseline=baselines.reconstruct(baselines.pca(x, k), x))
  g = config.grid
  zz, lo, hi = autoencoder.latent_grid(z, g, margin=0.15)
  grid = autoencoder.decode_np(m, p, zz)
  plotting.manifold(fig_dir / f"manifold_{tag}.png", grid, glyphs.shape, lo, hi, z, labels,
                    f"{name}: decoded {g}x{g} latent grid, training codes in red ({who})")
  pts = (list(config.decode) if config.decode else
         latent2d_report.default_points(config, glyphs, p, z))
  new, near = latent2d_report.decode_points(config, glyphs, p, pts)
  plotting.new_letters(fig_dir / f"new_letters_{tag}.png", pts, new, near, glyphs.shape,
                       labels, f"{name}: glyphs decoded from latent points ({who})")
  metrics.setdefault("new_letters", {})[tag] = [
      {"z": list(pt), "nearest": glyphs.chars[j], "hamming": d, "copy": d == 0,
       "rows": cheader.format_rows(b.reshape(glyphs.shape))}
      for pt, (j, _, d), b in zip(pts, near, new)]
