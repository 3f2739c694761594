"""Config fields that carry their flag's help, and the checks every config runs on them.

A leaf module (it imports nothing of the engine), so data and model configs can use it without
pulling in optax or the solvers.
"""
import dataclasses
import math

from ae import InputError


def field(default, help, group, choices=None, kind=None):  # pylint: disable=redefined-builtin
  """A config field with its flag's help text, --help group, allowed values and, for a tuple,
  how its flag is written (kind "ints": 1,2,3; "points": x,y;x,y)."""
  return dataclasses.field(default=default, metadata={"help": help, "group": group,
                                                      "choices": choices, "kind": kind})


FLOAT32_MAX = 3.4028234663852886e38  # training runs in float32: a larger value overflows


def check_finite(cfg):
  """Every float field (when set) is a finite number within float32's range."""
  for f in dataclasses.fields(cfg):
    v = getattr(cfg, f.name)
    if isinstance(v, float) and not math.isfinite(v):
      raise InputError(f"--{f.name} must be a finite number, got {v}")
    if isinstance(v, float) and abs(v) > FLOAT32_MAX:
      raise InputError(f"--{f.name}={v:g} is beyond float32's range (about 3.4e38), which "
                       "training computes in")


def check_choices(cfg):
  """Every field with choices (when set) holds one of them."""
  for f in dataclasses.fields(cfg):
    choices, v = f.metadata.get("choices"), getattr(cfg, f.name)
    if choices is not None and v is not None and v not in choices:
      raise InputError(f"--{f.name} must be one of {', '.join(choices)}, got {v!r}")
