"""ae/plot_files.py: figures written by two processes are the files one process writes; a
failure on either side fails the scope and leaves no process behind."""
import os
import time

import jax.numpy as jnp
import numpy as np
import pytest

from ae import plot_files, plotting
from ae.plotting import plt
from conftest import jax_arrays_in

FORKS = plot_files.forks()
PARENT = os.getpid()


def _figures(n):
  """n small figures, each unlike the others (a line, a label, a mosaic)."""
  out = []
  for k in range(n):
    fig, ax = plt.subplots(figsize=(2, 2))
    ax.plot(np.arange(5), np.arange(5) ** (k % 3), label=f"figure {k}")
    ax.imshow(np.random.default_rng(k).random((7, 5)), cmap=plotting.INK)
    ax.legend()
    out.append(fig)
  return out


def _recording(monkeypatch, tmp_path, before=lambda path: None):
  """plot_files.write, also noting which process wrote each file (a file per figure, as
  the copy's memory is its own); `before(path)` runs first."""
  real = plot_files.write

  def write(fig, path):
    before(path)
    real(fig, path)
    (tmp_path / "who" / path.name).write_text(str(os.getpid()))
  (tmp_path / "who").mkdir()
  monkeypatch.setattr(plot_files, "write", write)
  return lambda: {p.name: int(p.read_text()) for p in (tmp_path / "who").iterdir()}


def _wait_for_the_copy(tmp_path, timeout=60):
  """In this process: wait until the copy has written a figure (so the test does not
  depend on which process happens to be faster)."""
  end = time.monotonic() + timeout
  while time.monotonic() < end:
    if any((tmp_path / "who").iterdir()):   # this process writes none before
      return
    time.sleep(0.01)
  raise AssertionError("the copy wrote no figure in 60 s")


def _wait_for(path, timeout=60):
  end = time.monotonic() + timeout
  while not path.exists():
    assert time.monotonic() < end, f"no {path.name} in {timeout} s"
    time.sleep(0.01)


def test_figures_written_by_two_processes_are_the_bytes_one_process_writes(tmp_path,
                                                                           monkeypatch):
  for d in ("one", "two"):
    (tmp_path / d).mkdir()
  for k, fig in enumerate(_figures(6)):
    plotting.save(fig, tmp_path / "one" / f"f{k}.png")
  ended = tmp_path / "ended"

  def before(path):   # the copy's second figure waits for the scope's body to end, so
    if os.getpid() != PARENT and path.name != "f0.png":   # that both processes write some
      _wait_for(ended)
  who = _recording(monkeypatch, tmp_path, before)
  with plotting.two_processes():
    for k, fig in enumerate(_figures(6)):
      assert plotting.save(fig, tmp_path / "two" / f"f{k}.png") == tmp_path / "two" / f"f{k}.png"
    if FORKS:   # the copy writes the first figure while the scope goes on
      _wait_for(tmp_path / "who" / "f0.png")
    else:       # one process: every figure at the scope's end
      assert not list((tmp_path / "two").iterdir())
    ended.touch()
  for k in range(6):
    assert (tmp_path / "two" / f"f{k}.png").read_bytes() == \
        (tmp_path / "one" / f"f{k}.png").read_bytes(), k
  writers = who()
  assert PARENT in writers.values() and len(set(writers.values())) == (2 if FORKS else 1), writers
  assert not plt.get_fignums()   # every figure closed, in this process too


def test_an_exception_inside_the_scope_writes_nothing(tmp_path, monkeypatch):
  _recording(monkeypatch, tmp_path)
  (tmp_path / "figures").mkdir()
  with pytest.raises(ValueError, match="mid-figures"):
    with plotting.two_processes():
      for k, fig in enumerate(_figures(3)):
        plotting.save(fig, tmp_path / "figures" / f"f{k}.png")
      if FORKS:   # a figure the copy wrote already is removed too
        _wait_for(tmp_path / "who" / "f0.png")
      raise ValueError("mid-figures")
  assert not list((tmp_path / "figures").iterdir())
  # the copy had written the first (its note may be empty: killed as it wrote it)
  assert (tmp_path / "who" / "f0.png").exists() == FORKS
  assert not plt.get_fignums()


@pytest.mark.skipif(not FORKS, reason="one process writes every figure here")
def test_a_failing_copy_fails_the_scope(tmp_path, monkeypatch, capfd):
  def fail_in_the_copy(path):
    if os.getpid() != PARENT:
      raise OSError(f"disk full writing {path.name}")
    _wait_for_the_copy_to_fail(tmp_path)
  monkeypatch.setattr(plot_files, "write", _failing(plot_files.write, fail_in_the_copy,
                                                    tmp_path))
  with pytest.raises(RuntimeError, match="half of the figures failed"):
    with plotting.two_processes():
      for k, fig in enumerate(_figures(4)):
        plotting.save(fig, tmp_path / f"f{k}.png")
  assert "disk full" in capfd.readouterr().err   # the copy's own error, printed
  assert not plt.get_fignums()


def _failing(real, before, tmp_path):
  def write(fig, path):
    try:
      before(path)
    except OSError:
      (tmp_path / "failed").touch()
      raise
    real(fig, path)
  return write


def _wait_for_the_copy_to_fail(tmp_path, timeout=60):
  end = time.monotonic() + timeout
  while not (tmp_path / "failed").exists() and time.monotonic() < end:
    time.sleep(0.01)


