"""explorer.html's aligned view (issue 40): every seed drawn in the consensus frame of the shown
seeds' codes (ae/align.py), decoded at its own point; the "all seeds" small multiples. The
frame is computed here by align.gpa, independently of the page's transforms."""
import json
import re

import jax
import numpy as np
import pytest

from ae import align, autoencoder, explorer, losses, train
from ae.autoencoder import AEConfig
from browser import next_frame  # tests/browser.py, beside this file


def _page(tmp_path, seeds=3, n=12):
  """A page of `seeds` freshly initialised autoencoders of n random glyphs (the arithmetic is
  under test, not the fit): (path, model, params, x, every seed's codes)."""
  x = (np.random.default_rng(7).random((n, 35)) > 0.5).astype(np.float32)
  model = AEConfig(arch=(35, 24, 2, 24, 35), init="normal")
  params = jax.tree.map(lambda *a: np.stack(a), *[
      autoencoder.init(model, jax.random.PRNGKey(s)) for s in range(seeds)])
  ps = [train.seed_params(params, s) for s in range(seeds)]
  codes = np.stack([np.asarray(autoencoder.encode(model, p, x)) for p in ps])
  shown = [explorer.Seed(s, "", explorer.autoencoder_decoder(model, ps[s]), codes[s])
           for s in range(seeds)]
  path = explorer.write(tmp_path / "explorer.html", "test", "glyphs",
                        [chr(65 + i) for i in range(n)], x, (7, 5), shown)
  return path, model, ps, x, codes


def _client(page, w):
  return page.evaluate(f"window.explorer.toClient({w[0]}, {w[1]})")


def test_the_aligned_decode_is_the_models_at_the_mapped_point(tmp_path, open_page):
  path, model, ps, x, codes = _page(tmp_path)
  a = align.gpa(codes.astype(np.float32).astype(float))   # the codes as the page holds them
  page = open_page(path)
  assert page.evaluate("window.explorer.state().aligned") and page.is_checked("#aligned")
  w = a.consensus.min(0) + np.random.default_rng(8).random((40, 2)) * np.ptp(a.consensus, 0)
  for s in range(3):
    own = np.array(page.evaluate(f"{w.tolist()}.map(([a, b]) => window.explorer.toSeed({s}, a, b))"))
    np.testing.assert_allclose(own, a.to_seed(s, w), atol=1e-5)
    got = np.array(page.evaluate(
        f"{w.tolist()}.map(([a, b]) => window.explorer.decodeAligned({s}, a, b))"))
    want = np.asarray(autoencoder.decode(model, ps[s], a.to_seed(s, w)))
    np.testing.assert_allclose(got, want, atol=1e-4)


@pytest.mark.slow
def test_switching_seeds_keeps_the_view_and_each_glyph_at_its_aligned_place(tmp_path, open_page):
  path, model, ps, x, codes = _page(tmp_path)
  a = align.gpa(codes.astype(np.float32).astype(float))
  page = open_page(path)
  for s in (0, 2):
    page.select_option("#seed", value=str(s))
    if s == 0:
      view = page.evaluate("window.explorer.state().view")
      page.mouse.click(*_client(page, a.aligned[0][4]))   # pins glyph E, where seed 0 draws it
      page.wait_for_function("window.explorer.state().pins.length === 1")
    state = page.evaluate("window.explorer.state()")
    assert state["view"] == view   # the eye's frame does not move
    assert state["pins"][0]["code"] == 4
    np.testing.assert_allclose(state["pins"][0]["z"], a.to_consensus(s, codes[s][4]), atol=1e-5)
    # the pointer on the seed's aligned code of a glyph decodes that seed's own code of it
    page.mouse.move(*_client(page, a.aligned[s][7]))
    page.wait_for_function(f"Math.abs(window.explorer.shown().own[0] - {codes[s][7][0]}) < 0.02"
                           f" * {1 + abs(codes[s][7][0])}")
    title = page.inner_text("#out-title")
    assert re.fullmatch(rf"decoded at \(.*\), seed {s}'s own \(.*\)", title), title


