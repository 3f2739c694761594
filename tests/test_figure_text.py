"""Figures read as text, not TeX (issue 42 item 3, the log axis): every text drawn on the curves
figure, tick labels included, holds no '$' or backslash."""
import numpy as np

from ae import plotting


def _texts(fig):
  fig.canvas.draw()
  out = []
  for ax in fig.axes:
    out += [t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels(which="both")]
    out += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
    legend = ax.get_legend()
    out += [t.get_text() for t in legend.get_texts()] if legend else []
  return [t for t in out if t]


def test_a_log_axis_prints_powers_of_ten_as_text(tmp_path, monkeypatch):
  drawn = []
  monkeypatch.setattr(plotting, "save", lambda fig, path: drawn.append(fig) or path)
  steps = np.arange(0, 1001, 50)
  history = {"loss": np.exp(-np.linspace(0, 6, len(steps)))[None].repeat(3, 0),
             "max_pixel_error": np.linspace(20, 0, len(steps))[None].repeat(3, 0)}
  plotting.curves(tmp_path / "c.png", steps, history, {"best (seed 0)": 0}, "t")
  texts = _texts(drawn[0])
  assert not any("$" in t or "\\" in t for t in texts), texts
  assert "10⁻¹" in texts and "10⁻²" in texts
