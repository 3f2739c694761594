"""The consensus of a run's seeds (ae/align.py) -> a PNG (Agg): every glyph at its consensus
code, every seed's aligned code of it as a faint dot and, up to MAX_ELLIPSES glyphs, the
ellipse holding about 68% of them (one std); the least stable glyphs in red."""
import numpy as np
from matplotlib.collections import EllipseCollection

from ae import plotting
from ae.plotting import OUTLINE, plt, save

MAX_ELLIPSES = 128


def _ellipses(ax, aligned, colors):
  """Each glyph's one-std ellipse of its seeds' codes (their covariance's axes), as one
  artist (an Ellipse patch each took 2 ms to add and draw), inside the axes' limits."""
  centres = aligned.mean(0)
  d = aligned - centres   # (seeds, glyphs, 2)
  cov = np.einsum("sgi,sgj->gij", d, d) / (len(aligned) - 1)
  vals, vecs = np.linalg.eigh(cov + 1e-12 * np.eye(2))
  angle = np.arctan2(vecs[:, 1, 1], vecs[:, 0, 1])
  w, h = (2 * np.sqrt(np.maximum(vals[:, k], 0)) for k in (1, 0))
  ax.add_collection(EllipseCollection(
      w, h, np.degrees(angle), units="xy", offsets=centres, offset_transform=ax.transData,
      facecolors="none", edgecolors=colors, linewidths=0.8, alpha=0.6), autolim=False)
  c, s = np.cos(angle), np.sin(angle)   # the half extents of each rotated ellipse
  half = np.stack([np.hypot(w * c, h * s), np.hypot(w * s, h * c)], -1) / 2
  ax.update_datalim(np.concatenate([centres - half, centres + half]))


def consensus(path, alignment, labels, stability, shaky, title, classes=None):
  """alignment: align.gpa's result; stability: experiments/consensus.measure's dict; shaky:
  the indices of the least stable glyphs (drawn red)."""
  a = alignment
  fig, ax = plt.subplots(figsize=(7.5, 6.5))
  pts = a.aligned.reshape(-1, a.aligned.shape[-1])
  glyph = np.tile(np.arange(a.aligned.shape[1]), len(a.aligned))
  if classes is not None:   # any labels (digits' are strings): each class its tab20 colour
    index = np.unique(np.asarray(classes).astype(str), return_inverse=True)[1]
    ax.scatter(pts[:, 0], pts[:, 1], s=4, c=plt.cm.tab20(index[glyph] % 20), alpha=0.25, lw=0)
  else:
    ax.scatter(pts[:, 0], pts[:, 1], s=4, color="grey", alpha=0.25, lw=0,
               label=f"each seed's code, aligned ({len(a.aligned)} seeds)")
  shaky = set(int(i) for i in shaky)
  c = a.consensus
  if a.aligned.shape[1] <= MAX_ELLIPSES and len(a.aligned) > 2:
    _ellipses(ax, a.aligned, ["tab:red" if i in shaky else "tab:blue"
                              for i in range(a.aligned.shape[1])])
  if plotting.labelled(labels):
    for i, ((x, y), ch) in enumerate(zip(c, labels)):
      if ch:
        ax.text(x, y, ch, ha="center", va="center", fontsize=10, weight="bold",
                color="tab:red" if i in shaky else "black", path_effects=OUTLINE)
  else:
    ax.scatter(c[:, 0], c[:, 1], s=10, color="black", label="consensus codes")
  lo, hi = stability["stability_interval"]
  ax.set(xlabel="consensus z1", ylabel="consensus z2", aspect="equal",
         title=f"{title}\n{stability['k']}-nearest-neighbour stability "
               f"{stability['stability_median']:.2f} [{lo:.2f}, {hi:.2f}] (glyphs shuffled "
               f"between seeds: {stability['null']:.2f})\nellipses: each glyph's one std over "
               f"the seeds; red: the {len(shaky)} least stable")
  ax.title.set_fontsize(9)
  if ax.get_legend_handles_labels()[0]:
    ax.legend(fontsize=7, loc="lower right")
  ax.grid(alpha=0.3)
  return save(fig, path)
