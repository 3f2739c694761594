"""explorer.html in a real browser: its size, how far its JavaScript decoder is from JAX's, and
how long the live view and the decoded grid take to draw.

  python -m bench.explorer                  # latent2d default recipe, font2, 16 seeds (~30 s)
  python -m bench.explorer --dataset=digits     # scikit-learn's 1,797 digits (bench.digits)

Trains --seeds seeds (600 steps), writes the page, opens it in headless Chromium (tests/
browser.py: the system's, through Playwright) at 1280x800 and reports: the page's size; the
largest |page - autoencoder.decode| over 1000 random latent points per seed in the codes' box
widened by half its span; the time of one decode in the page (the live view under the
pointer; the median of 5 rounds of 1000); the median time to redraw the plane with the
decoded grid on (a new view, so every tile is decoded again), over 20 redraws; the work of
one pointer move with two pins set (the move's handler and the frame it draws, grid off;
the median of 5 rounds of 100 moves); and how many times 500 dragging moves wrote the URL
hash.
"""
import os
import statistics
import sys
import tempfile

import numpy as np
from absl import app, flags

from ae import autoencoder, train
from ae.config import TrainConfig
from ae.data import DataConfig
from bench import write_digits
from experiments import latent2d, startup

DATASET = flags.DEFINE_string("dataset", "font2", "A font, a glyph file, or digits: "
                              "scikit-learn's 8x8 digits with their labels (bench.digits).")
ARCH = flags.DEFINE_list("arch", None, "Layer sizes (default: latent2d's).")
SEEDS = flags.DEFINE_integer("seeds", 16, "Seeds trained and shown.")


def main(argv):
  del argv
  startup.use_all_cores()
  sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(__file__)), "tests"))
  import browser  # pylint: disable=g-import-not-at-top
  from playwright.sync_api import sync_playwright  # pylint: disable=g-import-not-at-top
  model = latent2d.Config().model
  dataset = DATASET.value
  if dataset == "digits":
    dataset = os.path.join(tempfile.mkdtemp(), "digits.npz")
    write_digits(dataset)
    model = autoencoder.AEConfig(arch=(64, 64, 32, 2, 32, 64, 64))
  if ARCH.value:
    model = autoencoder.AEConfig(arch=tuple(map(int, ARCH.value)))
  config = latent2d.Config(data=DataConfig(dataset=dataset), model=model,
                           train=TrainConfig(iterations=600, seeds=SEEDS.value))
  out = os.path.join(tempfile.mkdtemp(), "run")
  metrics = latent2d.run(config, out)
  _, glyphs, params, _ = latent2d.load(out)
  path = os.path.join(out, "explorer.html")
  rng = np.random.default_rng(0)
  with sync_playwright() as p:
    b = browser.launch(p)
    page = b.new_page(viewport={"width": 1280, "height": 800})
    page.goto(f"file://{path}")
    page.wait_for_function("window.explorer !== undefined")
    worst = 0.0
    for s in page.evaluate("window.explorer.seeds()"):
      one = train.seed_params(params, s - config.train.seed)
      z = np.asarray(autoencoder.encode(model, one, glyphs.x))
      lo, hi = z.min(0), z.max(0)
      pts = lo - (hi - lo) / 2 + rng.random((1000, 2)) * 2 * (hi - lo)
      got = np.array(page.evaluate(
          "([s, pts]) => pts.map(([a, b]) => window.explorer.decode(s, a, b))",
          [s, pts.tolist()]))
      worst = max(worst, float(np.abs(got - np.asarray(autoencoder.decode(model, one, pts))).max()))
    decode_ms = [page.evaluate("""() => { const s = window.explorer.seeds()[0];
        const t0 = performance.now();  // 1000 decodes at once: the clock ticks in 0.1 ms
        for (let i = 0; i < 1000; i++) window.explorer.decode(s, Math.sin(i), Math.cos(i));
        return (performance.now() - t0) / 1000; }""") for _ in range(5)]
    page.check("#grid")
    grid_ms = []
    for _ in range(20):
      grid_ms.append(page.evaluate("""() => new Promise((done) => {
          const t0 = performance.now(); document.getElementById('zoom-in').click();
          requestAnimationFrame(() => done(performance.now() - t0)); })"""))
    page.uncheck("#grid")
    first = page.evaluate("window.explorer.seeds()")[0]
    page.evaluate(f"location.hash = 'seed={first}&pins=c0;c1'")
    page.wait_for_function("window.explorer.strip() === 9")
    move_ms = [page.evaluate("""() => { const p = document.getElementById('plane');
        const r = p.getBoundingClientRect(); const t0 = performance.now();
        for (let i = 0; i < 100; i++) {
          p.dispatchEvent(new PointerEvent('pointermove', { pointerType: 'mouse', bubbles: true,
            clientX: r.left + r.width * (0.5 + 0.4 * Math.sin(i)),
            clientY: r.top + r.height * (0.5 + 0.4 * Math.cos(i)) }));
          window.explorer.render();
        }
        return (performance.now() - t0) / 100; }""") for _ in range(5)]
    box = page.locator("#plane").bounding_box()
    writes = page.evaluate("window.explorer.hashWrites()")
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    for k in range(500):
      page.mouse.move(box["x"] + box["width"] * (0.5 + 0.3 * np.sin(k / 40)),
                      box["y"] + box["height"] * (0.5 + 0.3 * np.sin(k / 55)))
    page.mouse.up()
    page.wait_for_timeout(1500)
    writes = page.evaluate("window.explorer.hashWrites()") - writes
    b.close()
  size = os.path.getsize(path)
  print(f"| {glyphs.title} | {len(glyphs)} | {'-'.join(map(str, model.arch))} | "
        f"{len(metrics['explorer']['seeds'])} | {size / 1e3:.0f} kB | {worst:.1e} | "
        f"{statistics.median(decode_ms) * 1e3:.0f} us | {statistics.median(grid_ms):.0f} ms | "
        f"{statistics.median(move_ms):.2f} ms | {writes} |")


if __name__ == "__main__":
  app.run(main)
