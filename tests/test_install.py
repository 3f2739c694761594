"""A newcomer's install: the package installed non-editable into a new venv runs from another
directory (fonts and presets are package data; bench/ is not installed); the README's Python
example runs as written."""
import os
import re
import site
import subprocess
import sys

import pytest

from conftest import ROOT


@pytest.mark.slow
def test_non_editable_install_runs_from_another_directory(tmp_path):
  venv = tmp_path / "venv"
  subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
  lib = venv / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
  # The dependencies come from this interpreter's site-packages, added as plain path entries
  # (their .pth files, this checkout's editable install among them, are not processed).
  (lib / "deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
  subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                  "--disable-pip-version-check", "--target", str(lib), ROOT], check=True)
  assert (lib / "ae" / "fonts" / "font2.txt").is_file()
  assert (lib / "experiments" / "presets" / "params1.flags").is_file()
  assert not (lib / "bench").exists()
  py = str(venv / "bin" / "python")
  where = tmp_path / "elsewhere"
  where.mkdir()
  env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
  r = subprocess.run([py, "-c", "import ae; print(ae.__file__)"], cwd=where, env=env,
                     capture_output=True, text=True, check=True)
  assert r.stdout.startswith(str(lib))
  for args in (["--iterations=20", "--n_chars=4", "--arch=35,8,2,8,35"],
               ["--preset=params1", "--iterations=4", "--run_name=preset"]):
    r = subprocess.run([py, "-m", "experiments.latent2d", "--out_dir=out", "--cache_dir=none",
                        *args], cwd=where, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().splitlines()[-1].startswith("run dir: out/latent2d/")
  # a project of one's own with an experiments/ folder hides `python -m experiments.*`, not
  # the console script
  (where / "experiments").mkdir()
  (where / "experiments" / "__init__.py").write_text("")
  r = subprocess.run([py, str(lib / "bin" / "ae-lab"), "latent2d", "--out_dir=out",
                      "--cache_dir=none", "--iterations=20", "--n_chars=4", "--arch=35,8,2,8,35",
                      "--run_name=script"], cwd=where, env=env, capture_output=True, text=True,
                     timeout=300)
  assert r.returncode == 0, r.stderr
  assert r.stdout.strip().splitlines()[-1] == "run dir: out/latent2d/script"


@pytest.mark.slow
def test_the_readme_python_example_runs(tmp_path):
  text = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
  blocks = re.findall(r"```python\n(.*?)```", text, re.S)
  assert blocks, "README.md has no ```python block"
  env = dict(os.environ, PYTHONPATH=ROOT)
  for _ in range(2):  # a second run in the same directory works too
    r = subprocess.run([sys.executable, "-c", blocks[0]], cwd=tmp_path, env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
  assert len(list((tmp_path / "runs" / "latent2d").iterdir())) == 2
