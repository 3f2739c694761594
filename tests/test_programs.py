"""Programs kept on disk (ae/programs.py): a kept program is read back, not traced, and
computes the same bits; a damaged file is traced again and replaced; nothing is kept without
a key or a folder; the file's name changes with everything the program depends on. And the
Task keys (ae/task.py `keyed`) that name a task's functions."""
import dataclasses
import importlib.metadata
import subprocess
import sys

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from jax.sharding import Mesh, NamedSharding, PartitionSpec

from ae import autoencoder, denoise, programs, vae
from ae.models import AEConfig, NoiseConfig, VAEConfig
from ae.task import Task, keyed
from conftest import ROOT

ARGS = ({"w": np.arange(6, dtype=np.float32).reshape(2, 3)}, [np.float32(0.5), np.ones(3, np.float32)])


def fresh(traces):
  """A new function (so JAX's own in-process caches cannot answer) that counts its traces;
  its results hold a dict and a list."""
  def f(params, rest):
    traces.append(1)
    scale, v = rest
    return {"y": jnp.tanh(params["w"] @ v) * scale}, [jnp.sum(params["w"] ** 2, axis=1)]
  return f


@pytest.fixture
def kept(tmp_path, monkeypatch):
  monkeypatch.setattr(programs, "folder", lambda: tmp_path)
  return tmp_path


def same(a, b):
  return all(np.array_equal(x, y) for x, y in zip(jax.tree.leaves(a), jax.tree.leaves(b)))


def test_a_kept_program_is_read_back_not_traced_and_computes_the_same_bits(kept):
  traces = []
  want = jax.jit(fresh([]))(*ARGS)
  first = programs.compiled(fresh(traces), ARGS, "f")(*ARGS)
  assert len(traces) == 1 and len(list(kept.glob("*" + programs.SUFFIX))) == 1
  second = programs.compiled(fresh(traces), ARGS, "f")(*ARGS)
  assert len(traces) == 1   # read back: the function's Python never ran
  assert same(first, want) and same(second, want)
  assert jax.tree.structure(second) == jax.tree.structure(want)


@pytest.mark.parametrize("order", [[0, 1], [1, 0]])
def test_a_program_read_back_keeps_its_placement_on_every_device(kept, order):
  mesh = Mesh(np.array(jax.devices())[order], ("seed",))   # conftest: 2 CPU devices
  on_seeds = NamedSharding(mesh, PartitionSpec("seed"))
  jit = lambda f: jax.jit(f, in_shardings=(on_seeds, None), out_shardings=on_seeds)
  traces = []
  want = jit(fresh([]))(*ARGS)
  for _ in range(2):
    out = programs.compiled(fresh(traces), ARGS, "f", jit)(*ARGS)
    assert same(out, want) and out[0]["y"].sharding == on_seeds
  assert len(traces) == 1 and len(jax.devices()) == 2


def test_a_program_read_back_is_neither_lowered_nor_compiled(kept):
  """The executable itself is loaded: no lowering, no compile (not even one JAX's cache
  answers), which cost a warm run 0.05-0.3 s a program."""
  events = []
  listen = lambda name, *a, **kw: events.append(name)
  jax.monitoring.register_event_duration_secs_listener(listen)
  try:
    programs.compiled(fresh([]), ARGS, "f")
    made = len(events)
    out = programs.compiled(fresh([]), ARGS, "f")(*ARGS)
  finally:
    jax.monitoring.unregister_event_duration_listener(listen)
  assert any(e.endswith("jaxpr_to_mlir_module_duration") for e in events[:made]), events
  assert not [e for e in events[made:] if "/compile" in e or "compilation" in e], events[made:]
  assert same(out, jax.jit(fresh([]))(*ARGS))


AFTER_JAX_CACHE = """
import pathlib, sys
import jax, jax.numpy as jnp, numpy as np
jax.config.update("jax_compilation_cache_dir", sys.argv[1])
jax.config.update("jax_persistent_cache_min_compile_time_secs", 0)
from ae import programs
f = lambda x, y: jnp.tanh(x @ y + 1.0).sum(0) * 2 + x[0]
args = (np.ones((4, 4), np.float32), np.full((4, 4), 0.5, np.float32))
programs.compiled(f, args, "f")   # compiled, kept, and put in JAX's cache too
for path in programs.folder().iterdir():
  path.unlink()   # the kept file lost: JAX's cache still holds the program
programs.compiled(f, args, "f")   # kept again
(path,) = programs.folder().iterdir()
loaded = programs._read(path)
print(np.array_equal(loaded(*args), jax.jit(f)(*args)))
"""


