"""denoise's figures, from trained params and the run's metrics (shared by run and --load).
Only the process drawing them imports this module, and with it matplotlib (issue 41:
experiments/drawing.py)."""
import numpy as np

from ae import autoencoder, plotting, report, train
from ae.plotting import plt, save
from experiments import consensus


def figures(run_dir, config, glyphs, fit, metrics, codes, noise):
  """Every figure; codes: every seed's codes of the clean glyphs (the consensus, 2-D only);
  noise: denoise_report.figure_noise()."""
  t, s = config.train, metrics["summary"]
  fig_dir = run_dir / "figures"
  picks, bad = report.picks(metrics, t.seed)
  plotting.curves(fig_dir / "curves.png", fit.steps, fit.history,
                  report.seed_labels(picks, t.seed),
                  f"{glyphs.title}: denoising, {t.seeds} seeds", bad,
                  (("loss", f"{config.model.loss} loss on noisy input (a fixed draw)", True,
                    None),
                   ("denoise_error", "wrong pixels after denoising (mean, a fixed draw)",
                    False, None)))
  rates(fig_dir / "restore.png", config, glyphs, s["levels"], metrics["per_seed"], bad)
  consensus.figure(fig_dir / "consensus.png", codes,
                   [p["diverged"] for p in metrics["per_seed"]], metrics["latent_stability"],
                   glyphs.shown, f"{glyphs.title}: the consensus of the denoisers' maps of "
                   "the clean glyphs", glyphs.classes)
  for tag, i in picks.items():
    p, who = train.seed_params(fit.params, i), f"{tag} seed {t.seed + i}"
    examples(fig_dir / f"denoised_{tag}.png", config, glyphs, p, who, *noise["examples"])
    latent(fig_dir / f"latent_{tag}.png", config, glyphs, p, who, *noise["latent"])


def rates(path, config, glyphs, levels, per_seed, bad):
  """Restore rate and residual error against the level: every seed faint, the median bold,
  the three baselines dashed."""
  name = "k" if config.noise.noise_model == "k" else "p"
  x = [r[name] for r in levels]
  fig, axes = plt.subplots(1, 2, figsize=(11, 4))
  for ax, key, base, label in ((axes[0], "restore_rate", "restore_rate", "exact-restore rate"),
                               (axes[1], "mean_pixel_error", "error",
                                "wrong pixels after denoising (mean)")):
    runs_ = np.array([[l[key] for l in p["levels"]] for i, p in enumerate(per_seed)
                      if i not in bad])
    if len(runs_):
      ax.fill_between(x, runs_.min(0), runs_.max(0), color="tab:blue", alpha=.2,
                      label="range over seeds")
      ax.plot(x, np.median(runs_, 0), "o-", color="tab:blue", lw=2, label="the net (median)")
    ax.plot(x, [r[f"nearest_glyph_{base}"] for r in levels], "s--", color="tab:green",
            label="nearest training glyph")
    ax.plot(x, [r[f"noisy_input_{base}"] for r in levels], "^--", color="grey",
            label="the noisy input itself")
    ax.plot(x, [r[f"pca_{base}"] for r in levels], "D--", color="tab:purple",
            label=f"PCA-{config.model.latent_dim} of the noisy glyph (linear)")
    ax.set(xlabel=f"noise level ({name}: " + ("pixels flipped)" if name == "k" else
                                               "flip probability)"), ylabel=label)
    ax.grid(alpha=.3)
    ax.legend(fontsize=7)
  fig.suptitle(f"{glyphs.title}: {config.noise.eval_copies} fresh noisy copies of each glyph "
               f"per level ({config.noise.noise} noise)")
  return save(fig, path)


