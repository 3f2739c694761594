"""circles: the original study's generative experiment, an autoencoder that draws new circles.

  python -m experiments.circles                        # the original's set-up, 4 seeds
  python -m experiments.circles --holdout=0.4:0.6      # generalisation: generate in a gap
  python -m experiments.circles --original_radians     # the original's scrambled set
  python -m experiments.circles --angle_jitter=180     # a random phase per circle
  python -m experiments.circles --render=image --loss=bce --holdout=0.45:0.6 --iterations=3000
                                                       # rings as 16x16 images: curved data

100 circles centred at the origin, radii evenly from 0.1 to 0.9, 21 points each (x and y
interleaved: 42 inputs), architecture 42-25-15-9-3-2-3-9-15-25-42, 1000 iterations from eta
0.01, as in the original. What differs, and why: Adam with a cosine-decayed step (their plain
gradient descent had a broken backprop), mean squared error on linear outputs (coordinates are
continuous), a linear 2-D latent layer (tanh codes crowd into the corners), and angles in
degrees (theirs passed degrees to cos/sin as radians; --original_radians reproduces that).

The original's set is exactly linear (every circle is its radius times one fixed vector), so
PCA-1 reconstructs and "generates" it perfectly; --render=image draws each circle as a ring
image instead, a curved manifold, and measures every decode's distance to the nearest true
ring. Its --arch defaults to pixels-128-32-2-32-128-pixels (the 42-input net cannot fit);
--loss=bce (sigmoid outputs, cross-entropy) is measured better on rings than mse.
"""
if __name__ == "__main__":  # as a program: a signal during the imports below ends it cleanly
  from experiments import startup
  startup.begin()

import dataclasses

import numpy as np

from ae import InputError, baselines, circles, circles_data, rings
from ae.config import TrainConfig
from ae.circles_data import CirclesConfig
from ae.fields import field
from ae.models import AEConfig
from experiments import entry, explorer_pages

NAME = "circles"
E = "experiment"


@dataclasses.dataclass(frozen=True)
class Config:
  data: CirclesConfig = CirclesConfig()
  model: AEConfig = AEConfig(arch=(42, 25, 15, 9, 3, 2, 3, 9, 15, 25, 42), loss="mse")
  train: TrainConfig = TrainConfig(eta=0.01, iterations=1000, seeds=4)
  path_points: int = field(41, "Latent points decoded along the path through the codes.", E)
  grid: int = field(7, "The generation figure decodes a grid x grid box of latent points.", E)
  explorer_seeds: int = explorer_pages.seeds_field()


COVERAGE_GRID = 48   # latent points per side searched for the band's rings (--render=image)
IMAGE_ARCH = (128, 32, 2, 32, 128)   # the hidden layers for ring images (measured: BUILD_NOTES)


def resolved(config):
  """The config a run trains: with --render=image and --arch left at the points' 42 inputs
  (which cannot fit an image), pixels-128-32-2-32-128-pixels. The loss stays as given."""
  d = config.data
  if d.render != "image" or config.model.arch != Config().model.arch:
    return config
  pixels = d.image_size ** 2
  model = dataclasses.replace(config.model, arch=(pixels, *IMAGE_ARCH, pixels))
  return dataclasses.replace(config, model=model)


def manifold_range(cfg):
  """The radii of the true rings a decode is compared with: every radius the set could have
  and a margin beyond (a decode past the largest is still measured, not clipped)."""
  return 0.0, 1.5 * cfg.radius_max


def measure(config):
  """shapes -> their quality: circles.quality (radius, circularity) for points,
  rings.quality (radius, distance to the manifold) for images."""
  d = config.data
  if d.render == "image":
    return lambda images: rings.quality(images, d.image_size, *manifold_range(d))
  return circles.quality


def make_data(config):
  """(x, radii, centres, train mask) of the run's circles (one fixed draw for every seed)."""
  import jax  # pylint: disable=g-import-not-at-top  (JAX: see entry.py)
  x, radii, centres = circles_data.circles(jax.random.PRNGKey(0), config.data)
  band = config.data.band()
  keep = np.ones(len(x), bool) if band is None else ~((radii >= band[0]) & (radii <= band[1]))
  return x, radii, centres, keep


