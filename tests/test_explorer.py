"""explorer.html (issue 31): one offline file whose JavaScript decoder equals the model's,
driven in a real browser (tests/browser.py) by mouse, touch and the URL hash."""
import json
import re

import jax
import numpy as np
import pytest

import spawn
from ae import InputError, autoencoder, explorer, train, vae
from ae.autoencoder import AEConfig
from ae.config import TrainConfig
from ae.data import DataConfig


FAST = TrainConfig(iterations=20, seeds=2)


def _stack(trees):
  return jax.tree.map(lambda *a: np.stack(a), *trees)


def _autoencoder_page(tmp_path, model, x, kind="glyphs", shape=(7, 5), seeds=3):
  """A page of `seeds` freshly initialised autoencoders (no training: the decoder's
  arithmetic is under test, not the fit); returns (path, params with a seed axis)."""
  params = _stack([autoencoder.init(model, jax.random.PRNGKey(s)) for s in range(seeds)])
  shown = [explorer.Seed(s, "", explorer.autoencoder_decoder(model, train.seed_params(params, s)),
                         np.asarray(autoencoder.encode(model, train.seed_params(params, s), x)))
           for s in range(seeds)]
  labels = [chr(65 + i) for i in range(len(x))] if kind == "glyphs" else [
      f"{r:.3f}" for r in np.linspace(0.1, 0.9, len(x))]
  return explorer.write(tmp_path / "explorer.html", "test", kind, labels, x, shape, shown), params


def _data(path):
  text = path.read_text(encoding="utf-8")
  return json.loads(re.search(r'<script type="application/json" id="data">(.*?)</script>', text,
                              re.S).group(1))


def test_the_page_is_one_offline_file_with_the_exact_weights(tmp_path):
  x = (np.random.default_rng(0).random((6, 35)) > 0.5).astype(np.float32)
  model = AEConfig(arch=(35, 16, 2, 16, 35))
  path, params = _autoencoder_page(tmp_path, model, x)
  text = path.read_text(encoding="utf-8")
  assert "http://" not in text and "https://" not in text and "fetch(" not in text
  assert not re.search(r"/\*(STYLE|SCRIPT|DATA)\*/", text)
  for name in explorer.SCRIPTS:  # the readable files, inlined as they are
    assert (explorer.importlib.resources.files("ae") / "web" / name).read_text() in text
  data = _data(path)
  layer = data["seeds"][1]["layers"][0]   # seed 1's first decoder layer: the latent -> 16 one
  w = np.frombuffer(__import__("base64").b64decode(layer["w"]), "<f4").reshape(2, 16)
  assert np.array_equal(w, np.asarray(params[2]["w"][1]))   # bit for bit
  assert [l["act"] for l in data["seeds"][0]["layers"]] == ["tanh", None]
  assert data["seeds"][0]["output"] == "sigmoid" and data["x"][:35] == "".join(
      "1" if v else "0" for v in x[0] > 0.5)


def test_labels_cannot_end_the_script_element(tmp_path):
  x = np.eye(2, 35, dtype=np.float32)
  model = AEConfig(arch=(35, 4, 2, 4, 35))
  p = autoencoder.init(model, jax.random.PRNGKey(0))
  seed = explorer.Seed(0, "best", explorer.autoencoder_decoder(model, p), np.zeros((2, 2)))
  path = explorer.write(tmp_path / "e.html", "</script><!--", "glyphs", ["</script>", "<!--"],
                        x, (7, 5), [seed])
  assert path.read_text().count("</script>") == 2   # the data's and the code's own
  assert _data(path)["labels"] == ["</script>", "<!--"]


def test_the_seeds_shown_are_the_best_the_median_then_the_others():
  rows = [{"seed": 10 + i, "diverged": i == 1} for i in range(6)]
  metrics = {"summary": {"best_seed": 14, "median_seed": 12}, "per_seed": rows}
  assert explorer.pick(metrics, 16) == [4, 2, 0, 3, 5]
  assert explorer.pick(metrics, 3) == [4, 2, 0]
  assert explorer.tags(metrics) == {4: "best", 2: "median"}


def test_no_page_where_the_latent_space_is_not_2d_and_the_seed_count_is_checked(tmp_path):
  from experiments import denoise, explorer_pages, latent2d  # pylint: disable=g-import-not-at-top
  assert explorer_pages.autoencoder_page(tmp_path, denoise.Config(), None, {}, {}) == {
      "file": None, "why": "the latent space is 20-D; the page explores a 2-D one"}
  assert not list(tmp_path.iterdir())
  with pytest.raises(InputError, match="explorer_seeds must be in 0..256"):
    latent2d.prepare(latent2d.Config(explorer_seeds=-1))