def examples(path, config, glyphs, p, who, idx, levels, noisy_rows):
  """Rows of glyphs idx: clean | noisy | denoised at each level (noisy_rows: their noisy
  copies per level); flipped pixels orange, wrong pixels after denoising red."""
  x = glyphs.x[idx]
  imgs, colors, nan = [], [], np.full(x.shape[1:] + (3,), np.nan)
  cols = [(noisy, autoencoder.reconstruct_np(config.model, p, noisy) > .5)
          for noisy in noisy_rows]
  for r in range(len(x)):
    imgs.append(x[r])
    colors.append(nan)
    for noisy, out in cols:
      flipped = (noisy[r] > .5) != (x[r] > .5)
      wrong = out[r] != (x[r] > .5)
      imgs += [noisy[r], out[r].astype(float)]
      colors += [np.where(flipped[:, None], (0.95, 0.55, 0.1), np.nan),
                 np.where(wrong[:, None], (0.85, 0.1, 0.1), np.nan)]
  ncol = 1 + 2 * len(levels)
  mosaic = plotting.tiles(imgs, glyphs.shape, ncol, colors=colors)
  fig, ax = plt.subplots(figsize=(0.75 * ncol + 1, 0.95 * len(x) * glyphs.shape[0] / 7 + 1))
  ax.imshow(mosaic, interpolation="nearest")
  w = glyphs.shape[1] + 1
  ax.set_xticks([w / 2 - .5] + [w * (1 + 2 * j + k) + w / 2 - .5 for j in range(len(levels))
                                for k in (0, 1)])
  name = "k" if config.noise.noise_model == "k" else "p"
  ax.set_xticklabels(["clean"] + [f"{t} {name}={lv:g}" for lv in levels
                                  for t in ("noisy", "out")], fontsize=7, rotation=45)
  ax.set_yticks([])
  ax.set_title(f"{glyphs.title}: denoised ({who}); orange: flipped by the noise, red: "
               "wrong after denoising", fontsize=9)
  return save(fig, path)


def latent(path, config, glyphs, p, who, level, noisy):
  """Codes of noisy copies (noisy: copies of every glyph at `level`) projected on the two
  main axes of the clean codes, coloured by glyph; each clean code labelled."""
  copies = len(noisy) // len(glyphs)
  zc = autoencoder.encode_np(config.model, p, glyphs.x)
  zn = autoencoder.encode_np(config.model, p, noisy)
  # the main axes of every code drawn, clean and noisy: two of them even for one glyph (of
  # the finite ones: a diverged model's codes may be nan)
  every = np.vstack([zc, zn])
  every = every[np.isfinite(every).all(1)]
  mean = every.mean(0) if len(every) else np.zeros(zc.shape[1])
  basis = (np.linalg.svd(every - mean, full_matrices=False)[2][:2].T if len(every) else
           np.eye(zc.shape[1])[:, :2])  # (k, <=2)
  basis = np.pad(basis, ((0, 0), (0, 2 - basis.shape[1])))  # a 1-D code: its one axis
  pc, pn = (zc - mean) @ basis, (zn - mean) @ basis
  n = len(glyphs)
  fig, ax = plt.subplots(figsize=(7, 6.5))
  # one colour per glyph, never repeated (tab20 repeats past 20 glyphs)
  colour = plt.cm.tab20(np.arange(n)) if n <= 20 else plt.cm.hsv(np.linspace(0, 1, n, False))
  ax.scatter(pn[:, 0], pn[:, 1], s=5, c=np.tile(colour, (copies, 1)), alpha=.5)
  if plotting.labelled(glyphs.shown):
    for (a, b), ch in zip(pc, glyphs.shown):
      if ch:
        ax.text(a, b, ch, ha="center", va="center", fontsize=10, weight="bold",
                path_effects=plotting.OUTLINE)
  dims = zc.shape[1]
  ax.set(xlabel="main axis 1 of the codes (PCA)" if dims > 2 else "z1",
         ylabel="main axis 2 of the codes (PCA)" if dims > 2 else "z2",
         title=f"{glyphs.title}: codes of {copies} noisy copies per glyph at level {level:g}, "
               f"coloured by glyph ({who})" + (f"\nthe two main axes of the {dims}-D clean "
                                               "codes (labels)" if dims > 2 else ""))
  ax.grid(alpha=.3)
  return save(fig, path)
