"""The sweep's metrics, Markdown table and figures (report.md: experiments/sweep_claims.py)."""
import numpy as np

from ae import align, autoencoder, baselines, plotting
from ae.plotting import plt, save, two_processes
from experiments import consensus

def best_per_optimizer(results, vals, params, hist):
  """From an optimizer x eta grid keep each optimizer's best eta (lowest median worst-glyph
  error, then mean error); returns the kept lists and the whole search."""
  by = {}
  for r, v in zip(results, vals):
    if r is not None:
      by.setdefault(v.label.split("@")[0], []).append((r, v))
  keep_r, keep_v, keep_p, keep_h, search = [], [], {}, {}, {}
  for name, rows in by.items():
    search[name] = [{"eta": v.train.eta, "max_pixel_error_median":
                     r["summary"]["max_pixel_error_median"],
                     "seeds_le1": r["summary"]["seeds_le1"]} for r, v in rows]
    r, v = min(rows, key=lambda rv: (_inf(rv[0]["summary"]["max_pixel_error_median"]),
                                     _inf(rv[0]["summary"]["mean_pixel_error_mean"])))
    label = name
    r["summary"]["value"] = f"{name} (best eta {v.train.eta:g})"
    keep_r.append(r)
    keep_v.append(v._replace(label=label))
    keep_p[label], keep_h[label] = params[v.label], hist[v.label]
  return keep_r, keep_v, keep_p, keep_h, search


def yardsticks(value, result, params):
  """A value's result beside its yardsticks: its baseline (PCA of its glyphs at its latent
  width) and latent_stability (its seeds' maps aligned, experiments/consensus.py); each
  per-seed row gets that seed's stability and its map's evenness (align.evenness)."""
  result["summary"]["baseline"] = baseline(value, result)
  g = value.data.load()
  codes = consensus.autoencoder_codes(value.model, params, g.x)
  rows = result["per_seed"]
  stable = consensus.measure(codes, [p["diverged"] for p in rows], [p["seed"] for p in rows],
                             g.chars)
  result["latent_stability"] = stable
  mine = dict(zip(stable.get("seeds", []), stable.get("per_seed", [])))
  for p, z in zip(rows, codes):
    even = np.nan if p["diverged"] else align.evenness(z)
    p["latent_stability"] = mine.get(p["seed"])
    p["latent_evenness"] = round(even, 4) if np.isfinite(even) else None


def baseline(value, result):
  """PCA with the value's latent width on the value's glyphs: its worst-glyph error, and how
  many of the value's seeds do better on their worst glyph."""
  b = baselines.glyphs(value.data.load().x, value.model.latent_dim)["pca"]
  better = int(np.sum(_worst(result) < b["max_pixel_error"]))
  return {"components": b["components"], "max_pixel_error": b["max_pixel_error"],
          "seeds_better": better}


def _inf(v):
  return np.inf if v is None else v


def _worst(result):
  """Per-seed worst-glyph errors of the seeds that did not diverge."""
  return np.array([p["max_pixel_error"] for p in result["per_seed"] if not p["diverged"]])


def metrics(config, out, seconds):
  per_seed, rows = [], {}
  comp = train = 0.0
  interrupted = False
  for study, o in out.items():
    rows[study] = []
    for r in o["values"]:
      s = r["summary"]
      comp += s["compile_seconds"]
      train += s["train_seconds"]
      interrupted |= s["interrupted"]
      w = _worst(r)
      rows[study].append({
          "value": s["value"], "max_pixel_error_mean": float(w.mean()) if len(w) else None,
          "max_pixel_error_std": float(w.std()) if len(w) else None,
          "max_pixel_error_median": s["max_pixel_error_median"],
          "mean_pixel_error_mean": s["mean_pixel_error_mean"], "seeds_le1": s["seeds_le1"],
          "seeds_zero": s["seeds_zero"], "final_loss_median": s["final_loss_median"],
          "diverged": len(s["diverged_seeds"]), "seconds": s["seconds"],
          "batched_with": s["batched_with"], "baseline": s.get("baseline"),
          **_latent(r)})
      per_seed += [dict(p, study=study, value=s["value"]) for p in r["per_seed"]]
  summary = {"study": config.study, "base": config.base, "seeds": config.seeds,
             "first_seed": config.seed, "values": rows, "seconds": round(seconds, 1),
             "compile_seconds": round(comp, 2), "train_seconds": round(train, 2),
             "interrupted": interrupted}
  return {"summary": summary, "per_seed": per_seed, "studies": out}


