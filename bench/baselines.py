"""What the baselines (ae/baselines.py) cost a run: each experiment's baseline computation, and
the reconstruction figure with and without its PCA column, against the whole default latent2d
command's wall time; the ring images' baselines (their distances to the manifold and the
band's coverage) against the rings command of docs/circles.md. All in this one process (medians of 5).

  python -m bench.baselines        # ~30 s
"""
import pathlib
import subprocess
import sys
import tempfile
import time

import matplotlib
import numpy as np

matplotlib.use("Agg")

from ae import (baselines, circles_data, data,  # noqa: E402  pylint: disable=g-import-not-at-top
                plotting)
from bench import median_seconds  # noqa: E402  pylint: disable=g-import-not-at-top
from experiments import circles, vae, vae_report  # noqa: E402  pylint: disable=g-import-not-at-top


def main():
  g = data.DataConfig(dataset="font2").load()
  cc = circles.Config(data=circles_data.CirclesConfig(holdout="0.4:0.6"))
  x, radii, _, keep = circles.make_data(cc)
  vc = vae.Config()
  d = vae.load(vc)
  out = np.random.default_rng(0).random(g.x.shape)
  tmp = pathlib.Path(tempfile.mkdtemp())
  pca_out = baselines.reconstruct(baselines.pca(g.x, 2), g.x)
  rows = {
      "latent2d: PCA-2 of font2": lambda: baselines.glyphs(g.x, 2),
      "circles: PCA-1 and PCA-2 with the held-out band": lambda: [
          circles.baseline(cc, x, radii, keep, k) for k in (1, 2)],
      "vae: PCA-2 and its 15x15 grid's coverage": lambda: vae_report.pca_baseline(vc, d),
      "reconstruction figure, no PCA column": lambda: plotting.reconstructions(
          tmp / "a.png", g.x, out, g.shape, list(g.chars), "t"),
      "reconstruction figure, with the PCA column": lambda: plotting.reconstructions(
          tmp / "b.png", g.x, out, g.shape, list(g.chars), "t", baseline=pca_out),
  }
  rc = circles.Config(data=circles_data.CirclesConfig(render="image", holdout="0.45:0.6"))
  rc = circles.resolved(rc)
  rx, rr, _, rkeep = circles.make_data(rc)
  ring_row = {"circles --render=image: PCA-1 and PCA-2, distances and coverage": lambda: [
      circles.baseline(rc, rx, rr, rkeep, k) for k in (1, 2)]}
  times = {k: median_seconds(f) for k, f in rows.items()}
  ring_time = {k: median_seconds(f) for k, f in ring_row.items()}
  wall = _wall(["latent2d", "--eta=0.0085"], tmp)
  ring_wall = _wall(["circles", "--render=image", "--loss=bce", "--holdout=0.45:0.6",
                     "--iterations=3000"], tmp)
  print("| what | seconds | share of its run |")
  print("|---|---|---|")
  for k, s in times.items():
    print(f"| {k} | {s:.4f} | {100 * s / wall:.2f}% of latent2d's {wall:.2f} s |")
  for k, s in ring_time.items():
    print(f"| {k} | {s:.4f} | {100 * s / ring_wall:.2f}% of the rings command's "
          f"{ring_wall:.2f} s |")


def _wall(args, out_dir):
  """Seconds of one whole command (a fresh process), its compile cache off."""
  t = time.perf_counter()
  subprocess.run([sys.executable, "-m", f"experiments.{args[0]}", *args[1:],
                  f"--out_dir={out_dir}", "--cache_dir=none"], check=True, capture_output=True)
  return time.perf_counter() - t


if __name__ == "__main__":
  main()
