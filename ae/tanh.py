"""tanh for the CPU, bit for bit XLA's own and several times faster inside a fusion.

XLA's CPU backend computes tanh by calling a compiled Eigen routine (`ptanh_float`: a
13/6-degree rational function of the clamped input, its multiply-adds fused). Inside the
loop fusions of a training step (bias + tanh) that call runs at 2-4 ns per element
(bench.profile); the same arithmetic written as XLA operations is inlined and vectorised:
up to 4x faster per kernel, most where the samples are the minor axis (bench.tanh). XLA's
CPU code generator fuses each multiply-add into one FMA as Eigen does, so the values come
out identical (tests/test_tanh.py: bit for bit against jnp.tanh over 3 million inputs, and
whole fits).

The derivative is the expression jax.lax's tanh rule uses in the installed jax, so
gradients match too: (g + g t)(1 - t) up to jax 0.10, g (1 + t)(1 - t) through
jax.lax.one_minus_square from 0.11. Other platforms (GPU) keep jnp.tanh: their tanh is
another routine.
"""
import jax
import jax.numpy as jnp
import numpy as np

# Eigen's ptanh_float, the FMA variant: numerator (odd) and denominator (even) coefficients
# in x^2, highest degree first; the clamp is where the rational function reaches 1.
_P = (-2.76076847742355e-16, 2.00018790482477e-13, -8.60467152213735e-11,
      5.12229709037114e-08, 1.48572235717979e-05, 6.37261928875436e-04,
      4.89352455891786e-03)
_Q = (1.19825839466702e-06, 1.18534705686654e-04, 2.26843463243900e-03,
      4.89352518554385e-03)
_CLAMP = np.float32(7.99881172180175781)
_TINY = np.float32(0.0004)  # below it tanh(x) = x


def _horner(coeffs, x2):
  acc = jnp.full_like(x2, coeffs[0])
  for c in coeffs[1:]:
    acc = acc * x2 + np.float32(c)  # XLA fuses this multiply-add into one FMA
  return acc


def rational_tanh(a):
  """Eigen's ptanh_float as XLA operations (float32)."""
  x = jnp.clip(a, -_CLAMP, _CLAMP)
  x2 = x * x
  return jnp.where(jnp.abs(a) < _TINY, a, (x * _horner(_P, x2)) / _horner(_Q, x2))


@jax.custom_jvp
def tanh(x):
  """jnp.tanh's values and gradients; on a CPU, float32 runs rational_tanh instead."""
  if x.dtype != jnp.float32:
    return jnp.tanh(x)
  return jax.lax.platform_dependent(x, cpu=rational_tanh, default=jnp.tanh)


@tanh.defjvp
def _tanh_jvp(primals, tangents):
  (x,), (g,) = primals, tangents
  t = tanh(x)
  # jax.lax's tanh rule, term for term (tests/test_tanh.py compares the vjps bit for bit)
  if hasattr(jax.lax, "one_minus_square"):  # jax >= 0.11: g * one_minus_square(ans)
    return t, g * jax.lax.one_minus_square(t)
  return t, (g + g * t) * (1 - t)  # jax <= 0.10