def prepare(config, saved=None, loaded_from=None):
  """The run as a runner.Job (saved: a loaded run's data, which must be the circles its
  config describes); InputError before any work."""
  from ae import autoencoder, train  # pylint: disable=g-import-not-at-top  (JAX: see entry.py)
  from experiments import circles_report, runner  # pylint: disable=g-import-not-at-top
  config.data.check()
  config = resolved(config)
  explorer_pages.check(config)
  if not 3 <= config.path_points <= 1000 or not 2 <= config.grid <= 20:
    raise InputError("--path_points must be in 3..1000 and --grid in 2..20")
  image = config.data.render == "image"
  if image and config.model.arch[0] != config.data.image_size ** 2:
    n = config.data.image_size ** 2
    raise InputError(f"--render=image draws {n} pixels, --arch takes {config.model.arch[0]}: "
                     f"give --arch={n},{','.join(map(str, IMAGE_ARCH))},{n} (the default "
                     "when --arch is not given)")
  config.model.check(config.data.image_size ** 2 if image else 2 * config.data.points)
  if not image and config.model.loss != "mse":
    raise InputError(f"--loss={config.model.loss} squashes the outputs into [0, 1]; the "
                     "circles' coordinates run from -0.9 to 0.9: use --loss=mse")
  if config.model.latent_dim != 2:
    raise InputError(f"circles draws a 2-D latent space; --arch has {config.model.latent_dim}")
  x, radii, centres, keep = make_data(config)
  if saved is not None:
    runner.check_regenerated(saved[0], {"x": x, "radii": radii, "centres": centres,
                                          "train": keep}, f"{loaded_from}/data.npz", "circles")

  def evaluate(fit):
    gens = [generation(config, train.seed_params(fit.params, i), x, radii, keep)
            for i in range(config.train.seeds)]
    out = circles_report.metrics(config, x, radii, keep, fit, gens)
    pca = {k: baseline(config, x, radii, keep, k) for k in (1, 2)}
    out["baselines"] = {f"pca{k}": row for k, (row, _) in pca.items()}
    out["baselines"]["data_rank"] = baselines.rank(x[keep])
    return out, (gens, pca[2][1])

  def figures(run_dir, fit, metrics, extra):
    from experiments import circles_figures  # pylint: disable=g-import-not-at-top  (drawing.py)
    circles_figures.figures(run_dir, config, x, radii, keep, fit, extra, metrics)

  held = "" if config.data.holdout is None else f", radii {config.data.holdout} held out"
  d = config.data
  what = (f"{d.image_size}x{d.image_size} ring images" if image else f"circles of {d.points} "
          "points")
  shape = (d.image_size, d.image_size) if image else (d.points, 2)
  return runner.Job(
      name=NAME, config=config, what=f"{int(keep.sum())} {what}{held}",
      arch=config.model.arch, task=autoencoder.task(config.model, grey=image),
      data={"x": x[keep]},
      saved=({"x": x, "radii": radii, "centres": centres, "train": keep},
             [f"{r:.4f}" for r in radii], {"name": "circles", "shape": list(shape)}),
      floats_per_sample=sum(config.model.arch), evaluate=evaluate,
      figures=figures,
      summary=lambda metrics: circles_report.print_summary(config, metrics),
      explorer=lambda run_dir, fit, metrics, extra: explorer_pages.autoencoder_page(
          run_dir, config, fit.params, metrics, circle_data(x, radii, keep, config)))


def circle_data(x, radii, keep, config):
  """The explorer page's samples: the training circles (or ring images), labelled by radius."""
  from experiments import circles_report  # pylint: disable=g-import-not-at-top  (JAX: see entry.py)
  held = "" if config.data.holdout is None else f" (radii {config.data.holdout} held out)"
  d = config.data
  if d.render == "image":   # drawn as pixel tiles, as glyphs are
    return {"kind": "glyphs", "labels": circles_report.labels(radii[keep]), "x": x[keep],
            "shape": (d.image_size, d.image_size), "title": f"ring images{held}"}
  return {"kind": "circles", "labels": circles_report.labels(radii[keep]), "x": x[keep],
          "shape": (d.points, 2), "title": f"circles{held}", "band": d.band()}


def generation(config, p, x, radii, keep):
  """One seed's generation numbers (generated())."""
  from ae import autoencoder  # pylint: disable=g-import-not-at-top  (JAX: see entry.py)
  m = config.model
  return generated(config, lambda a: np.asarray(autoencoder.encode(m, p, a)),
                   lambda z: np.asarray(autoencoder.decode(m, p, z)), x, radii, keep)


