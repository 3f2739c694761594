"""<out_dir>/index.html: the runs table (experiments/runs_table.py) as one offline page, sortable
by any column, each run linking its figures and its explorer page. Rewritten after every run.
"""
import datetime
import html
import os
import pathlib
import sys

from experiments import runs_table

NAME = "index.html"

_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>runs in {title}</title>
<style>
body {{ font: 14px/1.4 system-ui, sans-serif; margin: 16px; color: #1b1b1f; }}
table {{ border-collapse: collapse; }}
th, td {{ border-bottom: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; }}
td:first-child {{ white-space: nowrap; }}
th button {{ font: inherit; font-weight: 600; border: 0; background: none; cursor: pointer; padding: 0; }}
td.flags {{ font-family: monospace; font-size: 12px; max-width: 28em; }}
tr.problem td {{ color: #8a1c1c; }}
.figs a {{ margin-right: 6px; }}
</style></head><body>
<h1>{count} runs in {title}</h1>
<p>Newest first; a column's button sorts by it (again: the other way). Written {written}.</p>
<table id="runs"><thead><tr>{heads}</tr></thead><tbody>{rows}</tbody></table>
<script>
"use strict";
// each cell's data-key is what it sorts by (numbers as numbers)
const body = document.querySelector("#runs tbody");
let by = null;
document.querySelectorAll("#runs th button").forEach((b, col) => b.addEventListener("click", () => {{
  const down = by === col ? !b.dataset.down : false;
  document.querySelectorAll("#runs th button").forEach((o) => {{ delete o.dataset.down; }});
  if (down) b.dataset.down = "1";
  by = col;
  const key = (tr) => {{ const v = tr.children[col].dataset.key; const n = Number(v);
    return v !== "" && Number.isFinite(n) ? n : v; }};
  const rows = [...body.children].sort((a, c) => {{
    const x = key(a), y = key(c);
    const o = typeof x === typeof y ? (x < y ? -1 : x > y ? 1 : 0) : (typeof x === "number" ? -1 : 1);
    return down ? -o : o;
  }});
  body.append(...rows);
}}));
</script></body></html>
"""
COLUMNS = ("date", "experiment", "name", "flags", "seeds", "result", "seconds", "interrupted",
           "figures")


def _cell(value, key=None, cls=None):
  key = value if key is None else key
  attr = f' class="{cls}"' if cls else ""
  return f'<td{attr} data-key="{html.escape(str(key), quote=True)}">{value}</td>'


def _row(r, base):
  e = html.escape
  rel = os.path.relpath(r["path"], base)
  link = lambda target, text: f'<a href="{e(pathlib.Path(rel, target).as_posix(), quote=True)}">{e(text)}</a>'
  if r["problem"]:
    return (f'<tr class="problem">{_cell(e(r.get("date", "")))}{_cell(e(r["experiment"]))}'
            f'{_cell(e(r["name"]))}{_cell(e(r["problem"]), cls="flags")}' +
            "".join(_cell("", "") for _ in COLUMNS[4:]) + "</tr>")
  flags = "(no flags.txt)" if r["flags"] is None else (" ".join(r["flags"]) or "(defaults)")
  stop = r["interrupted"]
  stop = "" if not stop else ("yes " + stop if isinstance(stop, str) else "yes")
  figs = " ".join([link("explorer.html", "explorer")] if r["explorer"] else []) + " " + " ".join(
      link(f"figures/{f}", f[:-4]) for f in r["figures"])
  return ("<tr>" + _cell(e(r["date"])) + _cell(e(r["experiment"])) +
          _cell(link("", r["name"]), r["name"]) + _cell(e(flags), cls="flags") +
          _cell(e(str(r["seeds"]))) + _cell(e(r["headline"])) +
          _cell(f"{r['seconds']:.1f}", r["seconds"]) + _cell(e(stop)) +
          _cell(figs.strip(), "", cls="figs") + "</tr>")


def write(out_dir, rows=None):
  """Writes <out_dir>/index.html (atomically: a reader never sees half a page); its path."""
  out_dir = pathlib.Path(out_dir)
  rows = runs_table.collect(out_dir) if rows is None else rows
  page = _PAGE.format(
      title=html.escape(str(out_dir)), count=len(rows),
      written=datetime.datetime.now().isoformat(" ", "seconds"),
      heads="".join(f'<th><button type="button">{c}</button></th>' for c in COLUMNS),
      rows="\n".join(_row(r, out_dir) for r in rows))
  tmp = out_dir / f".{NAME}.{os.getpid()}"
  tmp.write_text(page, encoding="utf-8")
  os.replace(tmp, out_dir / NAME)
  return out_dir / NAME


def rewrite(experiment, out_dir):
  """After a run: <out_dir>/index.html again, with it; a failure to write the page is one
  line and never fails the run."""
  try:
    write(os.path.expanduser(out_dir))
  except OSError as e:
    print(f"{experiment}: could not rewrite {out_dir}/index.html ({e.strerror})",
          file=sys.stderr)
