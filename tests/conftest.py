"""Test-wide JAX settings: two CPU devices (the seed-sharded path of train.fit_seeds runs) and
strict numerics: implicit rank promotion raises."""
import os
import sys

import jax
import numpy as np

jax.config.update("jax_num_cpu_devices", 2)
jax.config.update("jax_numpy_rank_promotion", "raise")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FONT_H = os.path.join(ROOT, "..", "shared", "reference", "font.h")
sys.path.insert(0, ROOT)



import pytest  # noqa: E402


def jax_arrays_in(fig):
  """(artist, attribute) of every JAX array a matplotlib figure holds, directly or in a
  list, tuple or object array: what drawing it would call into JAX for."""
  def holds(v):
    if isinstance(v, (list, tuple)):
      items = v
    elif isinstance(v, np.ndarray) and v.dtype == object:
      items = v.flat
    else:
      items = (v,)
    return any(isinstance(x, jax.Array) for x in items)
  return [(type(a).__name__, name) for a in fig.findobj() for name, v in vars(a).items()
          if holds(v)]


@pytest.fixture(autouse=True)
def no_jax_in_figures(monkeypatch):
  """Every figure a test draws holds no JAX array: ae/plot_files.py's forked copy writes
  figures and must not call into JAX, whose threads it does not have."""
  from ae import plot_files  # pylint: disable=g-import-not-at-top

  def checked(fig, path):
    held = jax_arrays_in(fig)
    assert not held, f"{path}: the figure holds JAX arrays, at {held}: np.asarray them"
  monkeypatch.setattr(plot_files, "check", checked)


@pytest.fixture(autouse=True)
def no_figure_left_open():
  """Closes every pyplot figure a test left open. A test that keeps a figure to read it (its
  save monkeypatched) would leave it to the next test of its worker process, and
  tests/test_plot_files.py asserts that its scope closes every figure."""
  yield
  if "matplotlib.pyplot" in sys.modules:
    sys.modules["matplotlib.pyplot"].close("all")


def lowered(fn):
  """(fn(), the programs JAX lowered while it ran: their names, e.g. 'jit(_decode)'), from
  jax.monitoring's events: one per program traced and lowered, a cached one (in this
  process) none."""
  import jax.monitoring  # pylint: disable=g-import-not-at-top
  names = []

  def listen(event, _, fun_name=None, **__):
    if event == "/jax/core/compile/jaxpr_to_mlir_module_duration":
      names.append(fun_name)

  jax.monitoring.register_event_duration_secs_listener(listen)
  try:
    out = fn()
  finally:
    jax.monitoring.unregister_event_duration_listener(listen)
  return out, names


# ---------------------------------------------------------------- the explorer page's browser
@pytest.fixture(scope="session")
def chromium():
  """One headless Chromium per test process (tests/browser.py: the system's; skips with one
  line where there is none, fails under CI=true)."""
  import browser  # pylint: disable=g-import-not-at-top
  why = browser.missing()
  if why is not None:
    if os.environ.get("CI") == "true":
      pytest.fail(f"CI needs the browser tests: {why}")
    pytest.skip(why)
  from playwright.sync_api import sync_playwright  # pylint: disable=g-import-not-at-top
  with sync_playwright() as p:
    b = browser.launch(p)
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


@pytest.fixture(scope="session")
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
