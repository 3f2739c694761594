"""Where a training step's time goes: every XLA kernel of the compiled loop, timed.

  python -m bench.profile                    # the peers' net, 256 seeds, 300 steps (~20 s)
  python -m bench.profile --recipe=default   # the default net (~35 s)
  python -m bench.profile --batched_seeds=64 --steps=1000 --top=10
  python -m bench.profile --layout=rows      # the rows layout (columns is the default)

Trains once to compile, then once under jax.profiler with a Perfetto trace, and adds up the
trace's kernel events (every core's thread). Seeds and steps are bench.nets' flags
(--batched_seeds, --steps; 300 steps here by default). Prints the time by kind of kernel
(products on YNNPACK or on XLA's own dot emitter, loop fusions, copies) and the costliest
kernels, each with its output shape, what it computes (from the HLO metadata) and, for
products, their GEMM form and GFLOP/s.
"""
import collections
import dataclasses
import glob
import gzip
import json
import math
import re
import tempfile

import jax
from absl import app, flags

from ae import autoencoder, choices, data, train
from bench import nets
from experiments import startup

flags.set_default(nets.STEPS, 300)

_RECIPE = flags.DEFINE_enum("recipe", "peers", nets.NETS,
                            "peers: bench.peers' net and Adam; default: the default recipe.")
_TOP = flags.DEFINE_integer("top", 25, "Kernels listed one by one.")
_LAYOUT = flags.DEFINE_enum("layout", autoencoder.AEConfig().layout, choices.LAYOUTS,
                            "The model's --layout.")

_LINE = re.compile(r"^\s*(?:ROOT )?%(\S+) = (\w+)\[([\d,]*)\]\S* (\w[\w-]*)\((.*)$")


def _dot(rest, shape, shapes):
  """(FLOPs, form) of a dot: form is NN, NT, TN or TT as in GEMM, T where an operand
  contracts another axis than a row-major product would (TN: a weight gradient, which
  contracts the samples, the rows of both operands)."""
  dims = {k: [int(d) for d in v.split(",") if d] for k, v in
          re.findall(r"(\w+_dims)=\{([\d,]*)\}", rest)}
  lhs = re.match(r"%([\w.-]+)", rest).group(1)
  nb = len(dims.get("lhs_batch_dims", []))
  k = math.prod(shapes[lhs][d] for d in dims["lhs_contracting_dims"])
  form = ("N" if dims["lhs_contracting_dims"] == [len(shapes[lhs]) - 1] else "T") + (
      "N" if dims["rhs_contracting_dims"] == [nb] else "T")
  return 2 * math.prod(shape) * k, form


def hlo_kernels(text):
  """name -> (shape, what, product FLOPs) for every kernel (an instruction outside the fused
  computations) of optimised HLO text; a fusion's FLOPs and product form are those of the
  dots inside the computation it calls."""
  shapes, rows, calls, dots, where = {}, {}, {}, {}, {}
  comp = None
  for line in text.splitlines():
    if line and not line.startswith(" ") and "{" in line:
      comp = line.split()[1 if line.startswith("ENTRY") else 0].lstrip("%")
    m = _LINE.match(line)
    if not m:
      continue
    name, shape, op, rest = m.group(1), [int(d) for d in m.group(3).split(",") if d], \
        m.group(4), m.group(5)
    shapes[name], where[name] = shape, comp
    what = re.search(r'op_name="([^"]*)"', rest)
    rows[name] = (shape, "/".join(what.group(1).split("/")[-2:]) if what else op)
    called = re.search(r"calls=%([\w.-]+)", rest)
    if called:
      calls[name] = called.group(1)
    if op == "dot":
      dots[name] = dots[comp] = _dot(rest, shape, shapes)
  out, fused = {}, set(calls.values())
  for n, (s, w) in rows.items():
    if where[n] in fused:
      continue
    flops, form = dots.get(calls.get(n, n), (0, None))
    out[n] = (s, f"{form} product, {'backward' if 'transpose(' in w else 'forward'}"
              if form else w, flops)
  return out


def kind(name):
  """The kind of kernel an HLO instruction name stands for."""
  base = name.split(".")[0]
  if base == "ynn_fusion":
    return "YNNPACK (products, bias sums)"
  if base == "dot":
    return "XLA's dot emitter (products)"
  if re.search("copy|slice|bitcast|concatenate", base):
    return "copies, slices, concatenations"
  return "loop fusions (bias, tanh, loss, Adam)" if "fusion" in base else "other"


def profiled_fit():
  """(model, fit, trace events, the compiled loop's HLO text) of a fit after a compiling one."""
  model, cfg = nets.nets(nets.BATCHED.value)[_RECIPE.value]
  model = dataclasses.replace(model, layout=_LAYOUT.value)
  task, x = autoencoder.task(model), data.load("font2").x
  train.fit_seeds(task, {"x": x}, cfg)  # compiles
  with tempfile.TemporaryDirectory() as d:
    with jax.profiler.trace(d, create_perfetto_trace=True):
      fit = train.fit_seeds(task, {"x": x}, cfg)
    path = glob.glob(f"{d}/**/perfetto_trace.json.gz", recursive=True)[0]
    events = json.load(gzip.open(path))
  events = events["traceEvents"] if isinstance(events, dict) else events
  run = list(train._CACHE.values())[-1][2]
  return model, fit, events, run.compiled.as_text()


def main(argv):
  del argv
  startup.use_all_cores()
  model, fit, events, text = profiled_fit()
  hlo = hlo_kernels(text)
  total, calls = collections.Counter(), collections.Counter()
  for e in events:
    if e.get("ph") == "X" and e.get("name") in hlo:
      total[e["name"]] += e.get("dur", 0.0)
      calls[e["name"]] += 1
  kernel_us = sum(total.values())
  steps, seeds = nets.STEPS.value, nets.BATCHED.value
  per = steps * seeds
  print(f"{'-'.join(map(str, model.arch))}, {seeds} seeds on {len(jax.devices())} devices, "
        f"{steps} steps: train {fit.timing['train_seconds']:.2f} s under the profiler; "
        f"kernels {kernel_us / 1e6:.2f} s of thread time, {kernel_us / per:.1f} us per seed "
        "and step\n")
  by_kind = collections.Counter()
  for n, t in total.items():
    by_kind[kind(n)] += t
  print("| kind of kernel | s | share |\n|---|---|---|")
  for k, t in by_kind.most_common():
    print(f"| {k} | {t / 1e6:.2f} | {t / kernel_us:.0%} |")
  prod_us = sum(t for n, t in total.items() if hlo[n][2])
  prod_flops = sum(hlo[n][2] * calls[n] for n in total if hlo[n][2])
  print(f"\nProducts: {prod_us / kernel_us:.0%} of the kernel time, at "
        f"{prod_flops / prod_us / 1e3:.0f} GFLOP/s per core on average; the rest: "
        f"{(kernel_us - prod_us) / per:.1f} us per seed and step.")
  print("\n| kernel | output | what | us per call | share | GFLOP/s |\n|---|---|---|---|---|---|")
  for n, t in total.most_common(_TOP.value):
    shape, what, flops = hlo[n]
    us = t / calls[n]
    print(f"| {n} | {'x'.join(map(str, shape))} | {what} | {us:.0f} | {t / kernel_us:.1%} | "
          f"{f'{flops / us / 1e3:.0f}' if flops else ''} |")


if __name__ == "__main__":
  app.run(main)