@pytest.mark.slow
def test_a_run_without_a_2d_latent_says_why_it_has_no_page(tmp_path, capsys):
  from experiments import denoise  # pylint: disable=g-import-not-at-top
  metrics = denoise.run(denoise.Config(data=DataConfig(n_chars=4), train=FAST), tmp_path / "d")
  assert metrics["explorer"] == {"file": None, "why": "the latent space is 20-D; the page "
                                                     "explores a 2-D one"}
  assert not (tmp_path / "d" / "explorer.html").exists()
  assert "explorer: none (the latent space is 20-D" in capsys.readouterr().out


# ---------------------------------------------------------------- in the browser
def _points(codes, rng):
  """50 latent points inside the codes' box and 10 outside it (up to 3 spans away)."""
  lo, hi = codes.min(0), codes.max(0)
  span = np.maximum(hi - lo, 1e-3)
  inside = lo + rng.random((50, 2)) * span
  outside = []
  while len(outside) < 10:
    p = lo - 3 * span + rng.random(2) * 7 * span
    if np.any(p < lo) or np.any(p > hi):
      outside.append(p)
  return np.concatenate([inside, outside])


def _page_decode(page, seed, pts):
  return np.array(page.evaluate("([s, pts]) => pts.map(([a, b]) => window.explorer.decode(s, a, b))",
                                [seed, pts.tolist()]))


def _same_outputs(page_out, want, binary):
  np.testing.assert_allclose(page_out, want, atol=1e-4, rtol=1e-5)
  if binary:  # the thresholded pixels agree wherever the probability is not at 0.5
    sure = np.abs(want - 0.5) > 1e-4
    assert np.array_equal((page_out > 0.5)[sure], (want > 0.5)[sure])


@pytest.mark.parametrize("hidden,latent,loss", [
    ("tanh", "identity", "bce"), ("relu", "sigmoid", "mse_tanh"),
    pytest.param("sigmoid", "tanh", "mse_sigmoid", marks=pytest.mark.slow),
    pytest.param("identity", "relu", "bce", marks=pytest.mark.slow)])
def test_the_page_decodes_as_autoencoder_decode(tmp_path, open_page, hidden, latent, loss):
  x = (np.random.default_rng(1).random((12, 35)) > 0.5).astype(np.float32)
  model = AEConfig(arch=(35, 24, 12, 2, 12, 24, 35), activation=hidden,
                   latent_activation=latent, loss=loss, init="normal")
  path, params = _autoencoder_page(tmp_path, model, x)
  page = open_page(path)
  rng = np.random.default_rng(2)
  assert page.evaluate("window.explorer.seeds()") == [0, 1, 2]
  for seed in (0, 1, 2):
    p = train.seed_params(params, seed)
    pts = _points(np.asarray(autoencoder.encode(model, p, x)), rng)
    _same_outputs(_page_decode(page, seed, pts),
                  np.asarray(autoencoder.decode(model, p, pts)), True)


def test_the_page_decodes_circles_as_the_model_does(tmp_path, open_page):
  from ae import circles_data  # pylint: disable=g-import-not-at-top
  x, _, _ = circles_data.circles(jax.random.PRNGKey(0), circles_data.CirclesConfig(circles=20))
  model = AEConfig(arch=(42, 16, 2, 16, 42), loss="mse", init="normal")
  path, params = _autoencoder_page(tmp_path, model, x, "circles", (21, 2), seeds=2)
  page = open_page(path, "#aligned=0")   # the plane in the seed's own frame
  assert _data(path)["band"] is None
  assert page.evaluate("window.explorer.seeds()") == [0, 1]
  rng = np.random.default_rng(3)
  for seed in (0, 1):
    p = train.seed_params(params, seed)
    pts = _points(np.asarray(autoencoder.encode(model, p, x)), rng)
    _same_outputs(_page_decode(page, seed, pts), np.asarray(autoencoder.decode(model, p, pts)),
                  False)
  # the fitted radius and circularity the panel prints are ae/circles.py's
  seed = page.evaluate("window.explorer.state().seed")
  z = np.asarray(autoencoder.encode(model, train.seed_params(params, seed), x))[3]
  page.mouse.move(*page.evaluate(f"window.explorer.toClient({z[0]}, {z[1]})"))
  page.wait_for_function(f"Math.abs(window.explorer.shown().z[0] - {z[0]}) < {1e-2 * (1 + abs(z[0]))}")
  shown = page.evaluate("window.explorer.shown()")
  from ae import circles  # pylint: disable=g-import-not-at-top
  q = circles.quality(np.asarray([shown["output"]]))
  text = page.inner_text("#out-text")
  assert f"fitted radius {q['radius'][0]:.3f}" in text
  assert f"circularity {100 * q['circularity'][0]:.2f}%" in text


