"""explorer.html: one self-contained page to explore a 2-D latent space in a browser.

The page (ae/web/: explorer.html, explorer.css and the SCRIPTS, package data) decodes in
JavaScript, from each shown seed's decoder weights, whatever point the pointer is on; nothing
is precomputed but the training codes and, for two seeds or more, each seed's similarity
transform into the consensus of the shown seeds' codes (ae/align.py), which the page's
"aligned" view draws every seed in. Everything is inlined: it opens from file:// with no
network.

  >>> import tempfile, pathlib, numpy as np
  >>> w = [{"w": np.ones((2, 3), np.float32), "b": np.zeros(3, np.float32)}]
  >>> seed = Seed(7, "best", decoder(w, [None], "sigmoid"), np.zeros((1, 2)))
  >>> path = pathlib.Path(tempfile.mkdtemp()) / "explorer.html"
  >>> _ = write(path, "demo", "glyphs", ["A"], np.ones((1, 3)), (1, 3), [seed])
  >>> "http://" in path.read_text() or "https://" in path.read_text()
  False
"""
import base64
import datetime
import importlib.resources
import json
import re
from typing import NamedTuple

import numpy as np

from ae import align, choices, report

DEFAULT_SEEDS = 16   # --explorer_seeds' default: the best, the median and the next ones
MAX_SEEDS = 256
KINDS = ("glyphs", "circles")
# ae/web/'s scripts, inlined in this order into one script element; each fills one part of
# the page's namespace LX (explorer.js last: the events and the start)
SCRIPTS = ("model.js", "draw.js", "state.js", "hash.js", "plane.js", "panels.js", "seeds.js",
           "take.js", "explorer.js")


class Seed(NamedTuple):
  """One seed's plane: its decoder, its training codes (n, 2) and, for a VAE, their
  posterior log-variances (n, 2)."""
  seed: int
  tag: str            # "best", "median" or ""
  decoder: dict       # from decoder(): layers and output squashing
  codes: np.ndarray
  logvar: np.ndarray = None
  note: str = ""      # how the seed did, for the seed menu ("worst glyph 0 px")


def decoder(layers, acts, output):
  """The page's decoder: layers [{w (in, out), b (out,)}], one activation name (or None) per
  layer, and the output squashing (sigmoid, tanh or linear)."""
  for a in acts:
    if a is not None and a not in choices.ACTIVATIONS:
      raise ValueError(f"the page has no activation {a!r}")
  if output not in ("sigmoid", "tanh", "linear"):
    raise ValueError(f"the page has no output {output!r}")
  return {"layers": [{"w": _floats(l["w"]), "b": _floats(l["b"]),
                      "n_in": int(np.shape(l["w"])[0]), "n_out": int(np.shape(l["w"])[1]),
                      "act": a} for l, a in zip(layers, acts)], "output": output}


def autoencoder_decoder(cfg, params_one):
  """An MLP autoencoder's decoder half (ae/autoencoder.py), one seed's params."""
  from ae import mlp  # pylint: disable=g-import-not-at-top  (JAX; the flags import this module)
  sizes = mlp.sizes_of(params_one)
  k = choices.latent_index(sizes)
  return decoder(params_one[k:], mlp.layer_activations(sizes, cfg.acts)[k:], choices.OUTPUT[cfg.loss])


def vae_decoder(cfg, params_one):
  """A VAE's decoder (ae/vae.py): hidden activations, then logits (Bernoulli) or means."""
  layers = params_one["dec"]
  return decoder(layers, [cfg.activation] * (len(layers) - 1) + [None],
                 "sigmoid" if cfg.likelihood == "bernoulli" else "linear")


def pick(metrics, limit=DEFAULT_SEEDS):
  """Seed indices to show: the best, the median (report.picks), then the other seeds that
  did not diverge in seed order, `limit` in all."""
  chosen, bad = report.picks(metrics, _first(metrics))
  rest = [i for i in range(len(metrics["per_seed"])) if i not in bad]
  return list(dict.fromkeys([*chosen.values(), *rest]))[:limit]


