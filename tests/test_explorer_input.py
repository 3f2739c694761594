"""explorer.html as a person uses it (issue 37): what it draws, the mouse, a finger, the keyboard,
the URL hash (written rarely, read defensively). Positions are computed
here from the page's view (centre, span), not from the page's own toClient, in each seed's own
frame (OWN: the aligned view is tests/test_explorer_aligned.py's)."""
import io
import re

import numpy as np
import pytest
from matplotlib import image

from ae import autoencoder, train


OWN = "aligned=0"


def _codes(config, glyphs, params, seed):
  return np.asarray(autoencoder.encode(config.model, train.seed_params(
      params, seed - config.train.seed), glyphs.x))


def _client(page, z):
  """Where latent point z is on the screen, by the page's view: the plane's centre is the
  view's centre, its smaller side spans view.span, and z2 grows upwards."""
  box = page.locator("#plane").bounding_box()
  v = page.evaluate("window.explorer.state().view")
  inner = page.evaluate("(() => { const p = document.getElementById('plane'); "
                        "return [p.clientLeft, p.clientTop, p.clientWidth, p.clientHeight]; })()")
  left, top, w, h = box["x"] + inner[0], box["y"] + inner[1], inner[2], inner[3]
  s = min(w, h) / v["span"]
  return (float(left + w / 2 + (z[0] - v["cx"]) * s),
          float(top + h / 2 - (z[1] - v["cy"]) * s))


def _png(data):
  return (image.imread(io.BytesIO(data), format="png")[..., :3] * 255).round()


def _tile_greys(pixels, rows, cols):
  """The grey at the centre of each of rows x cols tiles of the largest centred box."""
  h, w = pixels.shape[:2]
  s = min(w / cols, h / rows)
  x0, y0 = (w - s * cols) / 2, (h - s * rows) / 2
  return np.array([[pixels[int(y0 + (r + .5) * s), int(x0 + (c + .5) * s), 0]
                    for c in range(cols)] for r in range(rows)])


def _wait_shown(page, z):
  """Waits until the decoded panel shows latent point z, to a pixel (the browser rounds the
  pointer's position)."""
  page.wait_for_function(f"""(() => {{ const s = window.explorer.shown(); if (!s) return false;
      const v = window.explorer.state().view;
      const tol = 1.5 * v.span / Math.min(plane.clientWidth, plane.clientHeight);
      return Math.abs(s.z[0] - {z[0]}) < tol && Math.abs(s.z[1] - {z[1]}) < tol; }})()""")


def test_the_decoded_canvas_shows_the_decoded_pixels_and_up_is_up(open_page, trained):
  path, metrics, config, glyphs, params = trained
  page = open_page(path, f"#{OWN}")
  seed = metrics["summary"]["best_seed"]
  z = _codes(config, glyphs, params, seed)
  top = int(np.argmax(z[:, 1]))
  page.mouse.move(*_client(page, z[top]))    # the top code, placed by the view alone
  _wait_shown(page, z[top])
  shown = page.evaluate("window.explorer.shown()")
  assert shown["label"] == glyphs.chars[top] and shown["hamming"] == 0
  # the decoded canvas's pixels are the model's decode there, tile by tile
  want = np.asarray(autoencoder.decode(config.model, train.seed_params(
      params, seed - config.train.seed), np.asarray([shown["z"]])))[0]
  got = _tile_greys(_png(page.locator("#out").screenshot()), *glyphs.shape)
  np.testing.assert_allclose(got.ravel(), np.round(255 * (1 - want)), atol=2)
  # a pin on the top code, in a view centred 0.3 spans below it, is drawn in the upper half
  # of the plane, where the view puts it, and nowhere near its mirror image
  span = _fitted(z)["span"]
  page2 = open_page(path, f"#{OWN}&seed={seed}&view={z[top, 0]},{z[top, 1] - 0.3 * span},{span}"
                          f"&pins=c{top}")
  shot = _png(page2.locator("#plane").screenshot())
  box = page2.locator("#plane").bounding_box()
  px, py = _client(page2, z[top])
  px, py = px - box["x"], py - box["y"]
  assert py < shot.shape[0] / 2 - 50
  ys, xs = np.nonzero(np.abs(shot - [192, 57, 43]).max(-1) < 40)   # the pin's red
  assert np.sum(np.hypot(xs - px, ys - py) < 14) > 20
  assert not np.any(np.hypot(xs - px, ys - (shot.shape[0] - py)) < 14)


