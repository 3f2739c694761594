"""The beta trade-off of the VAE: reconstruction against latent coverage against KL.

  python -m bench.vae_beta                       # font2, 8 seeds, beta 0.1 0.5 1 2 4

One VAE per beta, seeds 0..7, the default recipe otherwise; the plain autoencoder (latent2d's
default recipe) on the same seeds as the reference row. Medians over seeds.
"""
import dataclasses

import jax
import numpy as np
from absl import app, flags

from ae import train, vae
from experiments import startup
from experiments import vae as exp
from experiments import vae_report

_BETAS = flags.DEFINE_list("betas", ["0.1", "0.5", "1", "2", "4"], "Values of --beta.")
_SEEDS = flags.DEFINE_integer("seeds", 8, "Seeds per beta.")
_DATASET = flags.DEFINE_string("dataset", "font2", "Data.")


def main(argv):
  del argv
  startup.use_all_cores()
  base = exp.Config()
  base = dataclasses.replace(base, data=dataclasses.replace(base.data, dataset=_DATASET.value),
                             train=dataclasses.replace(base.train, seeds=_SEEDS.value))
  print(f"{_DATASET.value}, {_SEEDS.value} seeds, 2-D latent, {base.train.iterations} steps; "
        "medians over seeds\n")
  print("| model | ELBO | KL (nats) | seeds <= 1 px | mean wrong px | grid within 3 px | "
        "prior: copies | prior: new (1-3 px) | prior: far |")
  print("|---|---|---|---|---|---|---|---|---|")
  for beta in map(float, _BETAS.value):
    cfg = dataclasses.replace(base, model=dataclasses.replace(base.model, beta=beta))
    d = exp.check(cfg)
    cfg = dataclasses.replace(cfg, model=vae.resolve(cfg.model, d.binary))
    fit = train.fit_seeds(vae.task(cfg.model, d.x.shape[1]), {"x": d.x}, cfg.train)
    ev = vae_report.evaluate(cfg, d, fit.params, jax.random.PRNGKey(exp.EVAL_KEY))
    s = vae_report.metrics(cfg, d, fit, ev)["summary"]
    print(f"| VAE beta {beta:g} | {s['elbo_median']:.2f} | {sum(s['kl_per_dim']):.2f} | "
          f"{s['seeds_le1']}/{_SEEDS.value} | {s['mean_pixel_error_mean']:.3f} | "
          f"{s['latent_coverage']:.1%} | {s['prior_copy_fraction']:.1%} | "
          f"{s['prior_new_plausible_fraction']:.1%} | {s['prior_far_fraction']:.1%} |",
          flush=True)
  ae = vae_report.plain_autoencoder(base, d, {})
  e = np.asarray(ae["errors"])
  print(f"| plain autoencoder | | | {int(np.sum(e.max(1) <= 1))}/{_SEEDS.value} | "
        f"{e.mean():.3f} | {np.median(ae['coverage']):.1%} | | | |")


if __name__ == "__main__":
  app.run(main)
