"""Arrays -> PNG files (matplotlib, Agg). Nothing here computes a model; nothing is shown.

Glyph sheets are drawn as one image (a mosaic of pixel tiles), never one axes per glyph, so a
figure costs the same for 32 glyphs or 10,000.
"""
import warnings

import matplotlib

matplotlib.use("Agg")
# Labels come from data files (a header's comments, an .npz's labels): text, never TeX, so a
# '$' or a backslash in one draws as itself instead of failing after training.
matplotlib.rcParams["text.parse_math"] = False
matplotlib.rcParams["text.usetex"] = False
import matplotlib.patheffects as pe  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from ae.plot_files import save, two_processes  # noqa: E402,F401  (every figure's file)


INK = "Greys"
MAX_TEXT = 64     # more points than this: coloured markers instead of one label each ...
MAX_CHARS = 128   # ... unless every label is short (a character, 'DEL'), readable to this many
OUTLINE = [pe.withStroke(linewidth=2.5, foreground="white")]  # labels readable on dark tiles
RED, GREEN = (0.85, 0.1, 0.1), (0.1, 0.55, 0.2)
PAIRWISE = 2048   # collapsed() compares every pair up to this many codes (32 MiB of distances)


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def power_of_ten(value, _=None):
  """A log axis's tick as text (TeX is off, see above): 0.01 -> '10⁻²', 3 -> '3'.

  >>> power_of_ten(0.01), power_of_ten(1000.0), power_of_ten(3.0)
  ('10⁻²', '10³', '3')
  """
  if value <= 0:
    return ""
  e = round(np.log10(value))
  if abs(value / 10.0 ** e - 1) < 1e-9:
    return "10" + str(e).translate(_SUPERSCRIPT)
  return f"{value:g}"


def log_scale(axis):
  """A log scale whose ticks read as powers of ten in plain text, minor ticks unlabelled
  (matplotlib's own labels are TeX, which parse_math = False would print raw)."""
  import matplotlib.ticker as ticker  # pylint: disable=g-import-not-at-top
  if axis is axis.axes.yaxis:
    axis.axes.set_yscale("log")
  else:
    axis.axes.set_xscale("log")
  axis.set_major_formatter(ticker.FuncFormatter(power_of_ten))
  axis.set_minor_formatter(ticker.NullFormatter())


