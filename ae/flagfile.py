"""A run's flags.txt: an absl flagfile of every flag whose value differs from the experiment's
default, so `python -m experiments.<name> --flagfile=<run>/flags.txt` repeats the run and
later flags vary it.

Every leaf field of an experiment's Config is the flag of its name (experiments/cli.py), so
the file follows from the config alone; this module needs no absl.

  >>> import dataclasses
  >>> @dataclasses.dataclass(frozen=True)
  ... class C:
  ...   eta: float = 0.02
  ...   arch: tuple = (35, 2, 35)
  ...   decay: bool = False
  >>> print(text("demo", C(eta=0.0085, decay=True)), end="")
  # a demo run; to repeat it: python -m experiments.demo --flagfile=<this run>/flags.txt
  --eta=0.0085
  --decay
"""
import dataclasses

NAME = "flags.txt"


def format_value(value, kind):
  """A field's value as its flag's text (None: none)."""
  if value is None:
    return None
  if kind == "points":
    return ";".join(",".join(f"{v:g}" for v in p) for p in value)
  if isinstance(value, tuple):
    return ",".join(map(str, value))
  return value


def leaves(config, prefix=()):
  """(path, dataclasses.Field, value) of every leaf field of a (nested) config instance."""
  for f in dataclasses.fields(config):
    v = getattr(config, f.name)
    if dataclasses.is_dataclass(v):
      yield from leaves(v, prefix + (f.name,))
    else:
      yield prefix + (f.name,), f, v


def lines(config):
  """One line per flag that differs from type(config)()'s default: --name=value, --name or
  --noname; a comment for a value no flag can say (a run made from Python)."""
  default = {f.name: v for _, f, v in leaves(type(config)())}
  out = []
  for _, f, v in leaves(config):
    if v == default[f.name]:
      continue
    if isinstance(v, bool):
      out.append(f"--{f.name}" if v else f"--no{f.name}")
    elif v is None or "\n" in str(v):
      out.append(f"# --{f.name}: {v!r}, which no flag can say (the run was made from Python)")
    elif isinstance(v, float):   # repr: the float itself, digit for digit
      out.append(f"--{f.name}={v!r}")
    elif f.metadata.get("kind") == "points":
      out.append(f"--{f.name}=" + ";".join(",".join(repr(float(c)) for c in p) for p in v))
    else:
      out.append(f"--{f.name}={format_value(v, f.metadata.get('kind'))}")
  return out


def text(experiment, config, loaded_from=None):
  """flags.txt's contents."""
  head = [f"# a {experiment} run; to repeat it: python -m experiments.{experiment} "
          f"--flagfile=<this run>/{NAME}"]
  if loaded_from is not None:
    head.append(f"# (redrawn from {loaded_from}: the flags train that run again)")
  return "\n".join(head + lines(config)) + "\n"