@pytest.mark.slow
def test_turning_alignment_off_keeps_the_point_and_the_link_remembers(tmp_path, open_page):
  path, model, ps, x, codes = _page(tmp_path)
  page = open_page(path)
  box = page.locator("#plane").bounding_box()
  page.mouse.click(box["x"] + box["width"] * 0.4, box["y"] + box["height"] * 0.6)   # a pin
  page.wait_for_function("window.explorer.state().pins.length === 1")
  seed, pin = page.evaluate("[window.explorer.state().seed, window.explorer.state().pins[0].z]")
  own = page.evaluate(f"window.explorer.toSeed({seed}, {pin[0]}, {pin[1]})")
  decoded = page.evaluate(f"window.explorer.decodeAligned({seed}, {pin[0]}, {pin[1]})")
  page.uncheck("#aligned")   # the pointer leaves the plane: the panel shows the pin
  next_frame(page)
  after = page.evaluate("window.explorer.shown()")
  state = page.evaluate("window.explorer.state()")
  assert not state["aligned"] and page.is_disabled("#all")
  np.testing.assert_allclose(state["pins"][0]["z"], own, atol=1e-9)   # the same point, own frame
  np.testing.assert_allclose(after["z"], own, atol=1e-9)
  assert after["output"] == pytest.approx(decoded, abs=1e-6)
  assert not page.inner_text("#out-title").count("own")
  page.wait_for_function("location.hash.includes('aligned=0')")
  again = open_page(path, "#" + page.url.split("#", 1)[1])
  assert not again.evaluate("window.explorer.state().aligned")
  assert again.evaluate("window.explorer.state().pins")[0]["z"] == pytest.approx(
      state["pins"][0]["z"], rel=1e-5)


@pytest.mark.slow   # the page twice: about 3 s: the default suite keeps under 2 minutes
def test_all_seeds_decode_the_same_consensus_point_each_in_its_own_frame(tmp_path, open_page):
  path, model, ps, x, codes = _page(tmp_path)
  a = align.gpa(codes.astype(np.float32).astype(float))
  page = open_page(path)
  assert page.locator("#seeds-box").is_hidden()
  page.check("#all")
  w = a.consensus[2] * 0.5 + a.consensus[9] * 0.5
  page.mouse.move(*_client(page, w))
  # drawn for the pointer's point (the frame before drew the cards at the first glyph)
  page.wait_for_function(f"window.explorer.allSeeds().length === 3 && "
                         f"Math.abs(window.explorer.shown().z[0] - {w[0]}) < 0.02 * {1 + abs(w[0])}")
  z, cards = page.evaluate("[window.explorer.shown().z, window.explorer.allSeeds()]")
  captions = page.locator("#seeds figcaption").all_inner_texts()
  for s, (card, caption) in enumerate(zip(cards, captions)):
    own = a.to_seed(s, np.asarray([z]))
    np.testing.assert_allclose(card["own"], own[0], atol=1e-5)
    out = np.asarray(autoencoder.decode(model, ps[s], own)) > 0.5
    k, ham = losses.nearest(out, x)
    label = chr(65 + int(k[0]))
    said = f"a copy of {json.dumps(label)}" if ham[0] == 0 else f"{int(ham[0])} px from {json.dumps(label)}"
    assert caption == f"seed {s}: {said}"   # what the reader sees under each card
  assert page.inner_text("#seeds-title").startswith("all 3 seeds at (")
  # two pins: each card draws its seed's 9 decodes between them
  page.evaluate("location.hash = 'aligned=1&all=1&seed=0&pins=c0;c5'")
  page.wait_for_function("document.querySelectorAll('#seeds .mini-strip canvas').length === 27")
  assert "9 decodes between the pins" in page.inner_text("#seeds-title")


def test_one_seed_has_no_aligned_view(tmp_path, open_page):
  path, *_ = _page(tmp_path, seeds=1)
  page = open_page(path, "#aligned=1&all=1")
  assert page.locator("#aligned-box").is_hidden() and page.locator("#all-box").is_hidden()
  state = page.evaluate("window.explorer.state()")
  assert not state["aligned"] and not state["all"]
  assert explorer.transforms([np.zeros((4, 2)), np.ones((4, 2))]) == [None, None]  # collapsed
