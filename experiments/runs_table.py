"""The runs under an --out_dir as rows: one per run directory, newest first, with its
experiment, name, date, the flags that differ from the defaults (its flags.txt), seeds, the
experiment's headline number, time and whether it was interrupted; a damaged or foreign
directory is a row that says so. Reads JSON and text only (no JAX): 1,000 runs in well under
2 s (bench/runs.py).
"""
import datetime
import json
import os
import pathlib

from experiments.ae_lab import EXPERIMENTS

MAX_JSON = 64 * 2**20   # a metrics.json larger than this is not read (a run of huge seed counts)


def _median_text(v, fmt, unit=""):
  return "-" if v is None else f"{v:{fmt}}{unit}"


def headline(experiment, s):
  """The experiment's one number that says how the run went, from its metrics' summary."""
  n = s.get("seeds", "?")
  if experiment == "latent2d":
    return (f"0 wrong px: {s.get('seeds_zero', '?')}/{n} seeds; worst glyph "
            f"{_median_text(s.get('max_pixel_error_median'), 'g', ' px')}")
  if experiment == "denoise":
    at = {lv.get("k", lv.get("p")): lv for lv in s.get("levels", [])}
    lv = at.get(2) or next(iter(at.values()), {})
    name = "k" if "k" in lv else "p"
    return (f"restored at {name}={lv.get(name, '?')}: "
            f"{_median_text(lv.get('restore_rate'), '.3f')} (median)")
  if experiment == "vae":
    return f"ELBO {_median_text(s.get('elbo_median'), '.4g')} (median)"
  if experiment == "circles":
    return f"reconstruction RMSE {_median_text(s.get('recon_rmse_median'), '.3g')} (median)"
  if experiment == "sweep":
    values = s.get("values", {})
    return f"{len(values)} stud{'y' if len(values) == 1 else 'ies'}, " + \
        f"{sum(len(v) for v in values.values())} values"
  return "-"


def _read_json(path):
  if path.stat().st_size > MAX_JSON:
    raise ValueError(f"{path.name} is over {MAX_JSON // 2**20} MB")
  try:
    with open(path, encoding="utf-8") as f:
      return json.load(f)
  except (json.JSONDecodeError, UnicodeDecodeError):
    raise ValueError(f"{path.name} is not valid JSON") from None


def _flags(path):
  """The flags of a run's flags.txt (no comments), or None for a run saved before it."""
  try:
    text = path.read_text(encoding="utf-8")
  except OSError:
    return None
  return [l for l in text.splitlines() if l.startswith("--")]


def row(path, experiment):
  """One run directory as a dict: problem (None for a readable run), experiment, name, path,
  date, flags, seeds, headline, seconds, interrupted."""
  out = {"experiment": experiment, "name": path.name, "path": str(path), "problem": None,
         "flags": None, "seeds": None, "headline": "", "seconds": None, "interrupted": None,
         "figures": [], "explorer": None}
  try:
    out["date"] = datetime.datetime.fromtimestamp(path.stat().st_mtime).isoformat(" ", "seconds")
    if not (path / "config.json").is_file():
      out["problem"] = "not a run directory (no config.json)"
      return out
    config = _read_json(path / "config.json")
    if not isinstance(config, dict) or config.get("experiment") != experiment:
      out["problem"] = f"config.json is not a {experiment} run's"
      return out
    metrics = _read_json(path / "metrics.json")
    s = metrics["summary"]
    out["date"] = datetime.datetime.fromtimestamp(
        (path / "metrics.json").stat().st_mtime).isoformat(" ", "seconds")
    out.update(flags=_flags(path / "flags.txt"), seeds=s.get("seeds"),
               headline=headline(experiment, s), interrupted=bool(s.get("interrupted")),
               seconds=round(float(s.get("compile_seconds", 0)) +
                             float(s.get("train_seconds", 0)), 2))
    if s.get("interrupted") and "step_reached" in s:
      out["interrupted"] = f"at step {s['step_reached']} of {s['steps_planned']}"
    if (path / "figures").is_dir():
      out["figures"] = sorted(p.name for p in (path / "figures").iterdir()
                              if p.suffix == ".png")
    if (path / "explorer.html").is_file():
      out["explorer"] = "explorer.html"
  except FileNotFoundError as e:
    out["problem"] = f"damaged: {pathlib.Path(e.filename).name} missing"
  except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
    out["problem"] = f"damaged: {str(e).splitlines()[0][:80] if str(e) else type(e).__name__}"
  return out


def collect(out_dir, experiment=None):
  """Every run directory under out_dir/<experiment>/ (hidden ones, runs being built, left
  out), newest first."""
  rows = []
  for exp in EXPERIMENTS if experiment is None else (experiment,):
    base = pathlib.Path(out_dir) / exp
    try:
      names = sorted(os.listdir(base))
    except OSError:
      continue
    for name in names:
      if not name.startswith(".") and (base / name).is_dir():
        rows.append(row(base / name, exp))
  return sorted(rows, key=lambda r: (r.get("date", ""), r["name"]), reverse=True)


def matches(r, where):
  """--where: every comma-separated term is in the run's flags, name or headline."""
  text = " ".join([r["name"], r["headline"], *(r["flags"] or [])])
  return all(t.strip() in text for t in where.split(",") if t.strip())


def line(r):
  """A row as one line of text."""
  if r["problem"]:
    return f"{r.get('date', '?'):19}  {r['experiment']:8}  {r['name']}  [{r['problem']}]"
  flags = " ".join(r["flags"]) if r["flags"] is not None else "(no flags.txt)"
  stop = "" if not r["interrupted"] else (
      f"  [interrupted{' ' + r['interrupted'] if isinstance(r['interrupted'], str) else ''}]")
  return (f"{r['date']}  {r['experiment']:8}  {r['name']}  {flags or '(defaults)'}  "
          f"seeds {r['seeds']}  {r['headline']}  {r['seconds']:.1f} s{stop}")