def tags(metrics):
  """{seed index: "best" / "median"} (report.picks, keyed by index)."""
  return {i: k for k, i in report.picks(metrics, _first(metrics))[0].items()}


def _first(metrics):
  rows = metrics["per_seed"]
  return rows[0]["seed"] if rows else 0


def write(path, title, kind, labels, x, shape, seeds, classes=None, prior=False,
          subtitle="", decode=None, band=None):
  """Writes the page. kind: glyphs (x: (n, d) pixels in [0, 1], shape (h, w)) or circles (x:
  (n, 2m) interleaved points, shape (m, 2)); labels: one per sample; classes: one per
  sample, for colours (default: the labels); prior: draw a VAE's N(0, I) circles; decode:
  the experiment whose `--load=<run> --decode=z1,z2 --decode_seed=s` decodes a point again
  (the page offers that command), or None; band: circles' held-out radii (lo, hi), or None."""
  if kind not in KINDS:
    raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
  x = np.asarray(x, np.float32)
  frames = transforms([np.asarray(s.codes)[:, :2] for s in seeds])
  payload = {
      "title": title, "subtitle": subtitle, "kind": kind, "shape": [int(v) for v in shape],
      "labels": [str(c) for c in labels],
      "classes": [str(c) for c in (labels if classes is None else classes)],
      "x": (_bits(x) if kind == "glyphs" else _floats(x)), "n": int(x.shape[0]),
      "d": int(x.shape[1]), "prior": bool(prior),
      "run": {"decode": decode, "written": datetime.datetime.now().isoformat(" ", "minutes")},
      "band": None if band is None else [float(band[0]), float(band[1])],
      "seeds": [{"seed": int(s.seed), "tag": s.tag, **s.decoder,
                 "codes": _floats(np.asarray(s.codes)[:, :2]),
                 "logvar": None if s.logvar is None else _floats(np.asarray(s.logvar)[:, :2]),
                 "align": frame, "note": s.note}
                for s, frame in zip(seeds, frames)],
  }
  page = _read("explorer.html")
  # </script> or <!-- inside the JSON would end or bend the script element: no "<" at all.
  data = json.dumps(payload, separators=(",", ":")).replace("<", "\\u003c")
  parts = {"STYLE": _read("explorer.css"), "SCRIPT": "\n".join(_read(f) for f in SCRIPTS),
           "DATA": data}
  page = re.sub(r"/\*(STYLE|SCRIPT|DATA)\*/", lambda m: parts[m.group(1)], page)  # one pass
  path.write_text(page, encoding="utf-8")
  return path


def transforms(codes):
  """Each seed's map into the consensus of the seeds' codes, w = scale * z @ rotation + shift
  (align.gpa), as the page reads it; all None unless every seed can be aligned (2 seeds or
  more, each with finite, distinct codes)."""
  try:
    a = align.gpa(np.stack(codes)) if len(codes) >= 2 else None
  except ValueError:
    a = None
  if a is None or len(a.dropped):
    return [None] * len(codes)
  return [{"scale": float(a.scale[i]), "rotation": a.rotation[i].tolist(),
           "shift": a.shift[i].tolist()} for i in range(len(codes))]


def _read(name):
  return importlib.resources.files("ae").joinpath("web", name).read_text(encoding="utf-8")


def _floats(a):
  """float32 little-endian bytes, base64: exact and a third the size of decimal text."""
  return base64.b64encode(np.ascontiguousarray(np.asarray(a, "<f4")).tobytes()).decode("ascii")


def _bits(x):
  """Pixels thresholded at 0.5 (as losses.nearest compares them), one '0'/'1' each."""
  return "".join("1" if v else "0" for v in (np.asarray(x) > 0.5).ravel())