@pytest.mark.skipif(not FORKS, reason="one process writes every figure here")
def test_a_failure_here_stops_the_copy_at_once(tmp_path, monkeypatch):
  """This process fails (or is interrupted) while the copy is writing: the copy is killed
  and reaped before the error goes on, so nothing writes into a run being removed."""
  def before(path):
    if os.getpid() != PARENT:
      (tmp_path / "copy").write_text(str(os.getpid()))
      time.sleep(60)    # still writing when this process fails
    else:
      end = time.monotonic() + 60
      while not (tmp_path / "copy").exists() and time.monotonic() < end:
        time.sleep(0.01)
      raise KeyboardInterrupt
  real = plot_files.write
  monkeypatch.setattr(plot_files, "write", lambda fig, path: (before(path), real(fig, path)))
  t0 = time.monotonic()
  with pytest.raises(KeyboardInterrupt):
    with plotting.two_processes():
      for k, fig in enumerate(_figures(4)):
        plotting.save(fig, tmp_path / f"f{k}.png")
  assert time.monotonic() - t0 < 30   # the copy's 60 s sleep was cut short
  with pytest.raises(ProcessLookupError):
    os.kill(int((tmp_path / "copy").read_text()), 0)   # killed and reaped: gone
  assert not list(tmp_path.glob("*.png"))


def test_a_figure_holding_a_jax_array_is_caught_before_it_is_drawn(tmp_path):
  """conftest's check, which keeps JAX out of the forked copy, sees a JAX value where an
  artist keeps it (a label's position, a line's data)."""
  fig, ax = plt.subplots()
  ax.text(jnp.float32(0.5), 0.5, "A")
  assert jax_arrays_in(fig) == [("Text", "_x")]
  ax.plot(np.arange(3.0), np.arange(3.0))
  ax.set_title("numbers only")
  assert len(jax_arrays_in(fig)) == 1
  with pytest.raises(AssertionError, match="holds JAX arrays"):
    with plotting.two_processes():
      plotting.save(fig, tmp_path / "a.png")
      plotting.save(plt.figure(), tmp_path / "b.png")
  assert not plt.get_fignums()


def _aligned_difference(a, b):
  """Mean absolute difference of two RGBA images after the best shift of up to a pixel
  each way (the crop's box is rounded where the tight save's is offset)."""
  h, w = min(len(a), len(b)) - 1, min(a.shape[1], b.shape[1]) - 1
  return min(np.abs(a[i:i + h, j:j + w] - b[k:k + h, l:l + w]).max(-1).mean()
             for i in (0, 1) for j in (0, 1) for k in (0, 1) for l in (0, 1))


def _tight(fig, path):
  fig.savefig(path, dpi=plot_files.DPI, bbox_inches="tight")
  plt.close(fig)


@pytest.mark.parametrize("where", ["inside", "pad past the canvas"])
def test_a_figure_drawn_on_its_canvas_is_cropped_from_one_draw(tmp_path, monkeypatch, where):
  """What bbox_inches="tight" writes, within a pixel's shift, from one draw (savefig never
  called); where the pad reaches past the canvas, the figure's white fills it."""
  def figure():
    fig = plt.figure(figsize=(4, 3))
    if where == "inside":
      ax = fig.add_axes([.2, .2, .6, .6])
      ax.set_title("a title", fontsize=8)
      ax.set_xlabel("z1")
    else:   # an image to the canvas's edges
      ax = fig.add_axes([0, 0, 1, 1])
      ax.set_axis_off()
    ax.imshow(np.random.default_rng(1).random((7, 5)), cmap=plotting.INK, aspect="auto")
    return fig
  _tight(figure(), tmp_path / "tight.png")
  calls = []
  monkeypatch.setattr(plt.Figure, "savefig", lambda *a, **k: calls.append(a))
  plot_files.write(figure(), tmp_path / "crop.png")
  assert not calls and not plt.get_fignums()
  tight, crop = (plt.imread(tmp_path / f"{n}.png") for n in ("tight", "crop"))
  assert abs(len(tight) - len(crop)) <= 1 and abs(tight.shape[1] - crop.shape[1]) <= 1
  assert _aligned_difference(tight, crop) < 0.02
  if where != "inside":   # the pad: white rows and columns on every side
    assert (crop[:5] == 1).all() and (crop[:, -5:] == 1).all()


@pytest.mark.parametrize("case", ["past the canvas", "layout engine"])
def test_a_figure_drawn_past_its_canvas_is_saved_tight_as_before(tmp_path, case):
  """A text beyond the canvas, or a layout engine: the tight save itself, the same bytes."""
  def figure():
    fig = plt.figure(figsize=(3, 2), layout="constrained" if case == "layout engine" else None)
    ax = fig.add_subplot()
    ax.plot([0, 1], [1, 0])
    if case == "past the canvas":
      fig.text(1.2, 0.5, "beyond the right edge")
    return fig
  _tight(figure(), tmp_path / "tight.png")
  plot_files.write(figure(), tmp_path / "written.png")
  assert (tmp_path / "written.png").read_bytes() == (tmp_path / "tight.png").read_bytes()


@pytest.mark.skipif(not FORKS, reason="one process writes every figure here")
def test_a_forked_copy_runs_without_cyclic_garbage_collection(tmp_path):
  """The copy leaves by os._exit after one run's figures: collecting garbage only cost it
  time. This process's collector is left as it was."""
  import gc  # pylint: disable=g-import-not-at-top
  seen = tmp_path / "seen"
  pid = []
  plot_files.fork(lambda: seen.write_text(str(gc.isenabled())), pid.append)
  assert os.waitstatus_to_exitcode(os.waitpid(pid[0], 0)[1]) == 0
  assert seen.read_text() == "False"
  assert gc.isenabled()
