"""A headless Chromium for the explorer page's tests (Playwright driving the system's browser,
never a downloaded one), and a screenshot command:

  python tests/browser.py runs/latent2d/<run>/explorer.html docs/explorer.png 1280 800

Where no Chromium is found the browser tests skip with one line, except under CI=true,
where a missing browser fails them (.ci/run installs Debian's chromium).
"""
import os
import shutil
import sys

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


def next_frame(page):
  """Returns once the page has drawn what its last event changed: it redraws at the next
  animation frame, so what a test reads straight after a click can be the frame before."""
  page.evaluate("new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")


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