def _latent(result):
  """A table row's latent columns (None for a run saved before they existed)."""
  st = result.get("latent_stability") or {}
  even = [p["latent_evenness"] for p in result["per_seed"]
          if p.get("latent_evenness") is not None]
  return {"stability_median": st.get("stability_median"),
          "stability_interval": st.get("stability_interval"), "stability_null": st.get("null"),
          "evenness_median": float(np.median(even)) if even else None}


def _stability(row):
  if row.get("stability_median") is None:
    return "-"
  lo, hi = row["stability_interval"]
  return f"{row['stability_median']:.2f} [{lo:.2f}, {hi:.2f}] ({row['stability_null']:.2f})"


def table(metrics):
  s = metrics["summary"]
  n = s["seeds"]
  lines = [f"# sweep: {s['study']} ({s['base']} base), {n} seeds each "
           f"({s['first_seed']}..{s['first_seed'] + n - 1}), {s['seconds']} s\n"]
  for study, rows in s["values"].items():
    lines += [f"## {study}\n", "| value | worst-glyph px, mean ± std | mean px | seeds <= 1 px | "
              "PCA worst px: seeds better | latent stability [95%] (shuffled) | evenness | "
              "final loss (median) | seconds |", "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
      f = lambda v, fmt: "-" if v is None else format(v, fmt)
      batched = f" (1 of {r['batched_with']} batched)" if r["batched_with"] > 1 else ""
      b = r.get("baseline")
      pca = "-" if not b else (f"PCA-{b['components']} {b['max_pixel_error']}: "
                               f"{b['seeds_better']}/{n}")
      lines.append(f"| {r['value']} | {f(r['max_pixel_error_mean'], '.2f')} ± "
                   f"{f(r['max_pixel_error_std'], '.2f')} | {f(r['mean_pixel_error_mean'], '.3f')} "
                   f"| {r['seeds_le1']}/{n} | {pca} | {_stability(r)} | "
                   f"{f(r.get('evenness_median'), '.2f')} | {f(r['final_loss_median'], '.4g')} | "
                   f"{r['seconds']:.2f}{batched} |")
    lines += ["", "PCA worst px: the worst-glyph error of PCA with the value's latent width, "
              "fitted on its glyphs (the best linear autoencoder), and how many seeds do better. "
              f"Latent stability: how many of each glyph's {consensus.K} nearest glyphs a seed's "
              "map shares with the consensus of the value's seeds (mean Jaccard; median over "
              "seeds, 95% bootstrap interval), and in brackets what maps with the glyphs "
              "shuffled between seeds score. Evenness: over the seeds, the median of a map's "
              "median nearest-glyph distance over its radius, times the root of the number of "
              "glyphs (about "
              "1.2 for codes scattered uniformly over a disc, near 0 for clumps). "
              "Seconds: the value's share of its compiled program's time; values that differ "
              "only in a number share one program (\"1 of n batched\").", ""]
  return "\n".join(lines)


def study_figures(run_dir, study, done, params):
  """figures/<study>_strip.png (every seed's worst-glyph error, latent stability and
  evenness per value) and figures/<study>_panels.png."""
  fig_dir = run_dir / "figures"
  labels = [r["summary"]["value"] for _, r in done]
  nums = _numbers([v.label for v, _ in done])
  log = nums is not None and max(nums) / min(nums) > 10
  pos = np.log10(nums) if log else (np.asarray(nums) if nums is not None else
                                    np.arange(len(done)))
  width = 0.5 * (np.min(np.diff(np.sort(pos))) if len(pos) > 1 else 1)
  fig, axes = plt.subplots(3, 1, figsize=(max(6, 0.9 * len(done) + 2), 9.5), sharex=True,
                           layout="constrained")
  ax = axes[0]
  _strip(ax, pos, width, [_worst(r) for _, r in done])
  ax.axhline(1, color="green", ls=":", lw=1, label="1 wrong pixel")
  base = [r["summary"].get("baseline") for _, r in done]
  if all(base):   # each value's linear yardstick: PCA of its glyphs at its latent width
    ax.plot(pos, [b["max_pixel_error"] for b in base], "_", color="tab:red", ms=22, mew=2,
            label="PCA (linear) on the same glyphs")
  ax.set(ylabel="wrong pixels on the worst glyph", title=f"{study}: every seed (points), "
         "median and quartiles (boxes)")
  ax.legend(fontsize=7)
  ax = axes[1]
  _strip(ax, pos, width, [_per_seed(r, "latent_stability") for _, r in done])
  null = [(r.get("latent_stability") or {}).get("null") for _, r in done]
  if any(v is not None for v in null):
    ax.plot(pos, [np.nan if v is None else v for v in null], "_", color="tab:red", ms=22,
            mew=2, label="glyphs shuffled between seeds (the null)")
    ax.legend(fontsize=7)
  ax.set(ylabel=f"latent stability\n({consensus.K} nearest glyphs as in the consensus)",
         ylim=(-0.02, 1.02))
  ax = axes[2]
  _strip(ax, pos, width, [_per_seed(r, "latent_evenness") for _, r in done])
  ax.set(ylabel="latent evenness\n(nearest-glyph distance / radius x sqrt n)")
  ax.set_xticks(pos)
  ax.set_xticklabels(labels, rotation=30 if len(done) > 5 else 0, fontsize=8, ha="right"
                     if len(done) > 5 else "center")
  if log:
    ax.set_xlabel(f"{study} (log scale)")
  for ax in axes:
    ax.grid(alpha=.3)
  with two_processes():   # 2 cores write the PNGs: ae/plot_files.py
    save(fig, fig_dir / f"{study}_strip.png")
    panels(fig_dir / f"{study}_panels.png", study, done, params)


def _per_seed(result, key):
  """The seeds' values of key (those that have one)."""
  return np.array([p[key] for p in result["per_seed"] if p.get(key) is not None], float)


def _strip(ax, pos, width, values):
  """A box (median, quartiles) and every seed's point (jittered) per value."""
  ax.boxplot([v if len(v) else [np.nan] for v in values], positions=pos, widths=width,
             showfliers=False)
  rng = np.random.default_rng(0)
  for p, v in zip(pos, values):
    ax.plot(p + rng.uniform(-width / 3, width / 3, len(v)), v, ".", color="tab:blue", alpha=.6)


def _numbers(labels):
  try:
    return [float(l) for l in labels]
  except ValueError:
    return None


def panels(path, study, done, params):
  """For each value, the median seed's latent codes and its thresholded reconstructions."""
  fig, axes = plt.subplots(len(done), 2, figsize=(9, 2.3 * len(done) + .6), squeeze=False,
                           gridspec_kw={"width_ratios": [1, 2.2]}, layout="constrained")
  for row, (v, r) in zip(axes, done):
    s = r["summary"]
    g = v.data.load()
    if s["median_seed"] is None:
      row[0].set_axis_off()
      row[1].set_axis_off()
      row[1].set_title(f"{s['value']}: every seed diverged", fontsize=8)
      continue
    i = s["median_seed"] - r["per_seed"][0]["seed"]
    p = [{k: np.asarray(a[i]) for k, a in layer.items()} for layer in params[v.label]]
    z = autoencoder.encode_np(v.model, p, g.x)
    out = autoencoder.reconstruct_np(v.model, p, g.x) > .5
    row[0].scatter(z[:, 0], z[:, 1], s=30, c=np.arange(len(z)), cmap="tab20", alpha=.4)
    for (a, b), ch in zip(z, g.shown):
      row[0].text(a, b, ch, fontsize=7, ha="center", va="center")
    row[0].set_xticks([])
    row[0].set_yticks([])
    wrong = out != (g.x > .5)
    colors = [np.where(w[:, None], (0.85, 0.1, 0.1), np.nan) for w in wrong]
    row[1].imshow(plotting.tiles(out.astype(float), g.shape, 16, colors=colors),
                  interpolation="nearest")
    row[1].set_axis_off()
    row[1].set_title(f"{study} = {s['value']}: median seed {s['median_seed']}, worst glyph "
                     f"{r['per_seed'][i]['max_pixel_error']} px (wrong pixels red)", fontsize=8)
  fig.suptitle(f"{study}: latent codes and reconstructions of each value's median seed")
  return save(fig, path)
