"""Every experiment's figures read as text, not TeX (issue 42 item 3): a tiny run of each
(tests/test_reload.py's configs, font2's glyphs with '\\' and '^' among them), every text
drawn on every figure it saves (titles, labels, tick labels, legends, annotations) holds no
'$' and no backslash unless it is one of the data's own labels."""
import matplotlib.text
import pytest

from ae import plot_files
from ae.data import DataConfig, display
from test_reload import CONFIGS


def _drawn(monkeypatch):
  """Every text of every figure saved from now on: [(file name, text)]."""
  texts, write = [], plot_files.write

  def spy(fig, path):
    write(fig, path)   # drawn: tick labels exist now
    texts.extend((str(path).rsplit("/", 1)[-1], t.get_text())
                 for t in fig.findobj(matplotlib.text.Text) if t.get_visible())
  monkeypatch.setattr(plot_files, "write", spy)
  # the spy's list is this process's: every figure is written here, none by a forked copy
  monkeypatch.setattr(plot_files, "forks", lambda: False)
  return texts


@pytest.mark.slow   # a run of each experiment: about 40 s
@pytest.mark.parametrize("name", sorted(set(CONFIGS) - {"vae_circles"}))  # vae's figures: once
def test_no_figure_prints_tex(name, tmp_path, monkeypatch):
  import dataclasses  # pylint: disable=g-import-not-at-top
  module, config = CONFIGS[name]
  if isinstance(getattr(config, "data", None), DataConfig) and config.data.dataset != "circles":
    # the glyphs with a backslash, a caret and an underscore in their labels
    config = dataclasses.replace(config, data=dataclasses.replace(config.data, n_chars=None,
                                                                  chars="AB\\^_["))
  texts = _drawn(monkeypatch)
  module.run(config, tmp_path / "r")
  assert texts, "no figure was saved"
  labels = set("AB\\^_[") | {display(c) for c in "AB\\^_["}

  def tex(t):   # what is left of a text once the data's own labels are taken out of it
    for label in sorted(labels, key=len, reverse=True):
      t = t.replace(label, "")
    return "$" in t or "\\" in t
  bad = [(f, t) for f, t in texts if tex(t)]
  assert not bad, bad
  assert any("\\" in t for _, t in texts) or name.startswith("circles")
