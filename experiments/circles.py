"""circles: the original study's generative experiment, an autoencoder that draws new circles.

  python -m experiments.circles                        # the original's set-up, 4 seeds
  python -m experiments.circles --holdout=0.4:0.6      # generalisation: generate in a gap
  python -m experiments.circles --original_radians     # the original's scrambled set
  python -m experiments.circles --angle_jitter=180     # a random phase per circle

100 circles centred at the origin, radii evenly from 0.1 to 0.9, 21 points each (x and y
interleaved: 42 inputs), architecture 42-25-15-9-3-2-3-9-15-25-42, 1000 iterations from eta
0.01, as in the original. What differs, and why: Adam with a cosine-decayed step (their plain
gradient descent had a broken backprop), mean squared error on linear outputs (coordinates are
continuous), a linear 2-D latent layer (tanh codes crowd into the corners), and angles in
degrees (theirs passed degrees to cos/sin as radians; --original_radians reproduces that).
"""
if __name__ == "__main__":  # as a program: a signal during the imports below ends it cleanly
  from experiments import startup
  startup.catch_signals()

import dataclasses

import jax
import numpy as np

from ae import InputError, autoencoder, baselines, circles, data, train
from ae.autoencoder import AEConfig
from ae.config import TrainConfig
from ae.data import CirclesConfig
from ae.fields import field
from experiments import circles_report, common, explore, skeleton

NAME = "circles"
E = "experiment"


@dataclasses.dataclass(frozen=True)
class Config:
  data: CirclesConfig = CirclesConfig()
  model: AEConfig = AEConfig(arch=(42, 25, 15, 9, 3, 2, 3, 9, 15, 25, 42), loss="mse")
  train: TrainConfig = TrainConfig(eta=0.01, iterations=1000, seeds=4)
  path_points: int = field(41, "Latent points decoded along the path through the codes.", E)
  grid: int = field(7, "The generation figure decodes a grid x grid box of latent points.", E)
  explorer_seeds: int = explore.seeds_field()


def make_data(config):
  """(x, radii, centres, train mask) of the run's circles (one fixed draw for every seed)."""
  x, radii, centres = data.circles(jax.random.PRNGKey(0), config.data)
  band = config.data.band()
  keep = np.ones(len(x), bool) if band is None else ~((radii >= band[0]) & (radii <= band[1]))
  return x, radii, centres, keep


def prepare(config, saved=None, loaded_from=None):
  """The run as a skeleton.Job (saved: a loaded run's data, which must be the circles its
  config describes); InputError before any work."""
  config.data.check()
  explore.check(config)
  if not 3 <= config.path_points <= 1000 or not 2 <= config.grid <= 20:
    raise InputError("--path_points must be in 3..1000 and --grid in 2..20")
  config.model.check(2 * config.data.points)
  if config.model.loss != "mse":
    raise InputError(f"--loss={config.model.loss} squashes the outputs into [0, 1]; the "
                     "circles' coordinates run from -0.9 to 0.9: use --loss=mse")
  if config.model.latent_dim != 2:
    raise InputError(f"circles draws a 2-D latent space; --arch has {config.model.latent_dim}")
  x, radii, centres, keep = make_data(config)
  if saved is not None:
    skeleton.check_regenerated(saved[0], {"x": x, "radii": radii, "centres": centres,
                                          "train": keep}, f"{loaded_from}/data.npz", "circles")

  def evaluate(fit):
    gens = [generation(config, train.seed_params(fit.params, i), x, radii, keep)
            for i in range(config.train.seeds)]
    out = circles_report.metrics(config, x, keep, fit, gens)
    out["baselines"] = {"pca1": baseline(config, x, radii, keep, 1),
                        "pca2": baseline(config, x, radii, keep, 2),
                        "data_rank": baselines.rank(x[keep])}
    return out, gens

  held = "" if config.data.holdout is None else f", radii {config.data.holdout} held out"
  return skeleton.Job(
      NAME, config, f"{int(keep.sum())} circles of {config.data.points} points{held}",
      config.model.arch, autoencoder.task(config.model), {"x": x[keep]},
      ({"x": x, "radii": radii, "centres": centres, "train": keep},
       [f"{r:.4f}" for r in radii], {"name": "circles", "shape": [config.data.points, 2]}),
      sum(config.model.arch), evaluate,
      lambda run_dir, fit, metrics, gens: circles_report.figures(
          run_dir, config, x, radii, keep, fit, gens, metrics),
      lambda metrics, path: circles_report.print_summary(config, metrics, path),
      explorer=lambda run_dir, fit, metrics, gens: explore.autoencoder_page(
          run_dir, config, fit.params, metrics, circle_data(x, radii, keep, config)))