@pytest.mark.slow   # 700 real pointer moves: about 15 s
def test_500_moves_write_the_hash_rarely_and_the_page_still_draws(open_page, trained):
  path, metrics, config, glyphs, params = trained
  page = open_page(path, f"#{OWN}")
  box = page.locator("#plane").bounding_box()
  x0, y0 = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
  page.mouse.move(x0 - 100, y0 - 80)
  page.mouse.move(x0 + 100, y0 + 80, steps=200)   # hovering: the view stays, nothing written
  assert page.evaluate("window.explorer.hashWrites()") == 0
  page.mouse.down()
  page.mouse.move(x0 - 150, y0 + 100, steps=250)   # dragging: each of 500 moves pans
  page.mouse.move(x0 + 120, y0 - 60, steps=250)
  page.mouse.up()
  page.wait_for_timeout(600)
  assert 1 <= page.evaluate("window.explorer.hashWrites()") <= 5   # once the view stands still
  view = page.evaluate("window.explorer.state().view")
  cx, cy, span = map(float, re.search(r"view=([^&]*)", page.url).group(1).split(","))
  assert (cx, cy, span) == pytest.approx((view["cx"], view["cy"], view["span"]), rel=1e-5)
  z = _codes(config, glyphs, params, metrics["summary"]["best_seed"])
  page.click("#reset")
  page.mouse.move(*_client(page, z[5]))
  _wait_shown(page, z[5])
  assert page.evaluate("window.explorer.shown().label") == glyphs.chars[5]


def test_a_browser_that_refuses_history_calls_still_pans(open_page, trained):
  refuse = "history.replaceState = () => { throw new DOMException('too many calls', 'SecurityError'); };"
  page = open_page(trained[0], init_script=refuse)
  box = page.locator("#plane").bounding_box()
  before = page.evaluate("window.explorer.state().view")
  page.mouse.move(box["x"] + 300, box["y"] + 200)
  page.mouse.down()
  page.mouse.move(box["x"] + 400, box["y"] + 250, steps=10)
  page.mouse.up()
  page.wait_for_timeout(500)   # past the hash's 300 ms: its write was tried, and refused
  after = page.evaluate("window.explorer.state().view")
  assert after["cx"] < before["cx"] and after["cy"] > before["cy"]
  assert page.evaluate("window.explorer.hashWrites()") == 0


HOSTILE = {
    "huge centre": "view=0,1e20,20000",
    "tiny span": "view=0,0,1e-120",
    "not numbers": "view=NaN,NaN,NaN&pins=NaN,1;Infinity,2",
    "negative zoom": "view=0,0,-5",
    "huge pins": "pins=1e308,-1e308;c0",
    "codes out of range": "pins=c99999;c-1;c1.5",
    "unknown keys": "grid=1&colour=red&__proto__=1&constructor=2",
    "script": "view=<script>alert(1)</script>&pins=<img src=x onerror=alert(2)>",
    "junk": "&".join(f"k{i}=" + "\u00e9%00%ZZ;,," * 3 for i in range(400)),
}


@pytest.mark.parametrize("case", [  # three in the default suite, the table in the slow one
    c if c in ("huge centre", "tiny span", "junk") else pytest.param(c, marks=pytest.mark.slow)
    for c in sorted(HOSTILE)])
def test_a_hostile_hash_cannot_break_the_page(open_page, trained, case):
  path, metrics, config, glyphs, params = trained
  best = metrics["summary"]["best_seed"]
  page = open_page(path, f"#{OWN}&seed={best}&{HOSTILE[case]}")
  state = page.evaluate("window.explorer.state()")
  assert state["seed"] == best
  fitted = _fitted(_codes(config, glyphs, params, best))
  v = state["view"]
  assert fitted["span"] / 1e4 * (1 - 1e-9) <= v["span"] <= fitted["span"] * 100 * (1 + 1e-9)
  assert abs(v["cx"] - fitted["cx"]) <= 100 * fitted["span"] * (1 + 1e-9)
  assert abs(v["cy"] - fitted["cy"]) <= 100 * fitted["span"] * (1 + 1e-9)
  assert len(state["pins"]) <= 2 and all(np.isfinite(p["z"]).all() for p in state["pins"])
  assert state["grid"] == (case == "unknown keys")
  z = _codes(config, glyphs, params, best)   # the page still draws what the pointer is on
  page.click("#reset")
  page.mouse.move(*_client(page, z[1]))
  _wait_shown(page, z[1])


