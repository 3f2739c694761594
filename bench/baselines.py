"""What the baselines (ae/baselines.py) cost a run: each experiment's baseline computation, and
the reconstruction figure with and without its PCA column, against the whole default latent2d
command's wall time, all measured in this one process (medians of 5).

  python -m bench.baselines        # ~30 s
"""
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

import matplotlib
import numpy as np

matplotlib.use("Agg")

from ae import baselines, data, plotting  # noqa: E402  pylint: disable=g-import-not-at-top
from experiments import circles, vae, vae_report  # noqa: E402  pylint: disable=g-import-not-at-top


def median_seconds(f, n=5):
  times = []
  for _ in range(n):
    t = time.perf_counter()
    f()
    times.append(time.perf_counter() - t)
  return statistics.median(times)


def main():
  g = data.DataConfig(dataset="font2").load()
  cc = circles.Config(data=data.CirclesConfig(holdout="0.4:0.6"))
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
  times = {k: median_seconds(f) for k, f in rows.items()}
  t = time.perf_counter()
  subprocess.run([sys.executable, "-m", "experiments.latent2d", "--eta=0.0085",
                  f"--out_dir={tmp}"], check=True, capture_output=True)
  wall = time.perf_counter() - t
  print(f"| what | seconds | share of the default latent2d command ({wall:.2f} s) |")
  print("|---|---|---|")
  for k, s in times.items():
    print(f"| {k} | {s:.4f} | {100 * s / wall:.2f}% |")


if __name__ == "__main__":
  main()
