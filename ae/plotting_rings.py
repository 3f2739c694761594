"""Ring images (circles --render=image) -> PNG files (Agg): a model's decodes beside PCA's.

Each row is one mosaic of pixel tiles; under each tile its fitted radius and its distance to
the nearest true ring (ae/rings.quality). The bottom panel plots that distance along the path
through the codes for both models, on a log axis.
"""
import numpy as np

from ae import rings
from ae.plotting import log_scale, plt, save, tiles

SHOWN = 11   # decodes shown per row, evenly along the path


def _row(ax, images, quality, size, name, band=None):
  """One labelled mosaic; a tile whose radius lies in the band gets a red radius."""
  ax.imshow(tiles(images, (size, size), len(images), gap=2), interpolation="nearest")
  ax.set_xticks([])
  ax.set_yticks([])
  ax.set_ylabel(name, rotation=0, ha="right", va="center", fontsize=9)
  for i, (r, d) in enumerate(zip(quality["radius"], quality["distance"])):
    inside = band is not None and band[0] <= r <= band[1]
    ax.text(i * (size + 2) + size / 2, size + 1.5, f"r {r:.2f}", ha="center", va="top",
            fontsize=7, color="tab:red" if inside else "black")
    ax.text(i * (size + 2) + size / 2, size + 5.5, f"d {d:.3f}", ha="center", va="top",
            fontsize=7, color="black" if d < rings.ON_MANIFOLD else "tab:red")


def _every(n, k):
  return np.unique(np.linspace(0, n - 1, min(n, k)).round().astype(int))


def compare(path, size, model, pca, title, band=None):
  """model, pca: generated() dicts of the autoencoder seed and of PCA-2 (path_x, path and,
  with a held-out band, gap_x, gap, gap_target)."""
  blocks = [("path", "along the path through the codes")]
  if band is not None:
    blocks.append(("gap", "between the codes either side of the held-out band"))
  rows = 2 * len(blocks)
  fig = plt.figure(figsize=(11, 1.55 * rows + 3.4))
  grid = fig.add_gridspec(rows + 1, 1, height_ratios=[1] * rows + [2.3], hspace=0.55,
                        top=0.93)
  for b, (key, what) in enumerate(blocks):
    for j, (name, g) in enumerate((("autoencoder", model), ("PCA-2", pca))):
      ax = fig.add_subplot(grid[2 * b + j])
      pick = _every(len(g[f"{key}_x"]), SHOWN)
      q = {k: np.asarray(g[key][k])[pick] for k in ("radius", "distance")}
      _row(ax, np.clip(np.asarray(g[f"{key}_x"])[pick], 0, 1), q, size, name, band)
      if j == 0:
        ax.set_title(f"decoded {what} (r: fitted radius, d: RMSE to the nearest true ring; "
                     f"red d: above {rings.ON_MANIFOLD}, not a ring)", fontsize=9)
  ax = fig.add_subplot(grid[rows])
  for name, g, style in (("autoencoder", model, "-"), ("PCA-2", pca, "--")):
    d = np.asarray(g["path"]["distance"])
    ax.plot(np.linspace(0, 1, len(d)), np.maximum(d, 1e-4), style, label=name)
  ax.axhline(rings.ON_MANIFOLD, color="grey", lw=0.8, ls=":",
             label=f"{rings.ON_MANIFOLD}: counted as a ring")
  log_scale(ax.yaxis)
  ax.set(xlabel="position along the path through the training codes (small radii to large)",
         ylabel="distance to the rings (RMSE)")
  ax.legend(fontsize=8)
  fig.suptitle(title, fontsize=10)
  return save(fig, path)
