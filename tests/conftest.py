"""Test-wide JAX settings: two CPU devices (the seed-sharded path of train.fit_seeds runs) and
strict numerics: implicit rank promotion raises."""
import os
import sys

import jax

jax.config.update("jax_num_cpu_devices", 2)
jax.config.update("jax_numpy_rank_promotion", "raise")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FONT_H = os.path.join(ROOT, "..", "shared", "reference", "font.h")
sys.path.insert(0, ROOT)


import importlib  # noqa: E402
import json  # noqa: E402

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def every_run_reloads(request, tmp_path_factory, monkeypatch):
  """In the slow suite, every run directory a test writes in this process is reloaded after
  the test with its experiment's --load (a run the tool wrote that could not be reloaded was
  a defect): the reload must give a complete run directory."""
  if request.node.get_closest_marker("slow") is None:
    yield
    return
  from ae import runs  # pylint: disable=g-import-not-at-top
  written, exit_ = [], runs.Building.__exit__
  def record(self, kind, value, tb):
    out = exit_(self, kind, value, tb)
    if kind is None and self.path.is_dir():
      written.append(self.path)
    return out
  monkeypatch.setattr(runs.Building, "__exit__", record)
  yield
  monkeypatch.setattr(runs.Building, "__exit__", exit_)
  for i, path in enumerate(p for p in written if p.is_dir()):
    name = json.loads((path / "config.json").read_text())["experiment"]
    out = tmp_path_factory.mktemp("reloaded") / f"r{i}"
    importlib.import_module(f"experiments.{name}").rerun(path, out)
    assert (out / "metrics.json").is_file() and (out / "config.json").is_file(), path
