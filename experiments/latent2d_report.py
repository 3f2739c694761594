"""latent2d's metrics, figures and summary table, from trained params (shared by run and --load)."""
import sys

import jax
import numpy as np

from ae import losses, mlp, plotting, train


def metrics(config, glyphs, params, timing, history=None):
  """The metrics.json dict: per_seed entries and the summary over seeds (DESIGN.md)."""
  t = config.train
  final, errors = jax.device_get(train.evaluate(params, glyphs.x, glyphs.x, t.acts, t.loss))
  final, errors = np.asarray(final, float), np.asarray(errors, int)
  per_seed = []
  for i in range(config.seeds):
    diverged = not np.isfinite(final[i])
    per_seed.append({
        "seed": config.seed + i, "final_loss": None if diverged else float(final[i]),
        "diverged": diverged, "max_pixel_error": int(errors[i].max()),
        "mean_pixel_error": float(errors[i].mean()), "pixel_errors": errors[i].tolist()})
    if history is not None and train.uses_solver(t):
      per_seed[-1]["solver_iterations"] = int(np.asarray(history["solver_iterations"])[i, -1])
  # Rank: diverged last, then fewest wrong pixels on the worst glyph, then mean, then loss.
  order = sorted(range(config.seeds), key=lambda i: (
      not np.isfinite(final[i]), errors[i].max(), errors[i].mean(),
      final[i] if np.isfinite(final[i]) else 0))
  summary = losses.summarize(errors, final)
  summary.update(
      compile_seconds=round(timing["compile_seconds"], 3),
      train_seconds=round(timing["train_seconds"], 3),
      train_seconds_per_seed=round(timing["train_seconds"] / config.seeds, 4),
      diverged_seeds=[p["seed"] for p in per_seed if p["diverged"]],
      best_seed=config.seed + order[0], median_seed=config.seed + order[(config.seeds - 1) // 2],
      glyphs="".join(glyphs.chars) if all(len(c) == 1 for c in glyphs.chars)
      else list(glyphs.chars))
  return {"summary": summary, "per_seed": per_seed}


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
  t, s = config.train, metrics["summary"]
  fig_dir = run_dir / "figures"
  picks = {"best": s["best_seed"] - config.seed, "median": s["median_seed"] - config.seed}
  if picks["median"] == picks["best"]:
    del picks["median"]
  if history is not None:
    steps = train.log_steps(t) if steps is None else steps
    plotting.curves(fig_dir / "curves.png", steps, history,
                    {f"{k} (seed {config.seed + i})": i for k, i in picks.items()},
                    f"{glyphs.name}: {config.seeds} seed(s)")
  x, shape, act = glyphs.x, glyphs.shape, t.acts
  for tag, i in picks.items():
    p = _one(params, i)
    name = f"{tag} seed {config.seed + i}"
    if metrics["per_seed"][i]["diverged"] or not all(np.isfinite(a).all() for a in
                                                     jax.tree.leaves(p)):
      print(f"no {tag}-seed figures: seed {config.seed + i} diverged", file=sys.stderr)
      continue
    z = np.asarray(mlp.encode(p, x, act))
    out = np.asarray(losses.reconstruct(mlp.apply(p, x, act), t.loss))
    plotting.latent_scatter(fig_dir / f"latent_{tag}.png", z, glyphs.chars,
                            f"{glyphs.name} latent space ({name})")
    plotting.reconstructions(fig_dir / f"reconstruction_{tag}.png", x, out, shape, glyphs.chars,
                             f"{glyphs.name} reconstructions ({name}): input | output | "
                             f"thresholded, wrong pixels in red")
    lo, hi = z.min() - 0.15 * np.ptp(z), z.max() + 0.15 * np.ptp(z)
    g = config.grid
    zz = np.stack(np.meshgrid(np.linspace(lo, hi, g), np.linspace(hi, lo, g)), -1).reshape(-1, 2)
    grid = np.asarray(losses.reconstruct(mlp.decode(p, zz, act), t.loss))
    plotting.manifold(fig_dir / f"manifold_{tag}.png", grid, shape, lo, hi, z, glyphs.chars,
                      f"decoded {g}x{g} latent grid ({name})")
    pts = list(config.decode) if config.decode else default_points(z, x)
    new = np.asarray(losses.reconstruct(mlp.decode(p, np.asarray(pts), act), t.loss)) > .5
    ham = (new[:, None] != (x[None] > .5)).sum(-1)
    near = [(int(j), x[j], int(ham[k, j])) for k, j in enumerate(ham.argmin(1))]
    plotting.new_letters(fig_dir / f"new_letters_{tag}.png", pts, new, near, shape,
                         glyphs.chars, f"new letters decoded from latent points ({name})")
    metrics.setdefault("new_letters", {})[tag] = [
        {"z": list(pt), "nearest": glyphs.chars[j], "hamming": d} for pt, (j, _, d) in
        zip(pts, near)]


def print_summary(config, glyphs, metrics, run_dir):
  s = metrics["summary"]
  n = config.seeds
  rows = [
      ("data", f"{glyphs.name}: {len(glyphs)} glyphs of {glyphs.shape[0]}x{glyphs.shape[1]}"),
      ("seeds", f"{n} (seed {config.seed}..{config.seed + n - 1})"),
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
      print(f"seed {p['seed']} diverged (non-finite loss)", file=sys.stderr)
  print(f"run dir: {run_dir}")

