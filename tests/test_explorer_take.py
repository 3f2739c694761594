"""Taking a glyph away from explorer.html (issue 37): the point, the font.h row and the text
font glyph read back by the project's own readers, the PNG's pixels, and the command that
decodes the point again without training; hostile labels shown as text."""
import io
import os
import re
import subprocess
import sys

import numpy as np
import pytest
from matplotlib import image

from ae import autoencoder, cheader, explorer, glyphfiles, train


def _take(page, button):
  page.click(f"#take-{button}")
  page.wait_for_function("document.getElementById('take-status').textContent !== ''")
  return page.inner_text("#take-out")


def _decoded(config, params, seed, z):
  """The model's own glyph at z (0/1), for that seed."""
  p = train.seed_params(params, seed - config.train.seed)
  return np.asarray(autoencoder.decode(config.model, p, np.asarray([z], np.float32)))[0]


def _pin_between(page, config, glyphs, params, seed):
  """Pins the point a third of the way from the first code to the second, in the seed's own
  frame (aligned off); returns it."""
  z = np.asarray(autoencoder.encode(config.model, train.seed_params(
      params, seed - config.train.seed), glyphs.x))
  point = z[0] + (z[1] - z[0]) / 3
  page.evaluate(f"location.hash = 'aligned=0&seed={seed}&pins={point[0]:.6g},{point[1]:.6g}'")
  page.wait_for_function("window.explorer.state().pins.length === 1")
  return point


def test_the_font_h_row_and_the_text_glyph_read_back_as_the_same_pixels(open_page, trained):
  path, metrics, config, glyphs, params = trained
  page = open_page(path)
  seed = metrics["summary"]["best_seed"]
  _pin_between(page, config, glyphs, params, seed)
  point = [float(v) for v in _take(page, "point").split(",")]
  assert page.inner_text("#take-status") in ("point copied", "point: select and copy")
  want = _decoded(config, params, seed, point) > 0.5
  sure = np.abs(_decoded(config, params, seed, point) - 0.5) > 1e-4
  row = _take(page, "fonth")
  assert re.fullmatch(r"\{(0x[0-9a-f]{2}, ){6}0x[0-9a-f]{2}\},   // .*", row), row
  x, labels, shape = cheader.parse(f"int const New[1][7] = {{\n{row}\n}};\n", 5, "copied")
  assert shape == (7, 5) and np.array_equal((x[0] > 0.5)[sure], want[sure])
  assert row.split("//")[0].strip().rstrip(",") == cheader.format_rows(x[0].reshape(7, 5))
  text = _take(page, "text")
  x2, chars, shape2 = glyphfiles.parse_text_font(text, "copied")
  assert shape2 == (7, 5) and np.array_equal(x2[0], x[0])
  # a pin on a code exports that glyph under its own character
  page.evaluate(f"location.hash = 'aligned=0&seed={seed}&pins=c3'")
  page.wait_for_function("window.explorer.state().pins[0]?.code === 3")
  row = _take(page, "fonth")
  x, labels, _ = cheader.parse(f"int const F[1][7] = {{\n{row}\n}};\n", 5, "copied")
  assert labels == (glyphs.chars[3],) and np.array_equal(x[0], glyphs.x[3])
  assert glyphfiles.parse_text_font(_take(page, "text"))[1] == (glyphs.chars[3],)


def test_the_png_is_the_decoded_glyph(open_page, trained):
  path, metrics, config, glyphs, params = trained
  page = open_page(path, accept_downloads=True)
  seed = metrics["summary"]["best_seed"]
  _pin_between(page, config, glyphs, params, seed)
  with page.expect_download() as got:
    page.click("#take-png")
  download = got.value
  z = page.evaluate("window.explorer.state().pins[0].z")
  assert download.suggested_filename.endswith(f"_seed{seed}.png")
  pixels = image.imread(io.BytesIO(open(download.path(), "rb").read()), format="png")
  k = page.evaluate("LX.take.PNG_PX")
  assert pixels.shape[:2] == (7 * k, 5 * k)
  centres = np.round(255 * pixels[k // 2::k, k // 2::k, 0])
  want = _decoded(config, params, seed, [float(f"{v:.6g}") for v in z])
  np.testing.assert_allclose(centres.ravel(), np.round(255 * (1 - want)), atol=1)


@pytest.mark.slow
def test_the_copied_command_decodes_the_same_glyph(open_page, trained, tmp_path):
  """The command as the page gives it, run in a shell from an empty folder."""
  from conftest import ROOT  # pylint: disable=g-import-not-at-top
  path, metrics, config, glyphs, params = trained
  page = open_page(path)
  other = [p["seed"] for p in metrics["per_seed"] if p["seed"] != metrics["summary"]["best_seed"]]
  seed = other[0]   # not the best seed: the command must name it
  page.select_option("#seed", value=str(page.evaluate("window.explorer.seeds()").index(seed)))
  _pin_between(page, config, glyphs, params, seed)
  command = _take(page, "command")
  assert command.startswith(f"python -m experiments.latent2d --load={path.parent} --decode=")
  assert command.endswith(f"--decode_seed={seed}")
  row = _take(page, "fonth").split("//")[0].strip().rstrip(",")
  r = subprocess.run(command.replace("python", sys.executable, 1) + " --cache_dir=none",
                     shell=True, cwd=tmp_path, capture_output=True, text=True, timeout=120,
                     env=dict(os.environ, PYTHONPATH=ROOT))
  assert r.returncode == 0, r.stderr
  decoded = [l for l in r.stdout.splitlines() if l.startswith("decoded (")]
  assert len(decoded) == 1 and decoded[0].endswith(row) and f"), seed {seed} " in decoded[0]


def test_hostile_labels_are_shown_as_text(open_page, tmp_path):
  labels = ["</script>", "<img src=x onerror=alert(1)>", "a\u2028b", "&amp;", "\"'`"]
  x = np.eye(5, 35, dtype=np.float32)
  dec = explorer.decoder([{"w": np.zeros((2, 35), np.float32),
                           "b": np.where(np.eye(1, 35, 0)[0] > 0, 5, -5).astype(np.float32)}],
                         [None], "sigmoid")   # decodes the first glyph everywhere
  codes = np.array([[0, 0], [1, 0], [0, 1], [1, 1], [2, 2]], np.float32)
  path = explorer.write(tmp_path / "h.html", "<b>bold</b>", "glyphs", labels, x, (7, 5),
                        [explorer.Seed(0, "best", dec, codes)])
  page = open_page(path)
  assert page.inner_text("h1") == "<b>bold</b>: the latent plane"
  assert page.inner_text("#out-text") == 'a copy of "</script>" (0 px)'
  page.evaluate("location.hash = 'seed=0&pins=c0;c1'")
  page.wait_for_function("window.explorer.strip() === 9")
  assert page.inner_text("#strip-title").startswith('"</script>" → "<img src=x onerror=alert(1)>"')
  page.evaluate("location.hash = 'seed=0&pins=c2;c3'")
  page.wait_for_function("document.getElementById('strip-title').textContent.includes('&amp;')")
  assert "a\u2028b" in page.evaluate("document.getElementById('strip-title').textContent")
  assert page.evaluate("document.querySelectorAll('img, b').length") == 0
