"""Point-set shapes (circles and what a decoder makes of them) -> PNG files (Agg).

A shape is a flat vector of points, x and y interleaved; quality dicts come from
ae/circles.quality (radius, circularity, ...).
"""
import numpy as np
from matplotlib.collections import LineCollection

from ae.plotting import plt, save

OK = 0.05  # circularity counted as a circle in the figures (5%)


def _pts(shape):
  p = np.asarray(shape, float).reshape(-1, 2)
  return np.vstack([p, p[:1]])  # closed


def _shape(ax, shape, color="black", marker=".", label=None):
  p = _pts(shape)
  ax.plot(p[:, 0], p[:, 1], marker=marker, ms=3, lw=1.0, color=color, label=label)


def _frame(ax, lim):
  """The [-lim, lim] box, equal axes, no ticks: once per axes (each call costs ~1 ms)."""
  ax.set(xlim=(-lim, lim), ylim=(-lim, lim), aspect="equal", xticks=[], yticks=[])


def reconstructions(path, x, out, radii, picks, title, lim):
  """Input against output for the circles `picks`, then every output overlaid, coloured by
  radius."""
  fig, axes = plt.subplots(1, len(picks) + 1, figsize=(2.4 * (len(picks) + 1), 2.9))
  for ax, i in zip(axes, picks):
    _shape(ax, x[i], "black", "o", "input")
    _shape(ax, out[i], "tab:red", "x", "output")
    ax.set_title(f"r = {radii[i]:.2f}", fontsize=9)
  axes[0].legend(fontsize=7, loc="lower left")
  colors = plt.cm.viridis((radii - radii.min()) / max(np.ptp(radii), 1e-9))
  # one artist for every output (one line each took 0.4 s a figure)
  axes[-1].add_collection(LineCollection([_pts(o) for o in out], colors=colors, lw=0.7))
  for ax in axes:
    _frame(ax, lim)
  axes[-1].set_title(f"all {len(out)} outputs", fontsize=9)
  fig.suptitle(title, fontsize=10)
  return save(fig, path)


def latent(path, z, radii, keep, title, path_z=None, gap_z=None):
  """Codes coloured by radius (held-out circles hollow), the decoded path and gap points."""
  fig, ax = plt.subplots(figsize=(6.5, 5.5))
  sc = ax.scatter(z[keep, 0], z[keep, 1], c=radii[keep], cmap="viridis", s=22,
                  vmin=radii.min(), vmax=radii.max(), label="training circles")
  if (~keep).any():
    ax.scatter(z[~keep, 0], z[~keep, 1], facecolors="none", s=28, lw=1,
               edgecolors=plt.cm.viridis((radii[~keep] - radii.min()) / np.ptp(radii)),
               label="held-out circles (encoded)")
  if path_z is not None:
    ax.plot(path_z[:, 0], path_z[:, 1], "-", color="grey", lw=1, label="decoded path")
  if gap_z is not None:
    ax.plot(gap_z[:, 0], gap_z[:, 1], "*", color="tab:red", ms=9, label="decoded in the gap")
  fig.colorbar(sc, ax=ax, label="radius")
  ax.set(xlabel="z1", ylabel="z2", title=title)
  ax.legend(fontsize=7)
  ax.grid(alpha=.3)
  return save(fig, path)