def test_a_program_kept_again_while_jax_cache_holds_it_runs(tmp_path):
  """An executable read from JAX's persistent cache is written without its compiled
  functions, so a kept program is always compiled anew (programs._named_anew): the file
  kept a second time, while JAX's cache holds the same program, runs and gives the bits."""
  r = subprocess.run([sys.executable, "-c", AFTER_JAX_CACHE, str(tmp_path)], cwd=ROOT,
                     capture_output=True, text=True, timeout=120)
  assert r.returncode == 0 and r.stdout.split() == ["True"], r.stderr[-2000:]


def test_a_damaged_file_is_traced_again_and_replaced(kept):
  traces = []
  programs.compiled(fresh(traces), ARGS, "f")
  (path,) = kept.glob("*" + programs.SUFFIX)
  path.write_bytes(path.read_bytes()[:100])   # cut short, as a full disk leaves it
  out = programs.compiled(fresh(traces), ARGS, "f")(*ARGS)
  assert len(traces) == 2 and same(out, jax.jit(fresh([]))(*ARGS))
  programs.compiled(fresh(traces), ARGS, "f")
  assert len(traces) == 2   # the file was written again, whole
  assert [p.name for p in kept.iterdir()] == [path.name]   # nothing written aside is left


def test_what_jax_export_cannot_write_is_traced_every_run(kept):
  def f(x):   # a host callback: jax.export writes none
    return jax.pure_callback(lambda a: np.asarray(a) * 2, jax.ShapeDtypeStruct((3,), np.float32),
                             x) + 1
  for _ in range(2):
    out = programs.compiled(f, (np.ones(3, np.float32),), "f")(np.ones(3, np.float32))
    np.testing.assert_array_equal(out, [3, 3, 3])
  assert not list(kept.iterdir())


def test_an_error_of_the_function_itself_is_raised(kept):
  def f(x):
    return x @ jnp.ones((4, 2))   # (3,) @ (4, 2): a shape error while tracing
  with pytest.raises(TypeError, match="dot_general"):
    programs.compiled(f, (np.ones(3, np.float32),), "f")
  assert not list(kept.iterdir())


def test_no_key_or_no_folder_keeps_nothing(kept, monkeypatch):
  traces = []
  for _ in range(2):
    programs.compiled(fresh(traces), ARGS, None)
  assert len(traces) == 2 and not list(kept.iterdir())
  monkeypatch.setattr(programs, "folder", lambda: None)
  for _ in range(2):
    programs.compiled(fresh(traces), ARGS, "f")
  assert len(traces) == 4 and not list(kept.iterdir())


def _scaled(scale, params, x, power=2):
  _scaled.traces += 1
  return jnp.tanh(params["w"] @ x) * scale ** power


def test_programs_jit_is_jax_jit_with_every_program_kept(kept):
  """As jax.jit (the same bits; one trace per static arguments and argument types, none
  for a new value of a Python number), each program read back by a fresh wrapper (a new
  process) without a trace."""
  _scaled.traces = 0
  want = jax.jit(_scaled, static_argnames="power")
  mine = programs.jit(_scaled, static_argnames="power")
  w, x = ARGS[0], ARGS[1][1]
  for scale in (0.5, 3.0):   # a Python number: a weak-typed argument, no new program
    assert same(mine(scale, w, x), want(scale, w, x))
  kept_files = lambda: len(list(kept.glob("*" + programs.SUFFIX)))
  assert _scaled.traces == 2 and kept_files() == 1   # jax.jit's and ours
  assert same(mine(0.5, params=w, x=x, power=3), want(0.5, w, x, power=3))   # a new static
  assert same(mine(0.5, w, np.ones((3, 2), np.float32)), want(0.5, w, np.ones((3, 2))))
  assert _scaled.traces == 6 and kept_files() == 3
  again = programs.jit(_scaled, static_argnames="power")
  assert same(again(0.5, w, x, power=3), want(0.5, w, x, power=3))
  assert _scaled.traces == 6   # read back
  assert same(again(0.5, jax.device_put(w), x), want(0.5, w, x))   # JAX's, not committed
  on_1 = jax.device_put(w, jax.devices()[1])   # committed: a program of its own, run there
  out = again(0.5, on_1, x)
  assert same(out, want(0.5, w, x)) and out.sharding.device_set == {jax.devices()[1]}
  assert _scaled.traces == 7


