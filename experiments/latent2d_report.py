"""latent2d's metrics, figures and summary table, from trained params (shared by run and --load)."""
import sys

import jax
import numpy as np

from ae import autoencoder, baselines, cheader, losses, plotting, report, train
from ae.data import display
from experiments import consensus, runner


def metrics(config, glyphs, params, codes, timing, history, interrupted=False):
  """The metrics.json dict (ae/report.py), from the trained params, their codes (`codes`)
  and the history (its first row is each seed's starting loss)."""
  t, m = config.train, config.model
  final, errors = jax.device_get(autoencoder.evaluate(m, params, glyphs.x))
  final, errors = np.asarray(final, float), np.asarray(errors, int)
  start = np.asarray(history["loss"], float)[:, 0]
  per_seed = report.pixel_per_seed(errors)
  for i, p in enumerate(per_seed):
    p["latent_box"] = report.latent_box(codes[i])
    if t.solver is not None:
      p["solver_iterations"] = int(np.asarray(history["solver_iterations"])[i, -1])
  blank, dup = glyphs.repeats()
  def summary(ok):
    out = report.pixel_summary(errors, ok)
    out.update(blank_glyphs=len(blank),
               duplicate_glyphs={glyphs.chars[i]: glyphs.chars[j] for i, j in dup.items()})
    return out
  out = report.build(
      range(t.seed, t.seed + t.seeds), final, start,
      timing, per_seed,
      report.pixel_score(errors, final), summary, glyphs.chars, interrupted)
  out["baselines"] = baselines.glyphs(glyphs.x, m.latent_dim)   # the linear yardstick
  out["latent_stability"] = consensus.measure(
      codes, [p["diverged"] for p in out["per_seed"]], range(t.seed, t.seed + t.seeds),
      glyphs.chars)
  return out


def default_points(config, glyphs, p, z, k=6, limit=2000):
  """Latent points where a new glyph is likeliest: midpoints between each code and its three
  nearest codes, decoded, the ones that copy no training glyph first (farthest from any
  first). Large sets: a sample of `limit` codes."""
  idx = np.arange(len(z))
  if len(z) > limit:
    idx = np.random.default_rng(0).choice(len(z), limit, replace=False)
  zs = z[idx]
  d = np.linalg.norm(zs[:, None] - zs[None], axis=-1) + np.eye(len(zs)) * 1e9
  pairs = sorted({tuple(sorted((i, int(j)))) for i in range(len(zs))
                  for j in np.argsort(d[i])[:3]})
  cand = np.array([(zs[i] + zs[j]) / 2 for i, j in pairs])
  _, near = decode_points(config, glyphs, p, cand)
  dist = np.array([h for _, _, h in near])
  order = np.lexsort((np.arange(len(cand)), -dist))[:k]
  return [tuple(float(v) for v in cand[i]) for i in order]


def decode_points(config, glyphs, params_one, pts):
  """Decoded points (n, d) as 0/1 and their nearest training glyph: [(index, pixels, px)]."""
  new = autoencoder.decode_np(config.model, params_one, np.asarray(pts)) > .5
  idx, ham = losses.nearest(new, glyphs.x)
  return new, [(int(j), glyphs.x[j], int(h)) for j, h in zip(idx, ham)]


def figures(run_dir, config, glyphs, params, codes, metrics, history, steps):
  """Every figure of the run under run_dir/figures/, for the best and the median seed;
  codes: every seed's (the consensus)."""
  t = config.train
  fig_dir = run_dir / "figures"
  name = glyphs.title
  picks, bad = report.picks(metrics, t.seed)
  if config.decode_seed is not None:   # that seed's figures too
    picks.setdefault(decode_tag(config, metrics), config.decode_seed - t.seed)
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
  pts = list(config.decode) if config.decode else default_points(config, glyphs, p, z)
  new, near = decode_points(config, glyphs, p, pts)
  plotting.new_letters(fig_dir / f"new_letters_{tag}.png", pts, new, near, glyphs.shape,
                       labels, f"{name}: glyphs decoded from latent points ({who})")
  metrics.setdefault("new_letters", {})[tag] = [
      {"z": list(pt), "nearest": glyphs.chars[j], "hamming": d, "copy": d == 0,
       "rows": cheader.format_rows(b.reshape(glyphs.shape))}
      for pt, (j, _, d), b in zip(pts, near, new)]


def baseline_text(metrics, seeds):
  """The summary's baseline row: PCA-k's errors, and how many seeds beat its worst glyph."""
  b = metrics["baselines"]["pca"]
  better = sum(1 for p in metrics["per_seed"]
               if not p["diverged"] and p["max_pixel_error"] < b["max_pixel_error"])
  return (f"worst glyph {b['max_pixel_error']} px, mean {b['mean_pixel_error']:.1f} px, "
          f"{b['exact_glyphs']}/{len(b['pixel_errors'])} glyphs exact; {better}/{seeds} seeds "
          "do better on their worst glyph")


def decode_tag(config, metrics):
  """The figures' tag of the seed that decodes --decode's points: best (the default),
  median, or 'seed<N>' for --decode_seed=N."""
  if config.decode_seed is None:
    return "best"
  picks, _ = report.picks(metrics, config.train.seed)
  same = [k for k, i in picks.items() if i == config.decode_seed - config.train.seed]
  return same[0] if same else f"seed{config.decode_seed}"


def print_summary(config, glyphs, metrics, loaded_from=None):
  """The short table on stdout (runner.print_footer ends it)."""
  s = metrics["summary"]
  n, seed = config.train.seeds, config.train.seed
  rows = [("data", glyphs.describe())]
  if loaded_from is not None:
    rows.insert(0, ("loaded", str(loaded_from)))
  rows += [
      ("seeds", f"{n} (seed {seed}..{seed + n - 1})"),
      ("0 wrong px on every glyph", f"{s['seeds_zero']}/{n} seeds"),
      ("<= 1 wrong px on every glyph", f"{s['seeds_le1']}/{n} seeds"),
      ("worst-glyph error, median", runner.shown(s["max_pixel_error_median"], "g", " px")),
      (f"PCA-{config.model.latent_dim}, the linear baseline", baseline_text(metrics, n)),
      ("best / median seed", f"{runner.shown(s['best_seed'])} / "
                             f"{runner.shown(s['median_seed'])}"),
      ("diverged", runner.diverged_text(s)),
      consensus.row(metrics["latent_stability"]),
  ]
  if s["best_seed"] is not None:
    box = metrics["per_seed"][s["best_seed"] - seed]["latent_box"]
    rows.append(("latent box (best seed)",
                 "  ".join(f"z{k + 1} in [{a:.3g}, {b:.3g}]" for k, (a, b) in enumerate(box))))
  if loaded_from is None:
    rows.append(("compile / train", f"{s['compile_seconds']:.2f} s / {s['train_seconds']:.2f} s "
                                    f"({s['train_seconds_per_seed']:.3f} s per seed)"))
  who = s["best_seed"] if config.decode_seed is None else config.decode_seed
  for entry in metrics.get("new_letters", {}).get(decode_tag(config, metrics), []) if loaded_from else []:
    z = ", ".join(f"{v:.6g}" for v in entry["z"])
    near = f'"{display(entry["nearest"])}"'   # quoted: a label may be "," or "'"
    said = f"a copy of {near}" if entry["copy"] else f"new: {entry['hamming']} px from {near}"
    rows.append((f"decoded ({z}), seed {who}", f"{said}  {entry['rows']}"))
  runner.print_table(rows)
