"""Dependencies point down: data and models load without the engine, the library without
absl.flags, and a benchmark without an experiment's entry-point module."""
import ast
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
ENGINE = ("ae.config", "ae.program", "ae.train", "ae.solvers", "ae.optim", "ae.schedule")


def _loaded(module):
  """The modules a fresh interpreter holds after importing `module`."""
  out = subprocess.run([sys.executable, "-c", f"import sys, {module}; print(*sys.modules)"],
                       cwd=ROOT, capture_output=True, text=True, timeout=120, check=True)
  return set(out.stdout.split())


def test_data_loads_without_jax_optax_or_the_engine():
  loaded = _loaded("ae.data, ae.circles_data")
  assert not loaded & {"jax", "optax", *ENGINE}, sorted(loaded & {"jax", "optax", *ENGINE})


def test_models_load_without_the_engine():
  """The three models imported together load none of the engine, so none of them alone does
  (one interpreter: its start and jax's import are most of the cost)."""
  loaded = _loaded("ae.autoencoder, ae.vae, ae.denoise")
  assert not loaded & set(ENGINE), sorted(loaded & set(ENGINE))


def test_configurations_and_flags_load_without_jax():
  """The flags (every experiment's --help) are built from these alone: tests/test_startup.py."""
  loaded = _loaded("ae.choices, ae.models, ae.config, ae.data, ae.circles_data, "
                   "experiments.entry, experiments.cli")
  heavy = {"jax", "optax", "matplotlib", "scipy"}
  assert not loaded & heavy, sorted(loaded & heavy)


def test_the_names_a_flag_takes_are_the_functions_the_modules_hold():
  from ae import choices, losses, mlp, optim  # pylint: disable=g-import-not-at-top
  assert tuple(mlp.ACTIVATIONS) == choices.ACTIVATIONS
  assert set(choices.OUTPUT.values()) == set(losses._SQUASH)   # pylint: disable=protected-access
  for name in choices.OPTIMIZERS:
    for schedule in choices.SCHEDULES:
      optim.make(name, 0.01, 10, schedule)   # each name builds


def _imports(path):
  tree = ast.parse(path.read_text())
  for node in ast.walk(tree):
    if isinstance(node, ast.Import):
      yield from (a.name for a in node.names)
    elif isinstance(node, ast.ImportFrom):
      yield from ([f"{node.module}.{a.name}" for a in node.names] + [node.module])


def test_no_upward_imports():
  for path in sorted((ROOT / "ae").glob("*.py")):
    bad = [m for m in _imports(path) if m.startswith(("absl.flags", "experiments", "bench"))]
    assert not bad, (path.name, bad)
  for path in sorted((ROOT / "bench").glob("*.py")):
    bad = [m for m in _imports(path) if m.startswith("experiments.entry")
           or m == "experiments.entry"]
    assert not bad, (path.name, bad)
