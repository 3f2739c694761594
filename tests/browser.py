"""A headless Chromium for the explorer page's tests (Playwright driving the system's browser,
never a downloaded one), and a screenshot command:

  python tests/browser.py runs/latent2d/<run>/explorer.html docs/explorer.png 1280 800

Where no Chromium is found the browser tests skip with one line, except under CI=true,
where a missing browser fails them (.ci/run installs Debian's chromium).
"""
import os
import shutil
import sys

import pytest

NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def executable():
  """The system's Chromium: $AE_LAB_CHROMIUM, else the first of NAMES on PATH, else None."""
  return os.environ.get("AE_LAB_CHROMIUM") or next(
      (p for p in map(shutil.which, NAMES) if p), None)


def missing():
  """Why the browser tests cannot run here, or None."""
  try:
    import playwright.sync_api  # noqa: F401  pylint: disable=g-import-not-at-top,unused-import
  except ImportError:
    return "playwright is not installed (pip install -e '.[test]')"
  if executable() is None:
    return ("no Chromium found (apt-get install -y --no-install-recommends chromium, or set "
            "AE_LAB_CHROMIUM)")
  return None


def launch(playwright):
  return playwright.chromium.launch(executable_path=executable())


@pytest.fixture(scope="module")
def chromium():
  """One headless Chromium per test module (skips with one line where there is none, fails
  under CI=true)."""
  why = missing()
  if why is not None:
    if os.environ.get("CI") == "true":
      pytest.fail(f"CI needs the browser tests: {why}")
    pytest.skip(why)
  from playwright.sync_api import sync_playwright  # pylint: disable=g-import-not-at-top
  with sync_playwright() as p:
    b = launch(p)
    yield b
    b.close()


@pytest.fixture
def open_page(chromium):  # pylint: disable=redefined-outer-name
  """open_page(path, hash_="", **context) -> a Playwright page of an explorer page, opened
  and started (1280x800 unless the context says otherwise). After the test, every page it
  opened must have raised no error and logged no console error."""
  opened = []

  def go(path, hash_="", init_script=None, **context):
    ctx = chromium.new_context(**{"viewport": {"width": 1280, "height": 800}, **context})
    page = ctx.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(f"page error: {e}"))
    page.on("console", lambda m: page.errors.append(f"console: {m.text}")
            if m.type == "error" else None)
    page.on("dialog", lambda d: (page.errors.append(f"dialog: {d.message}"), d.dismiss()))
    page.set_default_timeout(10_000)
    if init_script:
      page.add_init_script(init_script)
    page.goto(f"file://{path}{hash_}")
    page.wait_for_function("window.explorer !== undefined")
    opened.append(page)
    return page

  yield go
  errors = [e for p in opened for e in p.errors]
  for p in opened:
    p.context.close()
  assert errors == []


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
  """(explorer.html, metrics, config, glyphs, params) of a latent2d run of 10 glyphs whose
  best seed reconstructs all of them (0 wrong px)."""
  # pylint: disable=g-import-not-at-top
  from ae.config import TrainConfig
  from ae.data import DataConfig
  from experiments import latent2d
  out = tmp_path_factory.mktemp("explorer") / "run"
  metrics = latent2d.run(latent2d.Config(data=DataConfig(n_chars=10),
                                         train=TrainConfig(iterations=600, seeds=2)), out)
  assert metrics["summary"]["seeds_zero"] >= 1 and metrics["explorer"]["file"] == "explorer.html"
  config, glyphs, params, _ = latent2d.load(out)
  return out / "explorer.html", metrics, config, glyphs, params


def screenshot(page_path, out, width, height, hash_=""):
  """A PNG of the page at width x height, the pointer on the middle of the plane."""
  from playwright.sync_api import sync_playwright  # pylint: disable=g-import-not-at-top
  with sync_playwright() as p:
    browser = launch(p)
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(f"file://{os.path.abspath(page_path)}{hash_}")
    page.wait_for_function("window.explorer !== undefined")
    box = page.locator("#plane").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.55, box["y"] + box["height"] * 0.45)
    page.wait_for_timeout(200)
    page.screenshot(path=out)
    browser.close()


if __name__ == "__main__":
  if len(sys.argv) not in (5, 6):
    sys.exit(__doc__)
  screenshot(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), *sys.argv[5:])
