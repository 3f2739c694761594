"""latent2d's metrics and summary table, from trained params (shared by run and --load); its
figures: latent2d_figures.py."""
import jax
import numpy as np

from ae import autoencoder, baselines, losses, report
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
