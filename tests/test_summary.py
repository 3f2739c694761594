"""What a run shows: numbers from the real seeds only, diverged seeds named, labels drawn as text,
the log interval cut into bounded blocks."""
import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from ae import InputError, train
from ae.autoencoder import AEConfig
from ae.config import TrainConfig
from ae.data import DataConfig
from experiments import latent2d

X = np.eye(4, dtype=np.float32)


def _task(metrics=None):
  return train.Task(init=lambda key: {"w": jax.random.normal(key, (4,))},
                    loss=lambda p, batch, key: jnp.mean((batch["x"] @ p["w"] - 1) ** 2),
                    metrics=metrics)


TINY = latent2d.Config(data=DataConfig(n_chars=6), model=AEConfig(arch=(35, 16, 2, 16, 35)),
                       train=TrainConfig(iterations=300, log_every=100, eta=0.02, seeds=2,
                                         seed=3), grid=4)


def _t(**kw):
  return dataclasses.replace(TINY, train=dataclasses.replace(TINY.train, **kw))


def test_progress_sees_the_real_seeds_only():
  """1 seed on 2 devices is padded to 2: the bar's rows must still hold 1 seed, the one the
  history keeps (a median over the padding showed other numbers than the summary)."""
  assert len(jax.devices()) == 2  # tests/conftest.py
  seen = []
  fit = train.fit_seeds(_task(), {"x": X}, TrainConfig(seeds=1, iterations=60, log_every=20),
                        progress=lambda done, total, step, rows, **kw: seen.append(rows))
  rows = [r for r in seen if r is not None]
  assert rows and all(r["loss"].shape[0] == 1 for r in rows)
  assert rows[-1]["loss"][0, -1] == fit.history["loss"][0, -1]


def test_a_metric_must_be_a_scalar():
  task = _task(metrics=lambda p, data: {"per_glyph": data["x"] @ p["w"]})
  with pytest.raises(InputError, match="must return scalars: 'per_glyph' has shape"):
    train.fit_seeds(task, {"x": X}, TrainConfig(seeds=1, iterations=4, log_every=2))


def test_labels_are_drawn_as_text_never_tex(tmp_path):
  """Labels from a header's comments or an .npz: '$' and backslashes failed the figures after
  training when matplotlib read them as TeX."""
  from ae import plotting  # pylint: disable=g-import-not-at-top
  z = np.random.default_rng(0).normal(size=(3, 2))
  labels = ["$\\frac{$", "$\\foo$", "$x$"]
  plotting.latent_scatter(tmp_path / "latent.png", z, labels, "a $\\frac{ title")
  plotting.reconstructions(tmp_path / "rec.png", X[:3, :4].repeat(9, 1)[:, :35],
                           X[:3, :4].repeat(9, 1)[:, :35], (7, 5), labels, "$\\foo")
  assert (tmp_path / "latent.png").stat().st_size and (tmp_path / "rec.png").stat().st_size


def test_a_label_past_unicode_keeps_the_comment_words():
  from ae import cheader  # pylint: disable=g-import-not-at-top
  assert cheader.label("U+110000 (far)") == "far"
  assert cheader.label("U+FFFFFF") == "U+FFFFFF"
  assert cheader.label("U+0041 (A)") == "A"


def test_blocks_cut_every_log_interval_into_bounded_entries():
  from ae import schedule  # pylint: disable=g-import-not-at-top
  seg = schedule.build(TrainConfig(iterations=250, log_every=250))
  e, logged = schedule.blocks(seg, 250, 100)
  assert e.tolist() == [[0, 0, 0], [1, 0, 100], [1, 100, 200], [1, 200, 250]]
  assert logged.tolist() == [True, False, False, True]
  assert schedule.entries(seg, 250).tolist() == [[0, 0, 0], [1, 0, 250]]  # the log rows


@pytest.mark.slow   # a diverging run: about 5 s: the default suite keeps under 2 minutes
def test_the_summary_names_diverged_seeds_and_never_prints_none(tmp_path, capsys):
  """'diverged  0' read as a count, and 'None px' where every seed diverged."""
  from experiments import latent2d  # pylint: disable=g-import-not-at-top
  cfg = latent2d.Config(data=DataConfig(n_chars=4), model=AEConfig(arch=(35, 8, 2, 8, 35)),
                        train=TrainConfig(iterations=20, log_every=10, eta=1e6,
                                          schedule="constant"), grid=3)
  m = latent2d.run(cfg, tmp_path / "r")
  out = capsys.readouterr().out
  assert m["summary"]["diverged_seeds"] == [0]
  assert "seed 0" in next(l for l in out.splitlines() if l.startswith("diverged"))
  assert "None" not in out


def test_latent_plots_label_up_to_128_short_labels_and_say_when_codes_coincide(tmp_path):
  from ae import plotting  # pylint: disable=g-import-not-at-top
  assert plotting.labelled(["A"] * 96 + ["DEL"]) and not plotting.labelled(["A"] * 129)
  assert not plotting.labelled(["digit 1"] * 65) and plotting.labelled(["digit 1"] * 64)
  z = np.r_[np.ones((8, 2)), [[0.0, 0.0], [0.0, 2.0]]]  # params1: 8 of 10 codes in one place
  assert plotting.collapsed(z) == 8 and plotting.collapsed(np.eye(2)) == 0
  plotting.latent_scatter(tmp_path / "l.png", z, list("ABCDEFGHIJ"), "collapsed")
  assert (tmp_path / "l.png").stat().st_size


@pytest.mark.slow
def test_divergence_is_a_loss_ending_above_its_start(tmp_path):
  m = latent2d.run(_t(eta=1e6), tmp_path / "r")
  assert m["summary"]["diverged_seeds"] == [3, 4]
  assert m["summary"]["seeds_le1"] == 0 and m["summary"]["median_seed"] is None
  assert all(p["diverged"] for p in m["per_seed"])


@pytest.mark.slow   # a whole run: 5 s
def test_the_table_comes_before_the_figures_and_the_run_directory_after_them(tmp_path, capsys,
                                                                             monkeypatch):
  """Issue 41: the numbers show as soon as they exist, the figures' seconds after them; the
  footer names the run directory once it is complete."""
  from ae import plotting  # pylint: disable=g-import-not-at-top
  shown_at_first_figure, real = [], plotting.save

  def save(fig, path):
    if not shown_at_first_figure:
      shown_at_first_figure.append(capsys.readouterr().out)
      assert not (tmp_path / "r").exists()   # still being built
    return real(fig, path)

  monkeypatch.setattr(plotting, "save", save)
  latent2d.run(TINY, tmp_path / "r")
  before, after = shown_at_first_figure[0], capsys.readouterr().out
  assert "worst-glyph error, median" in before and "PCA-2, the linear baseline" in before
  assert "run dir:" not in before and "explorer:" not in before
  assert after.splitlines()[-2:] == [f"explorer: {tmp_path / 'r' / 'explorer.html'}",
                                     f"run dir: {tmp_path / 'r'}"]
