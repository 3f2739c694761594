"""Recipe ablation for latent2d: the default and one change at a time, on each course font.

  python -m bench.recipes                       # 32 seeds (0..31), every variant, all fonts
  python -m bench.recipes --seeds=128 --seed=100 --variants=default

Prints a Markdown table (seeds with 0 / <= 1 wrong pixels, median worst-glyph error, compile and
train seconds) for BUILD_NOTES.md. Timings are of one process on this machine: compare rows
of the same run only.
"""
import dataclasses

from absl import app, flags

from ae import autoencoder, data, report, train
from ae.autoencoder import AEConfig
from ae.config import TrainConfig
from experiments import startup

_VARIANTS = flags.DEFINE_list("variants", None, "Variant names to run (default: all).")
_SEED = flags.DEFINE_integer("seed", 0, "First seed.")
_SEEDS = flags.DEFINE_integer("seeds", 32, "Seeds per variant and font.")
_FONTS = flags.DEFINE_list("fonts", ["font1", "font2", "font3"], "Datasets.")

ORIG = (35, 29, 23, 2, 23, 29, 35)
M, T = AEConfig(), TrainConfig()
m_, t_ = dataclasses.replace, dataclasses.replace
VARIANTS = {  # name: (model, training)
    "default": (M, T),
    "tanh latent": (m_(M, latent_activation="tanh"), T),
    "constant eta": (M, t_(T, schedule="constant")),
    "original arch": (m_(M, arch=ORIG), T),
    "original arch 4000 steps eta 0.01": (m_(M, arch=ORIG), t_(T, iterations=4000, eta=0.01)),
    "600 steps eta 0.03": (M, t_(T, iterations=600, eta=0.03)),
    "mse_sigmoid loss": (m_(M, loss="mse_sigmoid"), T),
    "normal init std 0.6": (m_(M, init="normal", init_std=0.6), T),
    "issue probe: tanh latent 10000 steps eta 0.005": (
        m_(M, latent_activation="tanh"), t_(T, iterations=10000, eta=0.005)),
    # solver recipes (L-BFGS from its default backend, the fastest measured by bench/solvers.py)
    "L-BFGS alone 1000 its": (M, t_(T, optimizer="none", solver="lbfgs")),
    "L-BFGS alone 3000 its": (M, t_(T, optimizer="none", solver="lbfgs", iterations=3000)),
    "Adam 300 + L-BFGS 200 polish": (M, t_(T, iterations=300, solver="lbfgs",
                                           minimize_every=300, solver_steps=200)),
    "Adam 500 + L-BFGS 500 polish": (M, t_(T, iterations=500, solver="lbfgs",
                                           minimize_every=500, solver_steps=500)),
}


def main(argv):
  del argv
  startup.use_all_cores()
  names = _VARIANTS.value or list(VARIANTS)
  seed, n = _SEED.value, _SEEDS.value
  print(f"seeds {seed}..{seed + n - 1}\n")
  print("| variant | dataset | steps | 0 px | <= 1 px | median worst px | compile s | train s |")
  print("|---|---|---|---|---|---|---|---|")
  for name in names:
    model, cfg = VARIANTS[name]
    cfg = dataclasses.replace(cfg, seed=seed, seeds=n)
    for font in _FONTS.value:
      g = data.load(font)
      fit = train.fit_seeds(autoencoder.task(model), {"x": g.x}, cfg)
      final, errors = autoencoder.evaluate(model, fit.params, g.x)
      s = report.build(range(seed, seed + n), final, fit.history["loss"][:, 0], fit.timing,
                       summary_fn=lambda ok, e=errors: report.pixel_summary(e, ok))["summary"]
      print(f"| {name} | {font} | {cfg.iterations} | {s['seeds_zero']}/{n} | "
            f"{s['seeds_le1']}/{n} | {s['max_pixel_error_median']:g} | "
            f"{s['compile_seconds']:.2f} | {s['train_seconds']:.2f} |", flush=True)


if __name__ == "__main__":
  app.run(main)
