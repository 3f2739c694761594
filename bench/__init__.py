"""Benchmarks (not installed): python -m bench.<name>; tables in BUILD_NOTES.md."""


def flops_per_seed(arch, n, steps):
  """Matrix-product FLOPs of `steps` full-batch training steps on n samples, one seed:
  6 x n x sum(fan_in x fan_out) per step (2 forward, 4 backward)."""
  return 6.0 * n * sum(a * b for a, b in zip(arch[:-1], arch[1:])) * steps