def generation(path, path_shapes, path_q, title, lim):
  """Shapes decoded along the path through the codes, then their fitted radius and
  circularity error along it."""
  n_show = min(9, len(path_shapes))
  show = np.linspace(0, len(path_shapes) - 1, n_show).round().astype(int)
  fig = plt.figure(figsize=(13, 5.6))
  gs = fig.add_gridspec(2, n_show, height_ratios=[1, 1.5], hspace=0.45)
  ax = fig.add_subplot(gs[0, :])   # the shapes side by side in one axes, each in its box
  step = 2.6 * lim
  for k, i in enumerate(show):
    p = np.clip(_pts(path_shapes[i]), -lim, lim) + (k * step, 0)
    ax.plot(p[:, 0], p[:, 1], marker=".", ms=3, lw=1.0, color="black")
    ax.add_patch(plt.Rectangle((k * step - lim, -lim), 2 * lim, 2 * lim, fill=False, lw=0.8))
    ax.text(k * step, 1.08 * lim, f"r {path_q['radius'][i]:.2f}\ncirc "
            f"{100 * path_q['circularity'][i]:.1f}%", ha="center", va="bottom", fontsize=7)
  edge = 1.05 * lim   # the boxes' frames and edge points drawn whole
  ax.set(xlim=(-edge, (n_show - 1) * step + edge), ylim=(-edge, edge), aspect="equal")
  ax.set_axis_off()
  half = n_show // 2
  ax = fig.add_subplot(gs[1, :half])
  ax.plot(path_q["radius"], ".-")
  ax.set(xlabel="position along the path", ylabel="fitted radius")
  ax.grid(alpha=.3)
  ax = fig.add_subplot(gs[1, half + 1:])
  ax.plot(100 * np.asarray(path_q["circularity"]), ".-", color="tab:orange")
  ax.axhline(100 * OK, color="green", ls=":", label="5%")
  ax.set(xlabel="position along the path", ylabel="circularity error %")
  ax.legend(fontsize=7)
  ax.grid(alpha=.3)
  fig.suptitle(title, fontsize=10)
  return save(fig, path)


def grid(path, shapes, q, n, lo, hi, title, lim):
  """Shapes decoded on an n x n latent grid from lo to hi (rows from high z2 down), green
  when circular within 5%. One axes with a cell per shape (an axes per shape took 1.2 s a
  figure); a shape beyond the cell's [-lim, lim] box is flattened onto its edge."""
  step = 2.2 * lim   # a cell: the shape's box and a margin
  at = np.arange(n) * step
  lines = [np.clip(_pts(s), -lim, lim) + (at[k % n], -at[k // n]) for k, s in enumerate(shapes)]
  fig, ax = plt.subplots(figsize=(1.25 * n + 1, 1.25 * n + .8))
  ax.add_collection(LineCollection(lines, lw=1.0, colors=[
      "tab:green" if c <= OK else "tab:red" for c in q["circularity"]]))
  ax.set_xticks(at, [f"{lo[0] + (hi[0] - lo[0]) * c / max(n - 1, 1):.2g}" for c in range(n)],
                fontsize=7)
  ax.set_yticks(-at, [f"{hi[1] - (hi[1] - lo[1]) * r / max(n - 1, 1):.2g}" for r in range(n)],
                fontsize=7)
  edges = at - step / 2
  ax.set_xticks([*edges, edges[-1] + step], minor=True)   # the cells' frames
  ax.set_yticks([*-edges, -edges[-1] - step], minor=True)
  ax.grid(which="minor", color="0.8", lw=0.8)
  ax.tick_params(which="both", length=0)
  ax.set(xlim=(edges[0], edges[-1] + step), ylim=(-edges[-1] - step, -edges[0]), aspect="equal")
  ax.set_xlabel("z1", fontsize=9)
  ax.set_ylabel("z2", fontsize=9)
  ax.set_title(f"{title}\ngreen: circular within 5%; red: not", fontsize=10)
  return save(fig, path)


def holdout(path, shapes, q, band, title, lim):
  """Shapes decoded between the codes on either side of the held-out band."""
  n = len(shapes)
  fig, axes = plt.subplots(1, n + 1, figsize=(1.9 * (n + 1) + 1, 2.9),
                           gridspec_kw={"width_ratios": [1] * n + [2], "wspace": 0.5})
  for ax, shape, r, c in zip(axes, shapes, q["radius"], q["circularity"]):
    inside = band[0] <= r <= band[1] and c <= OK
    _shape(ax, shape, "tab:green" if inside else "tab:red")
    _frame(ax, lim)
    ax.set_title(f"r {r:.3f}\ncirc {100 * c:.1f}%", fontsize=7)
  ax = axes[-1]
  ax.axhspan(*band, color="green", alpha=.15, label=f"held-out band {band[0]}–{band[1]}")
  ax.plot(q["radius"], "o-")
  ax.set(xlabel="step across the gap", ylabel="fitted radius")
  ax.yaxis.tick_right()  # on the left the label would run into the last tile
  ax.yaxis.set_label_position("right")
  ax.legend(fontsize=7)
  fig.suptitle(title, fontsize=10)
  return save(fig, path)
