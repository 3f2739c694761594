"""Denoising variants side by side: fresh noise vs one fixed noisy copy, the original's 200
iterations vs the default 5000, and the three fonts. 8 seeds each, the same evaluation copies.

  python -m bench.denoise                      # every variant (about 25 s on 2 cores)
  python -m bench.denoise --variants=default,fixed

Prints a Markdown table: the exact-restore rate (median over seeds) at each level, beside the
nearest-training-glyph decoder's.
"""
import dataclasses

import jax
import numpy as np
from absl import app, flags

from ae import denoise, train
from experiments import startup
from experiments import denoise as exp

_VARIANTS = flags.DEFINE_list("variants", None, "Variant names (default: all).")
_SEEDS = flags.DEFINE_integer("seeds", 8, "Seeds per variant.")

D = exp.Config()
r_ = dataclasses.replace
VARIANTS = {
    "default (fresh noise, 5000 its)": D,
    "fixed noisy copy, 5000 its": r_(D, noise=r_(D.noise, fixed_noise=True)),
    "fresh noise, 200 its": r_(D, train=r_(D.train, iterations=200)),
    "fixed noisy copy, 200 its (the original's set-up)": r_(
        D, noise=r_(D.noise, fixed_noise=True), train=r_(D.train, iterations=200)),
    "font1": r_(D, data=r_(D.data, dataset="font1")),
    "font3": r_(D, data=r_(D.data, dataset="font3")),
}


def main(argv):
  del argv
  startup.use_all_cores()
  names = _VARIANTS.value or list(VARIANTS)
  levels = D.noise.levels()
  print(f"{_SEEDS.value} seeds each (0..{_SEEDS.value - 1}); {D.noise.eval_copies} noisy copies "
        f"per glyph and level; restore rate = share of copies denoised with 0 wrong pixels\n")
  print("| variant | " + " | ".join(f"k={k}" for k in levels[1:]) + " | train s |")
  print("|---|" + "---|" * len(levels))
  for name in names:
    cfg = VARIANTS[name]
    cfg = r_(cfg, train=r_(cfg.train, seeds=_SEEDS.value))
    job = exp.prepare(cfg)
    fit = train.fit_seeds(job.task, job.data, cfg.train)
    ev = denoise.evaluate(cfg.model, cfg.noise, fit.params, job.saved[0]["x"],
                          jax.random.PRNGKey(exp.EVAL_KEY))
    cells = [f"{np.median(e['restore_rate']):.3f} ({e['nearest_glyph_restore_rate']:.3f})"
             for e in ev[1:]]
    print(f"| {name} | " + " | ".join(cells) + f" | {fit.timing['train_seconds']:.1f} |",
          flush=True)
  print("\n(in brackets: the nearest-training-glyph decoder on the same copies)")


if __name__ == "__main__":
  app.run(main)