def baseline(config, x, radii, keep, k):
  """PCA-k fitted on the training circles, measured as a seed is: (its row: reconstruction
  RMSE on the training and held-out circles and its generation numbers; its generated())."""
  from experiments import circles_report  # pylint: disable=g-import-not-at-top  (JAX: see entry.py)
  fitted = baselines.pca(x[keep], k)
  g = generated(config, lambda a: baselines.encode(fitted, a),
                lambda z: baselines.decode(fitted, z), x, radii, keep)
  rmse = lambda a: float(np.sqrt(np.mean((baselines.reconstruct(fitted, a) - a) ** 2)))
  row = {"components": k, "fitted_on": "the training circles", "recon_rmse": rmse(x[keep])}
  if (~keep).any():
    row["heldout_recon_rmse"] = rmse(x[~keep])
  row.update({key: g[key] for key in circles_report.GEN_KEYS if key in g})
  return row, g


def generated(config, encode, decode, x, radii, keep):
  """A model's generation numbers, from its encode and decode: the path through the training
  codes (in radius order) and, with --holdout, the points between the codes on either side
  of the band. Each decode's shape error is its circularity (points) or its distance to the
  true rings (images): circles_report.shape_error."""
  from experiments import circles_report  # pylint: disable=g-import-not-at-top  (JAX: see entry.py)
  quality, err = measure(config), circles_report.shape_error(config)
  z = encode(x)
  order = np.flatnonzero(keep)[np.argsort(radii[keep])]
  zp = circles.path(z[order], config.path_points)
  path_x = decode(zp)
  q = quality(path_x)
  out = {"z": z, "path_z": zp, "path_x": path_x, "path": q,
         f"path_{err}_max": float(np.max(q[err])),
         "path_radius_monotonic": circles.monotonic(q["radius"]),
         "path_radius_range": [float(q["radius"].min()), float(q["radius"].max())],
         "path_radius_max_step": float(np.max(np.abs(np.diff(q["radius"]))))}
  if err == "distance":
    rec = quality(decode(z[keep]))
    out["recon_distance_max"] = float(np.max(rec["distance"]))
  band = config.data.band()
  if band is not None:
    below = order[radii[order] < band[0]][-1]
    above = order[radii[order] > band[1]][0]
    zg, t = circles.between(z[below], z[above], 9)
    gap_x = decode(zg)
    qg = quality(gap_x)
    target = radii[below] + t * (radii[above] - radii[below])
    out.update(gap_z=zg, gap_x=gap_x, gap=qg, holdout_radius_error=float(np.mean(np.abs(
        qg["radius"] - target))), holdout_inside=float(np.mean((qg["radius"] >= band[0]) &
                                                               (qg["radius"] <= band[1]))))
    out[f"holdout_{err}_max"] = float(np.max(qg[err]))
    if err == "distance":   # can the model draw the band's rings anywhere in its latent box?
      qc = quality(decode(latent_box(z[keep])))
      out["band_coverage"] = rings.coverage(qc["radius"], qc["distance"], band)
  return out


def latent_box(z):
  """COVERAGE_GRID**2 latent points over the codes' box widened by a quarter of its span: a
  grid in 2-D, evenly along the line in 1-D (PCA-1)."""
  if z.shape[1] == 2:
    from ae import autoencoder  # pylint: disable=g-import-not-at-top  (JAX: see entry.py)
    return np.asarray(autoencoder.latent_grid(z, COVERAGE_GRID, margin=0.25)[0])
  lo, hi = z.min(0), z.max(0)
  return np.linspace(lo - 0.25 * (hi - lo), hi + 0.25 * (hi - lo), COVERAGE_GRID ** 2)


def run(config, run_dir, progress=None, should_stop=None):
  """Trains config.train.seeds autoencoders on the circles and writes the run directory."""
  from experiments import runner  # pylint: disable=g-import-not-at-top  (JAX: see entry.py)
  return runner.run(prepare(config), run_dir, progress, should_stop)


def redraw(load_dir, run_dir, **changes):
  """--load: metrics, figures and summary of a saved run (changes: path_points=, grid=)."""
  from experiments import runner  # pylint: disable=g-import-not-at-top  (JAX: see entry.py)
  return runner.redraw(NAME, Config(), prepare, load_dir, run_dir, **changes)


if __name__ == "__main__":
  entry.app(NAME, __doc__, Config(), run, redraw=redraw, drawing=("path_points", "grid",
                                                               "explorer_seeds"), explorer=True)