def test_a_seed_no_longer_in_the_page_resets_the_view_and_the_pins(open_page, trained):
  path, metrics, config, glyphs, params = trained
  page = open_page(path, f"#{OWN}&seed=987654&view=5,5,0.001&pins=c1;c2&threshold=1")
  state = page.evaluate("window.explorer.state()")
  first = page.evaluate("window.explorer.seeds()")[0]
  assert state["seed"] == first and state["pins"] == [] and state["threshold"]
  fitted = _fitted(_codes(config, glyphs, params, first))
  assert state["view"] == pytest.approx(fitted, rel=1e-5)


def _fitted(z):
  lo, hi = z.min(0), z.max(0)
  return {"cx": (lo[0] + hi[0]) / 2, "cy": (lo[1] + hi[1]) / 2,
          "span": max(hi[0] - lo[0], hi[1] - lo[1], 1e-6) * 1.15}


# ---------------------------------------------------------------- a finger
def _touch(cdp, kind, points):
  cdp.send("Input.dispatchTouchEvent", {
      "type": kind, "touchPoints": [{"x": x, "y": y, "id": i} for i, (x, y) in points]})


def test_a_finger_pans_taps_to_pin_and_pinches_to_zoom(open_page, trained):
  path, metrics, config, glyphs, params = trained
  page = open_page(path, f"#{OWN}", viewport={"width": 400, "height": 800}, has_touch=True,
                   is_mobile=True, device_scale_factor=2)
  plane = page.locator("#plane").bounding_box()
  assert plane["width"] <= 400 and plane["height"] > 250   # the plane fits a phone's width
  cdp = page.context.new_cdp_session(page)
  before = page.evaluate("window.explorer.state().view")
  s = min(page.evaluate("[plane.clientWidth, plane.clientHeight]")) / before["span"]
  x, y = plane["x"] + 150, plane["y"] + 150
  _touch(cdp, "touchStart", [(0, (x, y))])   # one finger drags 60 px right, 40 px down
  for k in range(1, 11):
    _touch(cdp, "touchMove", [(0, (x + 6 * k, y + 4 * k))])
  _touch(cdp, "touchEnd", [])
  after = page.evaluate("window.explorer.state()")
  assert after["view"]["cx"] == pytest.approx(before["cx"] - 60 / s, rel=1e-6, abs=1e-6)
  assert after["view"]["cy"] == pytest.approx(before["cy"] + 40 / s, rel=1e-6, abs=1e-6)
  assert after["pins"] == []   # a pan pins nothing
  z = _codes(config, glyphs, params, metrics["summary"]["best_seed"])
  page.touchscreen.tap(*_client(page, z[2]))   # a tap on a code pins it and decodes it
  page.wait_for_function("window.explorer.state().pins.length === 1")
  assert page.evaluate("window.explorer.state().pins[0].code") == 2
  _wait_shown(page, z[2])
  # two fingers from 50 to 100 px apart: the span halves about the point between them
  mid = (plane["x"] + plane["width"] / 2, plane["y"] + plane["height"] / 2)
  span = page.evaluate("window.explorer.state().view.span")
  centre = _latent(page, mid)
  _touch(cdp, "touchStart", [(0, (mid[0] - 25, mid[1])), (1, (mid[0] + 25, mid[1]))])
  for k in range(1, 6):
    _touch(cdp, "touchMove", [(0, (mid[0] - 25 - 5 * k, mid[1])), (1, (mid[0] + 25 + 5 * k, mid[1]))])
  _touch(cdp, "touchEnd", [])
  v = page.evaluate("window.explorer.state().view")
  assert v["span"] == pytest.approx(span / 2, rel=1e-6)
  px = v["span"] / min(page.evaluate("[plane.clientWidth, plane.clientHeight]"))
  assert _latent(page, mid) == pytest.approx(centre, abs=1.5 * px)   # the browser rounds touches
  # two fingers landing on one spot, then moving apart, then lifting one at a time
  _touch(cdp, "touchStart", [(0, mid), (1, mid)])
  _touch(cdp, "touchMove", [(0, mid), (1, (mid[0] + 30, mid[1] + 30))])
  _touch(cdp, "touchMove", [(1, (mid[0] + 30, mid[1] + 30))])
  _touch(cdp, "touchMove", [(1, (mid[0] + 10, mid[1]))])
  _touch(cdp, "touchEnd", [])
  assert all(np.isfinite(list(page.evaluate("window.explorer.state().view").values())))