def test_nothing_is_kept_with_the_persistent_cache_off():
  assert jax.config.values["jax_compilation_cache_dir"] is None   # conftest turns none on
  assert programs.folder() is None


def test_the_name_changes_with_everything_the_program_depends_on(monkeypatch):
  name = programs.digest("f", ARGS)
  assert programs.digest("f", ARGS) == name
  assert programs.digest("g", ARGS) != name
  wider = ({"w": np.zeros((2, 4), np.float32)}, ARGS[1])
  assert programs.digest("f", wider) != name
  as_tuple = (ARGS[0], tuple(ARGS[1]))   # the same leaves in another container
  assert programs.digest("f", as_tuple) != name
  monkeypatch.setattr(programs, "source_digest", lambda: "another version of ae/")
  assert programs.digest("f", ARGS) != name
  monkeypatch.undo()
  monkeypatch.setattr(optax, "__version__", "0.0.1")
  assert programs.digest("f", ARGS) != name
  monkeypatch.undo()
  import jaxopt  # noqa: F401  pylint: disable=g-import-not-at-top  (no __version__: metadata's)
  assert ("jaxopt", importlib.metadata.version("jaxopt")) in [
      (n, programs._version(n)) for n in programs.LIBRARIES if n in sys.modules]
  with jax.numpy_rank_promotion("warn"):   # conftest's is "raise"
    assert programs.digest("f", ARGS) != name
  monkeypatch.setenv("XLA_FLAGS", "--xla_cpu_use_thunk_runtime=false")   # XLA compiles anew
  assert programs.digest("f", ARGS) != name
  monkeypatch.undo()
  monkeypatch.setattr(programs, "_cpu", lambda: "flags : fpu sse2")   # another machine's CPU
  assert programs.digest("f", ARGS) != name


def test_the_source_digest_reads_every_file_of_the_package(tmp_path, monkeypatch):
  root = tmp_path / "ae"
  (root / "sub").mkdir(parents=True)
  (root / "a.py").write_text("x = 1\n")
  (root / "sub" / "b.py").write_text("y = 2\n")
  monkeypatch.setattr(programs, "__file__", str(root / "programs.py"))
  digests = []
  for change in (None, "x = 3\n", "y = 4\n"):
    if change is not None:
      (root / ("a.py" if change.startswith("x") else "sub/b.py")).write_text(change)
    programs.source_digest.cache_clear()
    digests.append(programs.source_digest())
  for path in root.rglob("*.py"):   # no sources to read: a digest no other process makes
    path.unlink()
  for _ in range(2):
    programs.source_digest.cache_clear()
    digests.append(programs.source_digest())
  programs.source_digest.cache_clear()
  assert len(set(digests)) == 5


def test_keyed_tasks_name_their_builder_and_arguments():
  cfg = AEConfig()
  task = autoencoder.task(cfg)
  assert task is autoencoder.task(cfg)   # memoised: a second fit reuses its program
  assert task.key == f"ae.autoencoder.task({cfg!r},)[]"
  assert autoencoder.task(cfg, grey=True).key != task.key
  other = dataclasses.replace(cfg, activation="relu")
  assert autoencoder.task(other).key != task.key
  assert denoise.task(cfg, NoiseConfig()).key.startswith("ae.denoise.task(")
  assert vae.task(VAEConfig(), 35).key.startswith("ae.vae.task(")
  assert Task(lambda k: {}, lambda p, b, k: 0.0).key is None   # a Task made by hand: none


def test_a_keyed_builder_returns_the_task_its_function_makes():
  made = []

  @keyed
  def build(n, scale=1.0):
    made.append(n)
    return Task(lambda k: {"w": jnp.zeros(n)}, lambda p, b, k: scale * jnp.sum(p["w"]))
  a, b = build(3), build(3, scale=2.0)
  assert build(3) is a and made == [3, 3]
  assert a.key.endswith(".build(3,)[]") and b.key.endswith(".build(3,)[('scale', 2.0)]")
  assert a.init(None)["w"].shape == (3,)