@pytest.mark.parametrize("likelihood", ["bernoulli", "gaussian"])
def test_the_page_decodes_as_vae_decode(tmp_path, open_page, likelihood):
  x = (np.random.default_rng(4).random((10, 35)) > 0.5).astype(np.float32)
  cfg = vae.VAEConfig(likelihood=likelihood)
  params = _stack([vae.init(cfg, 35, jax.random.PRNGKey(s)) for s in range(2)])
  mu, logvar, _, _ = map(np.asarray, vae.posterior(cfg, params, x))
  seeds = [explorer.Seed(s, "", explorer.vae_decoder(cfg, train.seed_params(params, s)), mu[s],
                         logvar[s]) for s in range(2)]
  path = explorer.write(tmp_path / "v.html", "vae", "glyphs", list("ABCDEFGHIJ"), x, (7, 5),
                        seeds, prior=True)
  page = open_page(path)
  assert page.evaluate("window.explorer.seeds()") == [0, 1]
  rng = np.random.default_rng(5)
  squash = (lambda o: 1 / (1 + np.exp(-o))) if likelihood == "bernoulli" else (lambda o: o)
  for s in (0, 1):
    pts = _points(mu[s], rng)
    one = jax.tree.map(lambda a: a[s:s + 1], params)
    want = squash(np.asarray(vae.decode_all(cfg, one, pts))[0])
    _same_outputs(_page_decode(page, s, pts), want, likelihood == "bernoulli")


def _code(config, glyphs, params, metrics, seed):
  p = train.seed_params(params, seed - config.train.seed)
  return np.asarray(autoencoder.encode(config.model, p, glyphs.x))


def test_the_mouse_on_a_code_shows_that_glyph_and_names_it(open_page, trained):
  path, metrics, config, glyphs, params = trained
  page = open_page(path)
  best = metrics["summary"]["best_seed"]
  assert page.evaluate("window.explorer.state().seed") == best   # the page opens on the best
  page.uncheck("#aligned")   # the plane in the seed's own frame
  z = _code(config, glyphs, params, metrics, best)
  for k, ch in enumerate(glyphs.chars):
    page.mouse.move(*page.evaluate(f"window.explorer.toClient({z[k, 0]}, {z[k, 1]})"))
    page.wait_for_function(f"Math.abs(window.explorer.shown().z[0] - {z[k, 0]}) < "
                           f"{1e-2 * (1 + abs(z[k, 0]))}")
    shown = page.evaluate("window.explorer.shown()")
    assert np.sum((np.asarray(shown["output"]) > 0.5) != (glyphs.x[k] > 0.5)) == 0, ch
    assert shown["label"] == ch and shown["hamming"] == 0
    assert page.inner_text("#out-text") == f'a copy of "{ch}" (0 px)'
    assert page.inner_text("#near-text") == f'"{ch}": the same pixels'


def test_pins_draw_nine_tiles_and_the_hash_keeps_the_view(open_page, trained):
  path, metrics, config, glyphs, params = trained
  page = open_page(path, "#aligned=0")   # the plane in the seed's own frame
  z = _code(config, glyphs, params, metrics, metrics["summary"]["best_seed"])
  for k in (0, 3):   # click the codes of the first and the fourth glyph
    page.mouse.click(*page.evaluate(f"window.explorer.toClient({z[k, 0]}, {z[k, 1]})"))
  page.wait_for_function("window.explorer.strip() === 9")   # drawn at the next frame
  assert [p["code"] for p in page.evaluate("window.explorer.state().pins")] == [0, 3]
  assert page.inner_text("#strip-title").startswith(f'"{glyphs.chars[0]}" → "{glyphs.chars[3]}"')
  page.click("#zoom-in")
  page.check("#grid")
  page.check("#threshold")
  before = page.evaluate("window.explorer.state()")
  page.wait_for_function("location.hash.includes('threshold=1')")   # written once it settles
  again = open_page(path, "#" + page.url.split("#", 1)[1])
  after = again.evaluate("window.explorer.state()")
  for k in ("seed", "grid", "threshold"):
    assert after[k] == before[k], k
  assert after["pins"] == before["pins"]
  for k in ("cx", "cy", "span"):   # the hash keeps 6 significant digits
    assert after["view"][k] == pytest.approx(before["view"][k], rel=1e-5, abs=1e-6)
  seeds = again.evaluate("window.explorer.seeds()")
  other = [s for s in seeds if s != before["seed"]][0]
  again.select_option("#seed", value=str(seeds.index(other)))
  assert again.evaluate("window.explorer.state().seed") == other