def tiles(images, shape, cols, gap=1, colors=None, row_gap=None):
  """(n, h*w) intensities in [0, 1] -> one RGB mosaic (white gaps; row_gap pixels between
  rows, default gap), `cols` tiles a row, ink dark. colors: optional (n, h*w, 3) overriding
  pixels where not NaN."""
  images = np.asarray(images, float).reshape(-1, *shape)
  n, (h, w) = len(images), shape
  rg = gap if row_gap is None else row_gap
  rows = -(-n // cols)
  out = np.ones((rows * (h + rg) - rg, cols * (w + gap) - gap, 3))
  for k in range(n):
    r, c = divmod(k, cols)
    tile = np.repeat(1.0 - 0.88 * images[k][..., None], 3, -1) - 0.06  # blank pixels light grey
    if colors is not None:
      col = np.asarray(colors[k], float).reshape(h, w, 3)
      tile = np.where(np.isnan(col), tile, col)
    out[r * (h + rg):r * (h + rg) + h, c * (w + gap):c * (w + gap) + w] = tile
  return np.clip(out, 0, 1)


def pick(n, errors, limit=64, seed=0):
  """Indices to show when n is large: the worst half of `limit` by error, then a random
  sample of the rest; everything when n <= limit. Returns (indices, note)."""
  if n <= limit:
    return np.arange(n), ""
  worst = np.argsort(-np.asarray(errors), kind="stable")[:limit // 2]
  rest = np.setdiff1d(np.arange(n), worst)
  rnd = np.random.default_rng(seed).choice(rest, limit - len(worst), replace=False)
  return np.concatenate([worst, np.sort(rnd)]), (f" — the {len(worst)} worst of {n} and "
                                                 f"{len(rnd)} at random")


def labelled(labels):
  """Whether a plot of these labels draws each as text: up to MAX_TEXT, or MAX_CHARS when
  each is at most 3 characters (a glyph's character, or a name such as 'DEL')."""
  n = len(labels)
  return n <= MAX_TEXT or (n <= MAX_CHARS and all(len(c) <= 3 for c in labels))


def collapsed(z, share=0.01):
  """Codes (n, 2) that lie on another code (closer than `share` of the codes' span): glyphs
  the latent space does not tell apart. Returns their count."""
  z = np.asarray(z, float)
  span = max(np.ptp(z[:, 0]), np.ptp(z[:, 1]), 1e-12)
  if len(z) < 2:
    return 0
  if len(z) <= PAIRWISE:   # every pair at once: microseconds, where importing scipy takes 0.3 s
    d = np.hypot(*(z[:, None, :] - z[None, :, :]).transpose(2, 0, 1))
    np.fill_diagonal(d, np.inf)
    nearest = d.min(1)
  else:
    from scipy.spatial import cKDTree  # pylint: disable=g-import-not-at-top
    nearest = cKDTree(z).query(z, k=2)[0][:, 1]   # each code's nearest other: n log n
  return int((nearest < share * span).sum())


def latent_scatter(path, z, labels, title, classes=None):
  """Latent codes (n, 2): each drawn as its label (already display-ready) while `labelled`,
  else as points coloured by class (an .npz's labels) or by index, with a legend or colour
  bar. Codes that coincide are said so on the figure."""
  z = np.asarray(z)
  fig, ax = plt.subplots(figsize=(6.5, 6))
  if labelled(labels):
    big = len(z) <= MAX_TEXT
    colour = (plt.cm.tab20(np.arange(len(z)) % 20) if classes is None else
              plt.cm.tab20([sorted(set(classes), key=str).index(c) % 20 for c in classes]))
    ax.scatter(z[:, 0], z[:, 1], s=140 if big else 60, c=colour, alpha=.35)
    for (a, b), ch in zip(z, labels):
      if ch:
        ax.text(a, b, ch, ha="center", va="center", fontsize=11 if big else 7, weight="bold")
  elif classes is not None and len(set(classes)) <= 20:
    names = sorted(set(classes), key=str)
    for k, name in enumerate(names):
      at = np.asarray([c == name for c in classes])
      ax.scatter(z[at, 0], z[at, 1], s=8, color=plt.cm.tab20(k % 20), label=str(name))
    ax.legend(fontsize=7, markerscale=2, ncol=2, title="label", loc="best")
  else:
    sc = ax.scatter(z[:, 0], z[:, 1], s=6, c=np.arange(len(z)), cmap="viridis")
    fig.colorbar(sc, ax=ax, label="glyph index")
  pad = 0.08 * max(np.ptp(z[:, 0]), np.ptp(z[:, 1]), 1e-3)
  ax.set_xlim(z[:, 0].min() - pad, z[:, 0].max() + pad)
  ax.set_ylim(z[:, 1].min() - pad, z[:, 1].max() + pad)
  ax.set(xlabel="z1", ylabel="z2", title=title)
  stuck = collapsed(z)
  if stuck:
    ax.text(0.02, 0.02, f"{stuck} of {len(z)} codes lie on another code (within 1% of the "
            "span): those glyphs are not told apart", transform=ax.transAxes, fontsize=8,
            color=RED, va="bottom")
  ax.grid(alpha=.3)
  return save(fig, path)


def reconstructions(path, x, out, shape, labels, title, limit=64, baseline=None):
  """Per glyph: input | output (grey levels) | output above 0.5, wrong pixels in red; with
  `baseline` (outputs of the same glyphs by a baseline, e.g. PCA) a fourth tile, its output
  above 0.5 with its wrong pixels in red. At most `limit` glyphs (the worst, then a random
  sample, as the title says)."""
  x, out = np.asarray(x), np.asarray(out)
  wrong = (out > .5) != (x > .5)
  base_wrong = None if baseline is None else (np.asarray(baseline) > .5) != (x > .5)
  per = 3 if baseline is None else 4
  idx, note = pick(len(x), wrong.sum(1), limit)
  cols = min(8, len(idx))
  tiles_, colors = [], []
  nan = np.full(x.shape[1:] + (3,), np.nan)
  for i in idx:
    tiles_ += [x[i], out[i], (out[i] > .5).astype(float)]
    colors += [nan, nan, np.where(wrong[i][:, None], RED, np.nan)]
    if baseline is not None:
      tiles_.append((np.asarray(baseline[i]) > .5).astype(float))
      colors.append(np.where(base_wrong[i][:, None], RED, np.nan))
  h, w = shape
  rg = max(3, h // 2)  # room for each glyph's label above its tiles
  mosaic = np.concatenate([np.ones((rg, per * cols * (w + 1) - 1, 3)),
                           tiles(tiles_, shape, per * cols, colors=colors, row_gap=rg)])
  scale = 0.22 * 5 / max(w, 5)  # inches per pixel column
  fig, ax = plt.subplots(figsize=(min(16, scale * mosaic.shape[1] + .5),
                                  scale * mosaic.shape[0] + .6))
  ax.imshow(mosaic, interpolation="nearest")
  for k, i in enumerate(idx):
    r, c = divmod(k, cols)
    err = int(wrong[i].sum())
    text = f"{labels[i][:10]} {err}px"
    if baseline is not None:
      text += f", PCA {int(base_wrong[i].sum())}"
    ax.text(c * per * (w + 1) + per / 2 * w, rg + r * (h + rg) - 0.8, text,
            ha="center", va="bottom", fontsize=7, color=RED if err else GREEN)
  for c in range(1, cols):
    ax.axvline(c * per * (w + 1) - 1, color="black", lw=0.8)
  ax.set_axis_off()
  ax.set_title(f"{title}{note}", fontsize=9, pad=10)
  return save(fig, path)


PIXEL_PANELS = (("loss", "loss (full batch)", True, None),
                ("max_pixel_error", "wrong pixels on the worst glyph", False,
                 (1, "1 wrong pixel (the course's goal)")))


def curves(path, steps, history, highlight, title, diverged=(), panels=PIXEL_PANELS):
  """History curves over the steps, one panel per (key, y label, log scale, (y, label) of a
  reference line or None): every seed faint, the median (of the seeds that did not diverge,
  when there are several) bold, highlighted seeds in colour, diverged seeds dashed red.
  history: dict of (seeds, T); highlight: {label: seed index}."""
  steps = np.asarray(steps)
  panels = [p for p in panels if p[0] in history]
  fig, axes = plt.subplots(1, len(panels), figsize=(5.5 * len(panels), 4), squeeze=False)
  bad = np.zeros(len(history["loss"]), bool)
  bad[list(diverged)] = True
  for ax, (key, ylabel, log, ref) in zip(axes[0], panels):
    h = np.asarray(history[key], dtype=float)
    for i, row in enumerate(h):
      ax.plot(steps, row, color="tab:red" if bad[i] else "grey", ls="--" if bad[i] else "-",
              alpha=.6 if bad[i] else .25, lw=.8,
              label="diverged seed" if bad[i] and i == np.flatnonzero(bad)[0] else None)
    if (~bad).sum() > 1:
      with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        med = np.nanmedian(h[~bad], axis=0)
      ax.plot(steps, med, color="black", lw=2.2, label="median over seeds")
    for (label, i), color in zip(highlight.items(), ("tab:blue", "tab:orange")):
      ax.plot(steps, h[i], color=color, lw=1.4, label=label)
    if "solver" in history and np.any(history["solver"]):
      at = np.asarray(history["solver"])[0] > 0  # after a solver call: same step, a drop
      ax.plot(steps[at], h[~bad][:, at].mean(0) if (~bad).any() else h[:, at].mean(0), "v",
              color="tab:red", ms=4, label="after a solver call")
    if ref is not None:
      ax.axhline(ref[0], color="green", ls=":", lw=1, label=ref[1])
    if log:
      log_scale(ax.yaxis)
    else:
      ax.set_ylim(bottom=-0.2)
    ax.set(xlabel="optimizer step", ylabel=ylabel)
    ax.grid(alpha=.3)
    ax.legend(fontsize=7)
  fig.suptitle(title)
  return save(fig, path)


def manifold(path, decoded, shape, lo, hi, z=None, labels=None, title=""):
  """A decoded g x g latent grid (row-major from the top-left (lo, hi)) as one mosaic, the
  training codes on top (labels when <= 64, else points)."""
  decoded = np.asarray(decoded)
  g = int(round(np.sqrt(len(decoded))))
  mosaic = tiles(decoded, shape, g)
  fig, ax = plt.subplots(figsize=(7.5, 7.5 * mosaic.shape[0] / mosaic.shape[1]))
  ax.imshow(mosaic, interpolation="nearest", extent=(lo[0], hi[0], lo[1], hi[1]),
            aspect="auto")
  if z is not None:
    z = np.asarray(z)
    if labelled(labels):
      for (a, b), ch in zip(z, labels):
        if ch:
          ax.text(a, b, ch, color="tab:red", fontsize=9 if len(z) <= MAX_TEXT else 6,
                  weight="bold", ha="center",
                  va="center", path_effects=OUTLINE)
    else:
      ax.scatter(z[:, 0], z[:, 1], s=4, color="tab:red", alpha=.5, label="training codes")
      ax.legend(fontsize=7, loc="upper right")
  ax.set(xlabel="z1", ylabel="z2", title=title)
  return save(fig, path)


def new_letters(path, points, decoded, nearest, shape, labels, title):
  """Each decoded latent point above its nearest training glyph and their Hamming distance;
  a decoding identical to a training glyph is marked as a copy, not a new letter.
  nearest: list of (index into the training glyphs, their pixels, distance). One image of
  both rows, wide gaps holding each tile's caption."""
  n, (h, w) = len(points), shape
  gap, rg = max(2, 2 * w // 5), max(2, h // 3)   # white between the tiles: the captions' room
  sheet = tiles([*decoded, *(ref for _, ref, _ in nearest)], shape, n, gap=gap, row_gap=rg)
  mosaic = np.concatenate([np.ones((rg, sheet.shape[1], 3)), sheet])
  width = 1.45 * n + .6
  fig, ax = plt.subplots(figsize=(width, max(2.2, width * mosaic.shape[0] / mosaic.shape[1])))
  ax.imshow(mosaic, interpolation="nearest")
  for k, (pt, (j, _, d)) in enumerate(zip(points, nearest)):
    x = k * (w + gap) + (w - 1) / 2
    ax.text(x, rg - 0.8, f"z=({pt[0]:.2g}, {pt[1]:.2g})", ha="center", va="bottom",
            fontsize=8)
    ax.text(x, 2 * rg + h - 0.8, f'"{labels[j]}", {d} px apart' if d else   # quoted: a
            f'a copy of "{labels[j]}"', ha="center", va="bottom", fontsize=8,  # label may be ","
            color=GREEN if d else RED)
  ax.set_xticks([])
  ax.set_yticks([rg + (h - 1) / 2, 2 * rg + h + (h - 1) / 2], ["decoded", "nearest glyph"],
                fontsize=9)
  ax.tick_params(length=0)
  for spine in ax.spines.values():
    spine.set_visible(False)
  ax.set_title(f"{title}\ngreen: a new glyph (its distance to the nearest training glyph); "
               "red: a copy of a training glyph", fontsize=9)
  return save(fig, path)
