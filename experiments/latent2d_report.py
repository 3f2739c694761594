"""latent2d's metrics, figures and summary table, from trained params (shared by run and --load)."""
import sys

import jax
import numpy as np

from ae import autoencoder, plotting, report


def metrics(config, glyphs, params, timing, history=None, interrupted=False):
  """The metrics.json dict (ae/report.py), from the trained params; timing None: loaded."""
  t = config.train
  final, errors = jax.device_get(autoencoder.evaluate(config.model, params, glyphs.x))
  final, errors = np.asarray(final, float), np.asarray(errors, int)
  start = (np.asarray(history["loss"], float)[:, 0] if history is not None
           else np.full(len(final), np.inf))
  per_seed = report.pixel_per_seed(errors)
  if history is not None and t.solver is not None:
    for p, its in zip(per_seed, np.asarray(history["solver_iterations"])[:, -1]):
      p["solver_iterations"] = int(its)
  return report.build(
      range(t.seed, t.seed + t.seeds), final, start,
      timing or {"compile_seconds": 0.0, "train_seconds": 0.0}, per_seed,
      report.pixel_score(errors, final), lambda ok: report.pixel_summary(errors, ok),
      glyphs.chars, interrupted)


def _one(params, i):
  return jax.tree.map(lambda a: np.asarray(a[i]), params)


def default_points(z, x, k=6):
  """Midpoints between each glyph and its latent nearest neighbour, the most different
  neighbours (by Hamming distance) first: the places where a new letter is likeliest."""
  d = np.linalg.norm(z[:, None] - z[None], axis=-1) + np.eye(len(z)) * 1e9
  pairs = {tuple(sorted((i, int(np.argmin(d[i]))))) for i in range(len(z))}
  pairs = sorted(pairs, key=lambda p: (-np.sum(x[p[0]] != x[p[1]]), p))[:k]
  return [tuple(float(v) for v in (z[i] + z[j]) / 2) for i, j in pairs]


def figures(run_dir, config, glyphs, params, metrics, history, steps=None):
  """Every figure of the run under run_dir/figures/, for the best and the median seed."""
  t, m, s = config.train, config.model, metrics["summary"]
  fig_dir = run_dir / "figures"
  picks = {k: s[f"{k}_seed"] - t.seed for k in ("best", "median") if s[f"{k}_seed"] is not None}
  if picks.get("median") == picks.get("best"):
    picks.pop("median", None)
  if history is not None:
    plotting.curves(fig_dir / "curves.png", steps, history,
                    {f"{k} (seed {t.seed + i})": i for k, i in picks.items()},
                    f"{glyphs.name}: {t.seeds} seed(s)")
  if not picks:
    print("no per-seed figures: every seed diverged", file=sys.stderr)
  x, shape = glyphs.x, glyphs.shape
  for tag, i in picks.items():
    p = _one(params, i)
    name = f"{tag} seed {t.seed + i}"
    z = np.asarray(autoencoder.encode(m, p, x))
    out = np.asarray(autoencoder.reconstruct(m, p, x))
    plotting.latent_scatter(fig_dir / f"latent_{tag}.png", z, glyphs.chars,
                            f"{glyphs.name} latent space ({name})")
    plotting.reconstructions(fig_dir / f"reconstruction_{tag}.png", x, out, shape, glyphs.chars,
                             f"{glyphs.name} reconstructions ({name}): input | output | "
                             f"thresholded, wrong pixels in red")
    lo, hi = z.min() - 0.15 * np.ptp(z), z.max() + 0.15 * np.ptp(z)
    g = config.grid
    zz = np.stack(np.meshgrid(np.linspace(lo, hi, g), np.linspace(hi, lo, g)), -1).reshape(-1, 2)
    grid = np.asarray(autoencoder.decode(m, p, zz))
    plotting.manifold(fig_dir / f"manifold_{tag}.png", grid, shape, lo, hi, z, glyphs.chars,
                      f"decoded {g}x{g} latent grid ({name})")
    pts = list(config.decode) if config.decode else default_points(z, x)
    new = np.asarray(autoencoder.decode(m, p, np.asarray(pts))) > .5
    ham = (new[:, None] != (x[None] > .5)).sum(-1)
    near = [(int(j), x[j], int(ham[k, j])) for k, j in enumerate(ham.argmin(1))]
    plotting.new_letters(fig_dir / f"new_letters_{tag}.png", pts, new, near, shape,
                         glyphs.chars, f"new letters decoded from latent points ({name})")
    metrics.setdefault("new_letters", {})[tag] = [
        {"z": list(pt), "nearest": glyphs.chars[j], "hamming": d} for pt, (j, _, d) in
        zip(pts, near)]


def print_summary(config, glyphs, metrics, run_dir):
  s = metrics["summary"]
  n, seed = config.train.seeds, config.train.seed
  rows = [
      ("data", f"{glyphs.name}: {len(glyphs)} glyphs of {glyphs.shape[0]}x{glyphs.shape[1]}"),
      ("seeds", f"{n} (seed {seed}..{seed + n - 1})"),
      ("0 wrong px on every glyph", f"{s['seeds_zero']}/{n} seeds"),
      ("<= 1 wrong px on every glyph", f"{s['seeds_le1']}/{n} seeds"),
      ("worst-glyph error, median", f"{s['max_pixel_error_median']} px"),
      ("best / median seed", f"{s['best_seed']} / {s['median_seed']}"),
      ("diverged", ", ".join(map(str, s["diverged_seeds"])) or "none"),
      ("compile / train", f"{s['compile_seconds']:.2f} s / {s['train_seconds']:.2f} s "
                          f"({s['train_seconds_per_seed']:.3f} s per seed)"),
  ]
  w = max(len(k) for k, _ in rows)
  for k, v in rows:
    print(f"{k:<{w}}  {v}")
  for p in metrics["per_seed"]:
    if p["diverged"]:
      print(f"seed {p['seed']} diverged (its loss ended non-finite or above where it "
            "started)", file=sys.stderr)
  print(f"run dir: {run_dir}")