@pytest.mark.slow
def test_load_rewrites_the_page_and_open_hands_it_to_the_browser(tmp_path, trained):
  """--load --explorer_seeds=1 --open: a new page of one seed, its file:// URL given to the
  default browser ($BROWSER here: a script that writes down what it was asked to open)."""
  import stat, sys  # pylint: disable=g-import-not-at-top,multiple-imports
  path = trained[0]
  opened = tmp_path / "opened.txt"
  fake = tmp_path / "browser"
  fake.write_text(f"#!{sys.executable}\nimport sys\nopen({str(opened)!r}, 'w').write(sys.argv[1])\n")
  fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
  r = spawn.run("latent2d", f"--load={path.parent}", "--explorer_seeds=1", "--open",
                f"--out_dir={tmp_path}", "--run_name=o", "--cache_dir=none",
                env=dict(spawn.ENV, BROWSER=str(fake)))
  assert r.returncode == 0, r.stderr
  page = tmp_path / "latent2d" / "o" / "explorer.html"
  assert f"explorer: {page}" in r.stdout
  assert [s["seed"] for s in _data(page)["seeds"]] == [trained[1]["summary"]["best_seed"]]
  assert opened.read_text() == page.resolve().as_uri()


@pytest.mark.slow
def test_a_vae_pages_its_2d_latent_and_says_why_not_for_3d(tmp_path, capsys):
  from experiments import vae as vae_run  # pylint: disable=g-import-not-at-top
  short = TrainConfig(iterations=30, seeds=2, log_every=10)
  two = vae_run.run(vae_run.Config(data=DataConfig(n_chars=6), train=short), tmp_path / "two")
  assert two["explorer"]["file"] == "explorer.html"
  data = _data(tmp_path / "two" / "explorer.html")
  assert data["prior"] and all(s["logvar"] for s in data["seeds"])
  three = vae_run.run(vae_run.Config(data=DataConfig(n_chars=6), model=vae.VAEConfig(
      latent_dim=3), train=short), tmp_path / "three")
  assert three["explorer"]["why"].startswith("the latent space is 3-D")
  assert not (tmp_path / "three" / "explorer.html").exists()
  assert "explorer: none (the latent space is 3-D" in capsys.readouterr().out


def test_the_scripts_share_one_namespace_and_no_other_global():
  """Each ae/web script fills one part of LX inside its own function; nothing else is
  declared at the top level (the page's only globals: LX and the test hook)."""
  top = re.compile(r"^(?:const|let|var|function|class|async)\b.*", re.M)
  for name in explorer.SCRIPTS:
    text = (explorer.importlib.resources.files("ae") / "web" / name).read_text()
    assert top.findall(text) == [], name
    assert re.search(r"^(LX\.\w+ = \(\(\) => \{|\(\(\) => \{)$", text, re.M), name
  page = (explorer.importlib.resources.files("ae") / "web" / "explorer.html").read_text()
  assert top.findall(page) == ["const LX = {};  // the one namespace the page's scripts share "
                               "(ae/web/*.js, in ae/explorer.py's order)"]


def test_the_page_names_its_run_and_each_seeds_result(open_page, trained):
  """Issue 42: the run's name and date under the title, each seed's worst glyph in the menu,
  the strip's captions saying against which glyph."""
  path, metrics, config, glyphs, params = trained
  page = open_page(path, "#aligned=0")
  assert re.search(rf"run {path.parent.name}, written \d{{4}}-\d\d-\d\d \d\d:\d\d$",
                   page.inner_text("#subtitle"))
  options = page.locator("#seed option").all_inner_texts()
  by_seed = {p["seed"]: p["max_pixel_error"] for p in metrics["per_seed"]}
  for text in options:
    seed = int(re.match(r"seed (\d+)", text).group(1))
    assert text.endswith(f": worst glyph {by_seed[seed]:g} px"), text
  page.evaluate("location.hash = 'aligned=0&pins=c0;c3&seed=" +
                f"{metrics['summary']['best_seed']}'")
  page.wait_for_function("window.explorer.strip() === 9")
  captions = page.locator("#strip figcaption").all_inner_texts()
  assert captions[0] == f'"{glyphs.chars[0]}" 0 px' and captions[-1] == f'"{glyphs.chars[3]}" 0 px'
  assert "the pixels that differ from it" in page.inner_text("#strip-title")
