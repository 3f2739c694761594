"""Every usage example in an ae/ docstring runs (doctest): an example that drifts from the
code fails here instead of misleading a reader."""
import doctest
import importlib
import pkgutil

import pytest

import ae

MODULES = sorted(m.name for m in pkgutil.iter_modules(ae.__path__, "ae."))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
  module = importlib.import_module(name)
  result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
  assert result.failed == 0, f"{name}: {result.failed} of {result.attempted} examples failed"


def test_the_examples_are_found():
  """The examples above are really collected (a module docstring without '>>>' runs none)."""
  attempted = {}
  for name in ("ae.autoencoder", "ae.train", "ae.solvers", "ae.report", "ae.runs", "ae.vae",
               "ae.circles"):
    finder = doctest.DocTestFinder()
    attempted[name] = sum(len(t.examples) for t in finder.find(importlib.import_module(name)))
  assert all(n >= 2 for n in attempted.values()), attempted
