"""explorer.html's colours read (issue 37): every text and mark the page draws on its canvas,
and the text of its controls, at WCAG AA contrast (4.5:1), computed here from the colours."""
import re

import numpy as np
import pytest


def _rgb(css):
  if css.startswith("#"):
    return [int(css[i:i + 2], 16) for i in (1, 3, 5)]
  return [float(v) for v in re.findall(r"[\d.]+", css)[:3]]


def _contrast(fg, bg=(255, 255, 255)):
  """WCAG 2 contrast ratio of two sRGB colours."""
  def lum(c):
    c = np.asarray(c, float) / 255
    c = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]
  a, b = sorted((lum(fg), lum(bg)))
  return (b + 0.05) / (a + 0.05)


@pytest.mark.parametrize("classes", [1, 10, 40])
def test_every_text_and_mark_reads_at_4_5_to_1(open_page, tmp_path, classes):
  from ae import explorer  # pylint: disable=g-import-not-at-top
  n = 100
  x = (np.random.default_rng(0).random((n, 35)) > 0.5).astype(np.float32)
  dec = explorer.decoder([{"w": np.ones((2, 35), np.float32), "b": np.zeros(35, np.float32)}],
                         [None], "sigmoid")
  seed = explorer.Seed(0, "best", dec, np.random.default_rng(1).normal(size=(n, 2)))
  labels = [f"g{i}" for i in range(n)]
  path = explorer.write(tmp_path / "e.html", "colours", "glyphs", labels, x, (7, 5), [seed],
                        classes=[str(i % classes) for i in range(n)] if classes > 1 else ["a"] * n)
  page = open_page(path)
  colours = page.evaluate("window.explorer.colours()")
  for c in colours["samples"] + colours["ink"]:
    assert _contrast(_rgb(c)) >= 4.5, c
  for sel in ("#subtitle", ".hint", "#take-status", "#out-text", "h2", "label"):
    fg, bg = page.evaluate(f"(() => {{ const e = document.querySelector('{sel}'); let b = e; "
                           "while (getComputedStyle(b).backgroundColor === 'rgba(0, 0, 0, 0)') "
                           "b = b.parentElement; return [getComputedStyle(e).color, "
                           "getComputedStyle(b).backgroundColor]; })()")
    assert _contrast(_rgb(fg), _rgb(bg)) >= 4.5, sel


def test_circle_colours_read_too(open_page, tmp_path):
  from ae import circles_data, explorer  # pylint: disable=g-import-not-at-top
  import jax  # pylint: disable=g-import-not-at-top
  x, _, _ = circles_data.circles(jax.random.PRNGKey(0), circles_data.CirclesConfig(circles=20))
  dec = explorer.decoder([{"w": np.ones((2, 42), np.float32), "b": np.zeros(42, np.float32)}],
                         [None], "linear")
  seed = explorer.Seed(0, "", dec, np.random.default_rng(1).normal(size=(20, 2)))
  path = explorer.write(tmp_path / "c.html", "circles", "circles",
                        [f"{r:.3f}" for r in np.linspace(0.1, 0.9, 20)], x, (21, 2), [seed])
  page = open_page(path)
  colours = page.evaluate("window.explorer.colours()")
  assert len(colours["samples"]) >= 10
  for c in colours["samples"]:
    assert _contrast(_rgb(c)) >= 4.5, c
