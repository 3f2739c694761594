"""Arrays -> PNG files (matplotlib, Agg). Nothing here computes a model; nothing is shown."""
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from ae.data import display  # noqa: E402

INK = "Greys"


def _save(fig, path):
  fig.savefig(path, dpi=110, bbox_inches="tight")
  plt.close(fig)
  return path


def _tile(ax, img, shape, title=None, wrong=None, color=None):
  """One glyph as an h x w pixel tile; `wrong` (h*w bools) outlined in red."""
  ax.imshow(np.asarray(img).reshape(shape), cmap=INK, vmin=0, vmax=1, interpolation="nearest")
  if wrong is not None:
    for r, c in zip(*np.nonzero(np.asarray(wrong).reshape(shape))):
      ax.add_patch(plt.Rectangle((c - .5, r - .5), 1, 1, fill=False, ec="red", lw=1.5))
  ax.set_xticks([])
  ax.set_yticks([])
  if title is not None:
    ax.set_title(title, fontsize=8, color=color or "black", pad=2)


def latent_scatter(path, z, chars, title):
  """Latent codes (n, 2), each drawn as its glyph's character."""
  z = np.asarray(z)
  fig, ax = plt.subplots(figsize=(6, 6))
  ax.scatter(z[:, 0], z[:, 1], s=140, c=np.arange(len(z)), cmap="tab20", alpha=.35)
  for (a, b), ch in zip(z, chars):
    ax.text(a, b, display(ch), ha="center", va="center", fontsize=11, weight="bold")
  pad = 0.08 * max(np.ptp(z[:, 0]), np.ptp(z[:, 1]), 1e-3)
  ax.set_xlim(z[:, 0].min() - pad, z[:, 0].max() + pad)
  ax.set_ylim(z[:, 1].min() - pad, z[:, 1].max() + pad)
  ax.set_xlabel("z1")
  ax.set_ylabel("z2")
  ax.set_title(title)
  ax.grid(alpha=.3)
  return _save(fig, path)


def reconstructions(path, x, out, shape, chars, title, cols=8):
  """For every glyph: input | output (grey levels) | thresholded output, wrong pixels in red."""
  x, out = np.asarray(x), np.asarray(out)
  n = len(x)
  rows = -(-n // cols)
  fig, axes = plt.subplots(rows, 3 * cols, figsize=(1.35 * cols * 1.2, 1.0 * rows * 1.15),
                           squeeze=False)
  for ax in axes.flat:
    ax.axis("off")
  for i in range(n):
    r, c = divmod(i, cols)
    wrong = (out[i] > .5) != (x[i] > .5)
    k = int(wrong.sum())
    _tile(axes[r, 3 * c], x[i], shape, repr(display(chars[i])))
    _tile(axes[r, 3 * c + 1], out[i], shape, "out")
    _tile(axes[r, 3 * c + 2], out[i] > .5, shape, f"{k} px", wrong, "red" if k else "green")
    for j in range(3):
      axes[r, 3 * c + j].axis("on")
  fig.suptitle(title)
  return _save(fig, path)


def curves(path, steps, history, highlight, title):
  """Loss and max pixel error over steps: every seed faint, the median bold, highlighted seeds.

  history: dict of (seeds, T) arrays; highlight: {label: seed index}.
  """
  steps = np.asarray(steps)
  fig, axes = plt.subplots(1, 2, figsize=(11, 4))
  for ax, key, log in ((axes[0], "loss", True), (axes[1], "max_pixel_error", False)):
    h = np.asarray(history[key], dtype=float)
    for row in h:
      ax.plot(steps, row, color="grey", alpha=.25, lw=.8)
    with warnings.catch_warnings():  # every seed diverged: an all-NaN median is the honest line
      warnings.simplefilter("ignore", RuntimeWarning)
      med = np.nanmedian(h, axis=0)
    ax.plot(steps, med, color="black", lw=2.2, label="median over seeds")
    for (label, i), color in zip(highlight.items(), ("tab:blue", "tab:orange")):
      ax.plot(steps, h[i], color=color, lw=1.4, label=label)
    if "solver" in history and np.any(history["solver"]):
      # an entry right after a solver call shares its step with the one before: a vertical drop
      at = np.asarray(history["solver"])[0] > 0
      ax.plot(steps[at], med[at], "v", color="tab:red", ms=4, label="after a solver call")
    if log:
      ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel(key.replace("_", " "))
    ax.grid(alpha=.3)
  axes[1].axhline(1, color="green", ls=":", lw=1)
  axes[1].set_ylim(bottom=-0.2)
  axes[0].legend(fontsize=8)
  fig.suptitle(title)
  return _save(fig, path)


def manifold(path, decoded, shape, lo, hi, z=None, chars=None, title=""):
  """Decoded n x n latent grid (row-major from top-left = (lo, hi)) as one mosaic image,
  with the training glyphs' latent codes overlaid."""
  decoded = np.asarray(decoded)
  g = int(round(np.sqrt(len(decoded))))
  h, w = shape
  # White gutters between tiles; a tile's blank pixels light grey, so every tile reads as a box.
  mosaic = np.zeros((g * (h + 1) - 1, g * (w + 1) - 1))
  for k, img in enumerate(decoded):
    r, c = divmod(k, g)
    mosaic[r * (h + 1):r * (h + 1) + h, c * (w + 1):c * (w + 1) + w] = 0.12 + 0.88 * img.reshape(shape)
  fig, ax = plt.subplots(figsize=(7.5, 7.5 * mosaic.shape[0] / mosaic.shape[1]))
  ax.imshow(mosaic, cmap=INK, vmin=0, vmax=1, interpolation="nearest",
            extent=(lo, hi, lo, hi))
  if z is not None:
    for (a, b), ch in zip(np.asarray(z), chars):
      ax.text(a, b, display(ch), color="tab:red", fontsize=9, weight="bold", ha="center",
              va="center", alpha=.8)
  ax.set_xlabel("z1")
  ax.set_ylabel("z2")
  ax.set_title(title)
  return _save(fig, path)


def new_letters(path, points, decoded, nearest, shape, chars, title):
  """Each decoded latent point beside its nearest training glyph and their Hamming distance.

  nearest: list of (index into the training glyphs, their pixels, distance)."""
  n = len(points)
  fig, axes = plt.subplots(2, n, figsize=(1.5 * n + .5, 3.6), squeeze=False)
  for k, (pt, img, (j, ref, d)) in enumerate(zip(points, decoded, nearest)):
    _tile(axes[0, k], np.asarray(img) > .5, shape, f"z=({pt[0]:.2f}, {pt[1]:.2f})")
    _tile(axes[1, k], ref, shape, f"nearest {display(chars[j])!r}\n{d} px apart",
          color="green" if d else "red")
  axes[0, 0].set_ylabel("decoded", fontsize=9)
  axes[1, 0].set_ylabel("training glyph", fontsize=9)
  fig.suptitle(title)
  return _save(fig, path)
