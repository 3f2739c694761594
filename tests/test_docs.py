"""The documents (issue 38): every relative link and image of README.md, BUILD_NOTES.md and
docs/ resolves to a file of the checkout, every docs page is reachable from README.md, and
the two front documents keep their sizes (README.md a five-minute read, BUILD_NOTES.md the
reference it is, not a diary)."""
import os
import re

import pytest

from conftest import ROOT

LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def _documents():
  docs = os.path.join(ROOT, "docs")
  return (["README.md", "BUILD_NOTES.md", os.path.join("data", "README.md")] +
          [os.path.join("docs", f) for f in sorted(os.listdir(docs)) if f.endswith(".md")])


def _links(path):
  """(line number, target) of every markdown link and image outside code blocks."""
  out, fenced = [], False
  with open(os.path.join(ROOT, path), encoding="utf-8") as f:
    for n, line in enumerate(f, 1):
      if line.lstrip().startswith("```"):
        fenced = not fenced
        continue
      if not fenced:
        out += [(n, m.group(1)) for m in LINK.finditer(re.sub(r"`[^`]*`", "", line))]
  return out


@pytest.mark.parametrize("path", _documents())
def test_every_relative_link_and_image_resolves(path):
  broken = []
  for n, target in _links(path):
    if re.match(r"[a-z]+:", target) or target.startswith("#"):
      continue   # a web address or an anchor of the same page
    where = os.path.normpath(os.path.join(ROOT, os.path.dirname(path), target.split("#")[0]))
    if not os.path.exists(where):
      broken.append(f"{path}:{n}: {target}")
  assert not broken, "\n".join(broken)


def test_every_docs_page_is_linked_from_the_readme():
  linked = {os.path.normpath(t.split("#")[0]) for _, t in _links("README.md")}
  pages = {p for p in _documents() if p.startswith("docs")} - {os.path.join("docs",
                                                                            "cost_history.md")}
  assert pages <= linked, sorted(pages - linked)


def test_the_checker_finds_a_broken_link(tmp_path, monkeypatch):
  """The checker itself: a link to a missing file is reported, code spans are not links."""
  (tmp_path / "docs").mkdir()
  (tmp_path / "docs" / "a.md").write_text("[ok](a.md) ![gone](missing.png) `[not](x.md)`\n")
  import test_docs  # pylint: disable=g-import-not-at-top,import-self
  monkeypatch.setattr(test_docs, "ROOT", str(tmp_path))
  assert [t for _, t in test_docs._links(os.path.join("docs", "a.md"))] == ["a.md",
                                                                             "missing.png"]
  with pytest.raises(AssertionError, match="missing.png"):
    test_docs.test_every_relative_link_and_image_resolves(os.path.join("docs", "a.md"))


def test_the_front_documents_keep_their_size():
  def lines(name):
    with open(os.path.join(ROOT, name), encoding="utf-8") as f:
      return sum(1 for _ in f)
  assert lines("README.md") <= 150 and lines("BUILD_NOTES.md") <= 300


CHECK = """
import sys
from absl import flags
from experiments import cli
name, args = sys.argv[1], sys.argv[2:]
module = __import__(f"experiments.{name}", fromlist=["Config"])
default = module.Config()
cli.define(default)
flags.FLAGS(["x", *args])
config = cli.from_flags(default)
module.plan(config) if name == "sweep" else module.prepare(config)
print("ok")
"""


@pytest.mark.slow   # two subprocesses, about 7 s
def test_the_readmes_gpu_commands_parse_and_pass_their_checks():
  """As far as a CPU machine can: each command's flags parse and its config passes every
  check the run makes before training (issue 42 item 6)."""
  import subprocess, sys  # pylint: disable=g-import-not-at-top,multiple-imports
  readme = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
  section = readme.split("## On a GPU", 1)[1].split("\n## ", 1)[0]
  commands = [l.split("#")[0].split() for l in section.splitlines()
              if l.startswith("python -m experiments.")]
  assert len(commands) == 2 and 'print(jax.devices())' in section and "jax[cuda13]" in section
  for words in commands:
    name = words[2].split(".", 1)[1]
    r = subprocess.run([sys.executable, "-c", CHECK, name, *words[3:]], cwd=ROOT,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and r.stdout.strip() == "ok", (words, r.stderr[-2000:])