def _latent(page, client):
  """The latent point at a client position, by the page's view (the inverse of _client)."""
  v = page.evaluate("window.explorer.state().view")
  box = page.locator("#plane").bounding_box()
  w, h = page.evaluate("[plane.clientWidth, plane.clientHeight]")
  s = min(w, h) / v["span"]
  return [v["cx"] + (client[0] - box["x"] - 1 - w / 2) / s,
          v["cy"] - (client[1] - box["y"] - 1 - h / 2) / s]


# ---------------------------------------------------------------- the keyboard
def test_the_keyboard_moves_pins_zooms_and_clears_and_is_heard(open_page, trained):
  path, metrics, config, glyphs, params = trained
  page = open_page(path, f"#{OWN}")
  page.focus("#clear")
  page.keyboard.press("Tab")   # the plane is the next stop, with a visible focus ring
  assert page.evaluate("document.activeElement.id") == "plane"
  ring = page.evaluate("(() => { const s = getComputedStyle(plane); "
                       "return [plane.matches(':focus-visible'), s.outlineStyle, s.outlineWidth]; })()")
  assert ring == [True, "solid", "3px"]
  z = _codes(config, glyphs, params, metrics["summary"]["best_seed"])
  v = page.evaluate("window.explorer.state().view")
  page.keyboard.press("ArrowRight")   # from the shown point (the first code): 2% of the span
  probe = page.evaluate("window.explorer.state().probe")
  assert probe == pytest.approx([z[0, 0] + 0.02 * v["span"], z[0, 1]], rel=1e-5, abs=1e-6)
  page.keyboard.press("Shift+ArrowUp")   # Shift: 10%
  probe = page.evaluate("window.explorer.state().probe")
  assert probe[1] == pytest.approx(z[0, 1] + 0.1 * v["span"], rel=1e-5, abs=1e-6)
  page.wait_for_function("document.getElementById('announce').textContent.includes('px')")
  assert page.evaluate("window.explorer.shown().text") in page.inner_text("#announce")
  page.keyboard.press("Enter")   # a pin at the probe (on a code, if one is within 10 px)
  state = page.evaluate("window.explorer.state()")
  assert len(state["pins"]) == 1 and state["pins"][0]["z"] == state["probe"]
  off = np.hypot(*np.subtract(_client(page, state["probe"]), _client(page, probe)))
  assert off <= 10
  page.keyboard.press("+")
  assert page.evaluate("window.explorer.state().view.span") == pytest.approx(v["span"] / 1.5)
  page.keyboard.press("-")
  page.keyboard.press("-")
  assert page.evaluate("window.explorer.state().view.span") == pytest.approx(v["span"] * 1.5)
  page.keyboard.press("0")
  assert page.evaluate("window.explorer.state().view") == pytest.approx(v)
  page.keyboard.press("Escape")
  assert page.evaluate("window.explorer.state().pins") == []
  page.wait_for_function("!document.getElementById('announce').textContent.includes('pinned')")
  for control in ("seed", "grid", "threshold", "zoom-in", "zoom-out", "reset", "clear"):
    name = page.evaluate(f"(() => {{ const e = document.getElementById('{control}'); return "
                         "e.getAttribute('aria-label') || (e.labels && e.labels[0] && "
                         "e.labels[0].textContent) || e.textContent; })()")
    assert len(name.strip()) >= 3, control   # every control says what it is
