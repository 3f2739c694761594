"""What aligning the seeds costs (issue 40): align.gpa alone and a run's whole latent_stability
(experiments/consensus.measure: GPA, the neighbours' Jaccard, the bootstrap interval and the
shuffled null) at 1,024 seeds x 96 glyphs; and the size of an explorer page of 16 seeds on the
largest built-in data (scikit-learn's 1,797 digits, 64 pixels each) and on font2. Medians of 5.

  python -m bench.align        # ~20 s
"""
import pathlib
import tempfile

import jax
import numpy as np

from ae import align, autoencoder, data, explorer, train
from ae.autoencoder import AEConfig
from bench import median_seconds, write_digits
from experiments import consensus


def seeds_of_one_map(seeds, n, noise=0.3, seed=0):
  """`seeds` noisy similarity transforms (reflections among them) of one map of n glyphs."""
  rng = np.random.default_rng(seed)
  base = rng.normal(size=(n, 2))
  out = []
  for _ in range(seeds):
    q, _ = np.linalg.qr(rng.normal(size=(2, 2)))   # a rotation or a reflection
    out.append((base + noise * rng.normal(size=(n, 2))) @ q * rng.uniform(0.5, 2)
               + rng.normal(size=2))
  return np.stack(out)


def page_bytes(name, seeds=16):
  """The explorer page of `seeds` seeds of the default autoencoder on dataset `name` (a
  font, or digits: bench.write_digits's .npz)."""
  tmp = pathlib.Path(tempfile.mkdtemp())
  if name == "digits":
    write_digits(tmp / "digits.npz")
    name = str(tmp / "digits.npz")
  g = data.DataConfig(dataset=name).load()
  model = AEConfig(arch=(g.x.shape[1], 64, 32, 2, 32, 64, g.x.shape[1]))
  params = jax.tree.map(lambda *a: np.stack(a), *[
      autoencoder.init(model, jax.random.PRNGKey(s)) for s in range(seeds)])
  shown = []
  for s in range(seeds):
    p = train.seed_params(params, s)
    shown.append(explorer.Seed(s, "", explorer.autoencoder_decoder(model, p),
                               np.asarray(autoencoder.encode(model, p, g.x))))
  path = tmp / "explorer.html"
  explorer.write(path, g.title, "glyphs", g.shown, g.x, g.shape, shown, g.classes)
  return len(g), path.stat().st_size


def main():
  codes = seeds_of_one_map(1024, 96)
  labels = [str(i) for i in range(96)]
  rows = [("align.gpa, 1,024 seeds x 96 glyphs", median_seconds(lambda: align.gpa(codes))),
          ("latent_stability (GPA, Jaccard, interval, null), 1,024 x 96", median_seconds(
              lambda: consensus.measure(codes, [False] * 1024, range(1024), labels)))]
  print("| what | median of 5 |\n|---|---|")
  for what, s in rows:
    print(f"| {what} | {s:.3f} s |")
  print("\n| explorer page, 16 seeds | samples | size |\n|---|---|---|")
  for name in ("font2", "digits"):
    n, size = page_bytes(name)
    print(f"| {name} | {n} | {size / 1e6:.2f} MB |")   # the goal: under 2 MB


if __name__ == "__main__":
  main()
