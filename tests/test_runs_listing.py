"""ae-lab runs (issue 42 item 2): the runs under an --out_dir listed, filtered and compared,
and <out_dir>/index.html, on a folder of mixed runs: finished, interrupted, damaged, foreign."""
import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT
from experiments import runs_page, runs_table


@pytest.fixture
def mixed(tmp_path, trained):
  """<tmp>/runs with latent2d runs: 'done' (the trained fixture), 'stopped' (its copy marked
  interrupted at step 300 of 600), 'broken' (config.json not JSON), 'lost' (no metrics.json)
  and 'stray' (no run at all)."""
  out = tmp_path / "runs"
  base = out / "latent2d"
  run = trained[0].parent
  for name in ("done", "stopped", "broken", "lost"):
    shutil.copytree(run, base / name)
  m = json.loads((base / "stopped" / "metrics.json").read_text())
  m["summary"].update(interrupted=True, step_reached=300, steps_planned=600)
  (base / "stopped" / "metrics.json").write_text(json.dumps(m))
  (base / "broken" / "config.json").write_text("{")
  (base / "lost" / "metrics.json").unlink()
  (base / "stray").mkdir()
  (base / "stray" / "notes.txt").write_text("hi")
  (base / ".hidden.new.x").mkdir()   # a run being built: not listed
  return out


def _cli(*args):
  return subprocess.run([sys.executable, "-m", "experiments.runs", *args], cwd=ROOT,
                        capture_output=True, text=True, timeout=60)


def test_the_listing_says_each_runs_state_in_one_line(mixed):
  r = _cli(f"--out_dir={mixed}")
  assert r.returncode == 0, r.stderr
  lines = {l.split()[3]: l for l in r.stdout.splitlines()[:-1]}
  assert set(lines) == {"done", "stopped", "broken", "lost", "stray"}
  assert r.stdout.splitlines()[-1] == f"5 of 5 runs under {mixed}"
  assert "seeds 2  0 wrong px: " in lines["done"] and "[interrupted" not in lines["done"]
  assert lines["stopped"].endswith("[interrupted at step 300 of 600]")
  assert lines["broken"].endswith("[damaged: config.json is not valid JSON]")
  assert lines["lost"].endswith("[damaged: metrics.json missing]")
  assert lines["stray"].endswith("[not a run directory (no config.json)]")
  flags = (mixed / "latent2d" / "done" / "flags.txt").read_text().splitlines()[1:]
  assert " ".join(flags) in lines["done"] and "--iterations=600" in flags
  # filters: by a flag, and by an experiment with no runs
  only = _cli(f"--out_dir={mixed}", "--where=iterations=600,n_chars=10").stdout.splitlines()
  assert [l.split()[3] for l in only[:-1]] == ["stopped", "done"] or \
         sorted(l.split()[3] for l in only[:-1]) == ["done", "stopped"]
  assert _cli(f"--out_dir={mixed}", "--experiment=vae").stdout.strip() == \
      f"0 of 0 runs under {mixed}"
  typo = _cli("--experimnt=vae")
  assert typo.returncode == 2 and typo.stderr == (
      "runs: error: Unknown command line flag 'experimnt'. Did you mean: experiment ?\n")
  bad = _cli("--out_dir=/nonexistent/runs")
  assert bad.returncode == 2 and bad.stderr.strip() == (
      "runs: error: --out_dir=/nonexistent/runs: no such directory (runs go to runs/ by default)")


def test_compare_prints_the_differences_and_draws_the_curves(mixed, tmp_path):
  other = mixed / "latent2d" / "other"
  shutil.copytree(mixed / "latent2d" / "done", other)
  cfg = json.loads((other / "config.json").read_text())
  cfg["config"]["train"]["eta"] = 0.5
  (other / "config.json").write_text(json.dumps(cfg))
  fig = tmp_path / "cmp.png"
  r = _cli("--compare", f"--figure={fig}", str(mixed / "latent2d" / "done"), str(other))
  assert r.returncode == 0, r.stderr
  out = r.stdout.splitlines()
  assert out[0] == "1 config field differs:"
  assert re.fullmatch(r"  train\.eta +0\.02  \|  0\.5", out[1]), out[1]
  assert out[-1] == f"figure: {fig}" and fig.stat().st_size > 10_000
  one = _cli("--compare", str(other))
  assert one.returncode == 2 and "needs two run directories or more" in one.stderr
  damaged = _cli("--compare", str(other), str(mixed / "latent2d" / "broken"))
  assert damaged.returncode == 2 and damaged.stderr.strip().endswith(
      "broken: damaged: config.json is not valid JSON")


def test_the_index_page_sorts_and_links_each_runs_files(mixed, chromium):
  page_path = runs_page.write(mixed)
  assert page_path == mixed / "index.html" and not list(mixed.glob(".index.html*"))
  page = chromium.new_page()
  errors = []
  page.on("pageerror", lambda e: errors.append(str(e)))
  page.goto(f"file://{page_path}")
  assert page.inner_text("h1") == f"5 runs in {mixed}"
  names = lambda: page.locator("#runs tbody tr td:nth-child(3)").all_inner_texts()
  assert set(names()) == {"done", "stopped", "broken", "lost", "stray"}
  page.click("#runs th:nth-child(3) button")   # by name, then the other way
  assert names() == sorted(names())
  page.click("#runs th:nth-child(3) button")
  assert names() == sorted(names(), reverse=True)
  row = page.locator("#runs tbody tr", has_text="stopped")
  assert "yes at step 300 of 600" in row.inner_text()
  hrefs = row.locator("a").evaluate_all("as => as.map((a) => a.getAttribute('href'))")
  assert "latent2d/stopped/explorer.html" in hrefs and "latent2d/stopped/figures/curves.png" in hrefs
  assert all(os.path.exists(mixed / h) for h in hrefs)   # every link is a file of the run
  assert "damaged: config.json is not valid JSON" in page.locator(
      "#runs tbody tr", has_text="broken").inner_text()
  assert errors == []
  page.close()


@pytest.mark.slow   # a whole run in a subprocess
def test_a_run_rewrites_the_index_of_its_out_dir(tmp_path):
  r = subprocess.run([sys.executable, "-m", "experiments.latent2d", f"--out_dir={tmp_path}",
                      "--run_name=one", "--n_chars=4", "--seeds=1", "--iterations=20",
                      "--explorer_seeds=0"], cwd=ROOT, capture_output=True, text=True,
                     timeout=120)
  assert r.returncode == 0, r.stderr
  rows = runs_table.collect(tmp_path)
  assert [x["name"] for x in rows] == ["one"]
  assert '<a href="latent2d/one">one</a>' in (tmp_path / "index.html").read_text()
