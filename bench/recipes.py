"""Recipe ablation for latent2d: the default and one change at a time, on each course font.

  python -m bench.recipes                       # 32 seeds (0..31), every variant, all fonts
  python -m bench.recipes --seeds=128 --seed=100 --variants=default

Prints a Markdown table (seeds with 0 / <= 1 wrong pixels, median worst-glyph error, compile and
train seconds) for BUILD_NOTES.md. Timings are of one process on this machine: compare rows
of the same run only.
"""
import dataclasses

from absl import app, flags

from ae import data, losses, train
from experiments import common

_VARIANTS = flags.DEFINE_list("variants", None, "Variant names to run (default: all).")
_FONTS = flags.DEFINE_list("fonts", ["font1", "font2", "font3"], "Datasets.")

ORIG = (35, 29, 23, 2, 23, 29, 35)
D = train.TrainConfig()
VARIANTS = {
    "default": D,
    "tanh latent": dataclasses.replace(D, latent_activation="tanh"),
    "constant eta": dataclasses.replace(D, schedule="constant"),
    "original arch": dataclasses.replace(D, arch=ORIG),
    "original arch 4000 steps eta 0.01": dataclasses.replace(D, arch=ORIG, steps=4000, eta=0.01),
    "600 steps eta 0.03": dataclasses.replace(D, steps=600, eta=0.03),
    "mse_sigmoid loss": dataclasses.replace(D, loss="mse_sigmoid"),
    "normal init std 0.6": dataclasses.replace(D, init="normal", init_std=0.6),
    "issue probe: tanh latent 10000 steps eta 0.005": dataclasses.replace(
        D, latent_activation="tanh", steps=10000, eta=0.005),
    # solver recipes (L-BFGS from its default backend, the fastest measured by bench/solvers.py)
    "L-BFGS alone 1000 its": dataclasses.replace(D, optimizer="none", solver="lbfgs"),
    "L-BFGS alone 3000 its": dataclasses.replace(D, optimizer="none", solver="lbfgs",
                                                          steps=3000),
    "Adam 300 + L-BFGS 200 polish": dataclasses.replace(
        D, steps=300, solver="lbfgs", minimize_every=300, solver_steps=200),
    "Adam 500 + L-BFGS 500 polish": dataclasses.replace(
        D, steps=500, solver="lbfgs", minimize_every=500, solver_steps=500),
}


def main(argv):
  del argv
  common.use_all_cores()
  names = _VARIANTS.value or list(VARIANTS)
  seed, n = common.SEED.value, common.SEEDS.value
  print(f"seeds {seed}..{seed + n - 1}\n")
  print("| variant | dataset | steps | 0 px | <= 1 px | median worst px | compile s | train s |")
  print("|---|---|---|---|---|---|---|---|")
  for name in names:
    cfg = VARIANTS[name]
    for font in _FONTS.value:
      g = data.load(font)
      params, _, t = train.fit_seeds(g.x, g.x, cfg, seed, n)
      final, errors = train.evaluate(params, g.x, g.x, cfg.acts, cfg.loss)
      s = losses.summarize(errors, final)
      print(f"| {name} | {font} | {cfg.steps} | {s['seeds_zero']}/{n} | {s['seeds_le1']}/{n} | "
            f"{s['max_pixel_error_median']:g} | {t['compile_seconds']:.2f} | "
            f"{t['train_seconds']:.2f} |", flush=True)


if __name__ == "__main__":
  flags.FLAGS.set_default("seeds", 32)
  app.run(main)