def circle_data(x, radii, keep, config):
  """The explorer page's samples: the training circles, labelled by radius."""
  held = "" if config.data.holdout is None else f" (radii {config.data.holdout} held out)"
  return {"kind": "circles", "labels": [f"{r:.3f}" for r in radii[keep]], "x": x[keep],
          "shape": (config.data.points, 2), "title": f"circles{held}"}


def generation(config, p, x, radii, keep):
  """One seed's generation numbers (generated())."""
  m = config.model
  return generated(config, lambda a: np.asarray(autoencoder.encode(m, p, a)),
                   lambda z: np.asarray(autoencoder.decode(m, p, z)), x, radii, keep)


def baseline(config, x, radii, keep, k):
  """PCA-k fitted on the training circles, measured as a seed is: its reconstruction RMSE
  (training and held-out circles) and its generation numbers (a dict like a per_seed row)."""
  fitted = baselines.pca(x[keep], k)
  g = generated(config, lambda a: baselines.encode(fitted, a),
                lambda z: baselines.decode(fitted, z), x, radii, keep)
  rmse = lambda a: float(np.sqrt(np.mean((baselines.reconstruct(fitted, a) - a) ** 2)))
  row = {"components": k, "fitted_on": "the training circles", "recon_rmse": rmse(x[keep])}
  if (~keep).any():
    row["heldout_recon_rmse"] = rmse(x[~keep])
  row.update({key: g[key] for key in circles_report.GEN_KEYS if key in g})
  return row


def generated(config, encode, decode, x, radii, keep):
  """A model's generation numbers, from its encode and decode: the path through the training
  codes (in radius order) and, with --holdout, the points between the codes on either side
  of the band."""
  z = encode(x)
  order = np.flatnonzero(keep)[np.argsort(radii[keep])]
  zp = circles.path(z[order], config.path_points)
  q = circles.quality(decode(zp))
  out = {"z": z, "path_z": zp, "path": q,
         "path_circularity_max": float(np.max(q["circularity"])),
         "path_radius_monotonic": circles.monotonic(q["radius"]),
         "path_radius_range": [float(q["radius"].min()), float(q["radius"].max())],
         "path_radius_max_step": float(np.max(np.abs(np.diff(q["radius"]))))}
  band = config.data.band()
  if band is not None:
    below = order[radii[order] < band[0]][-1]
    above = order[radii[order] > band[1]][0]
    zg, t = circles.between(z[below], z[above], 9)
    qg = circles.quality(decode(zg))
    target = radii[below] + t * (radii[above] - radii[below])
    out.update(gap_z=zg, gap=qg, holdout_radius_error=float(np.mean(np.abs(
        qg["radius"] - target))), holdout_circularity_max=float(np.max(qg["circularity"])),
               holdout_inside=float(np.mean((qg["radius"] >= band[0]) &
                                            (qg["radius"] <= band[1]))))
  return out


def run(config, run_dir, progress=None, should_stop=None):
  """Trains config.train.seeds autoencoders on the circles and writes the run directory."""
  return skeleton.run(prepare(config), run_dir, progress, should_stop)


def rerun(load_dir, run_dir, **changes):
  """--load: metrics, figures and summary of a saved run (changes: path_points=, grid=)."""
  return skeleton.reload(NAME, Config(), prepare, load_dir, run_dir, **changes)


if __name__ == "__main__":
  common.app(NAME, __doc__, Config(), run, reload=rerun, drawing=("path_points", "grid",
                                                               "explorer_seeds"), explorer=True)
