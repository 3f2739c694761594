"""Flags from config dataclasses: one flag per field, named as the field, defined once.

An experiment's frozen Config nests the shared configs (data, model, train) beside its own
fields; `main(...)` defines a flag for every leaf field with the field's default, help text and
group, parses the command line (errors: one line, exit 2), rebuilds the Config and runs it.
Flags are defined only when an experiment runs as a program: tests never parse flags.
"""
import dataclasses
import importlib.resources
import re
import sys
import textwrap

from absl import flags

from ae import InputError
from ae import flagfile
from ae.flagfile import format_value

FLAGS = flags.FLAGS
HELP = ("--help", "-h", "-?", "--helpshort")   # what asks a program for its help
GROUPS = ("data", "seeds", "model", "optimiser", "solver", "experiment", "output")


def leaves(config):
  """(path, dataclasses.Field) of every leaf field of a (nested) config instance."""
  for path, f, _ in flagfile.leaves(config):
    yield path, f


def _get(config, path):
  for p in path:
    config = getattr(config, p)
  return config


def define(default):
  """Defines one absl flag per leaf field of the config instance `default`."""
  for path, f in leaves(default):
    name, value, meta = path[-1], _get(default, path), f.metadata
    if name in FLAGS:
      continue
    help_ = meta.get("help", "")
    kind = meta.get("kind")
    if f.type in (bool, "bool"):
      flags.DEFINE_bool(name, value, help_)
    elif f.type in (int, "int"):
      flags.DEFINE_integer(name, value, help_)
    elif f.type in (float, "float"):
      flags.DEFINE_float(name, value, help_)
    elif meta.get("choices") and f.type in (str, "str"):
      flags.DEFINE_enum(name, value, list(meta["choices"]), help_)
    else:  # strings, and tuples written as text (parsed in from_flags)
      flags.DEFINE_string(name, format_value(value, kind), help_)


def parse_ints(flag, text):
  try:
    return tuple(int(v) for v in text.split(","))
  except ValueError:
    raise InputError(f"--{flag} takes integers separated by commas, got {text!r}") from None


def parse_points(flag, text):
  """'x,y;x,y' -> ((x, y), ...) of finite numbers."""
  try:
    pts = tuple(tuple(float(v) for v in p.split(",")) for p in text.split(";") if p.strip())
  except ValueError:
    pts = ()
  if not pts or len({len(p) for p in pts}) != 1 or any(
      v != v or v in (float("inf"), float("-inf")) for p in pts for v in p):
    raise InputError(f"--{flag} takes finite latent points as 'x,y;x,y', got {text!r}")
  return pts


def from_flags(default):
  """The config instance the parsed flags describe (same nesting as `default`)."""
  def build(config):
    kw = {}
    for f in dataclasses.fields(config):
      v = getattr(config, f.name)
      if dataclasses.is_dataclass(v):
        kw[f.name] = build(v)
        continue
      raw = FLAGS[f.name].value
      kind = f.metadata.get("kind")
      if kind == "points":
        raw = None if raw is None else parse_points(f.name, raw)
      elif f.type in (tuple, "tuple"):
        raw = None if raw is None else parse_ints(f.name, raw)
      kw[f.name] = raw
    return dataclasses.replace(config, **kw)
  return build(default)


def present():
  """Names of the flags given on the command line."""
  return {name for name in FLAGS if FLAGS[name].present}


def reject_without_effect(config, given):
  """A flag given on the command line that would have no effect is an error."""
  none = {}
  for part in [config] + [getattr(config, f.name) for f in dataclasses.fields(config)]:
    if dataclasses.is_dataclass(part) and hasattr(part, "without_effect"):
      none.update(part.without_effect())
  for name in sorted(given):
    if name in none:
      raise InputError(f"--{name} has no effect here: {none[name]}")


def group_of(name, default):
  for path, f in leaves(default):
    if path[-1] == name:
      return f.metadata.get("group", "experiment")
  return None


def grouped_help(doc, default, extra):
  """--help: the module docstring, then the flags that matter, by group."""
  lines = [doc.strip(), ""]
  by_group = {}
  for path, f in leaves(default):
    by_group.setdefault(f.metadata.get("group", "experiment"), []).append(path[-1])
  for name, group in extra:
    by_group.setdefault(group, []).append(name)
  for group in GROUPS + tuple(g for g in by_group if g not in GROUPS):
    if group not in by_group:
      continue
    lines.append(f"{group}:")
    for name in by_group[group]:
      flag = FLAGS[name]
      d = flag.default
      d = "none" if d is None else ",".join(map(str, d)) if isinstance(d, list) else d
      lines.append(textwrap.fill(f"{flag.help} (default: {d})", 100,
                                 initial_indent=f"  --{name}: ", subsequent_indent="      "))
    lines.append("")
  lines.append("Other flags (--flagfile, absl's logging): --helpfull.")
  return "\n".join(lines)


def print_and_exit(text):
  """Prints a program's help and exits 0; a reader that closes the pipe early (| head) is
  no error."""
  try:
    print(text)
  except BrokenPipeError:
    pass
  sys.exit(0)


def preset_path(name):
  """The installed file of a preset (experiments/presets/<name>.flags): a name from the
  shipped list, never a path (a file of one's own is --flagfile)."""
  folder = importlib.resources.files("experiments").joinpath("presets")
  names = sorted(p.name[:-6] for p in folder.iterdir() if p.name.endswith(".flags"))
  if name not in names:
    raise InputError(f"--preset must be one of {', '.join(names)}, got {name!r} (a flag file "
                     "of your own is --flagfile=PATH)")
  return str(folder.joinpath(f"{name}.flags"))


def expand_presets(argv):
  """--preset=NAME, in every form absl accepts for a flag (--preset=N, -preset=N, --preset N,
  -preset N), as --flagfile=<the installed file>; arguments after '--' are left alone."""
  out, rest = [argv[0]], iter(argv[1:])
  for a in rest:
    if a == "--":
      out += [a, *rest]
      break
    m = re.fullmatch(r"--?preset(?:=(.*))?", a, re.S)
    if m is None:
      out.append(a)
      continue
    name = m.group(1) if m.group(1) is not None else next(rest, None)
    if name is None:
      raise InputError("--preset needs a name, e.g. --preset=params1")
    out.append(f"--flagfile={preset_path(name)}")
  return out
