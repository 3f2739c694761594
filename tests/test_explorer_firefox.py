"""explorer.html in Debian's Firefox (tests/firefox.py, WebDriver BiDi, offline): it decodes as
the model does, the mouse decodes and pins, a long drag writes the URL hash once, and the page
logs no error. Firefox refuses history calls past 200 in 10 s, which froze the old page."""
import math
import os

import numpy as np
import pytest

import firefox
from ae import autoencoder, train


@pytest.fixture(scope="module")
def ff():
  why = firefox.missing()
  if why is not None:
    if os.environ.get("CI") == "true":
      pytest.fail(f"CI needs the Firefox smoke test: {why}")
    pytest.skip(why)
  with firefox.Firefox() as browser:
    yield browser


@pytest.mark.slow   # a second browser: about 10 s
def test_the_page_works_in_firefox(ff, trained):
  path, metrics, config, glyphs, params = trained
  ff.open(path, "#aligned=0")   # the plane in the seed's own frame
  best = metrics["summary"]["best_seed"]
  assert ff.evaluate("window.explorer.seeds()")[0] == best
  p = train.seed_params(params, best - config.train.seed)
  z = np.asarray(autoencoder.encode(config.model, p, glyphs.x))
  pts = z[:5] + 0.3
  got = np.array(ff.evaluate(f"{pts.tolist()}.map(([a, b]) => window.explorer.decode({best}, a, b))"))
  np.testing.assert_allclose(got, np.asarray(autoencoder.decode(config.model, p, pts)), atol=1e-4)
  # the mouse over a code shows its glyph; a click pins it
  x, y = ff.evaluate(f"window.explorer.toClient({z[4, 0]}, {z[4, 1]})")
  ff.mouse([("move", x, y), ("pause", 100)])
  assert ff.evaluate("window.explorer.shown().label") == glyphs.chars[4]
  ff.mouse([("down",), ("up",), ("pause", 50)])
  assert ff.evaluate("window.explorer.state().pins")[0]["code"] == 4
  # 400 dragging moves in about a second: the hash is written once they stop, not 400 times
  box = ff.evaluate("(() => { const r = plane.getBoundingClientRect(); "
                    "return [r.left, r.top, r.width, r.height]; })()")
  cx, cy = box[0] + box[2] / 2, box[1] + box[3] / 2
  drag = [("move", cx, cy), ("down",)]
  drag += [("move", cx + 150 * math.sin(k / 40), cy + 100 * math.sin(k / 55)) for k in range(400)]
  ff.mouse(drag + [("up",), ("pause", 600)])
  assert 1 <= ff.evaluate("window.explorer.hashWrites()") <= 5
  view = ff.evaluate("window.explorer.state().view")
  kept = ff.evaluate("new URLSearchParams(location.hash.slice(1)).get('view')").split(",")
  assert [float(v) for v in kept] == pytest.approx([view["cx"], view["cy"], view["span"]], rel=1e-5)
  assert ff.evaluate("window.explorer.strip()") == 0 and ff.errors == []
