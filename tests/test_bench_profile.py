"""bench/profile.py's reading of optimised HLO: each product's FLOPs and GEMM form."""
import jax
import jax.numpy as jnp
import pytest

from bench import profile


@pytest.mark.parametrize("eq, a, b, form", [
    ("sbi,sio->sbo", (16, 32, 35), (16, 35, 64), "NN"),   # forward
    ("sbo,sio->sbi", (16, 32, 64), (16, 35, 64), "NT"),   # input gradient
    ("sbi,sbo->sio", (16, 32, 35), (16, 32, 64), "TN"),   # weight gradient
])
def test_products_flops_and_form(eq, a, b, form):
  f = jax.jit(lambda x, y: jnp.einsum(eq, x, y))
  text = f.lower(jnp.ones(a), jnp.ones(b)).compile().as_text()
  products = [(what, flops) for _, what, flops in profile.hlo_kernels(text).values() if flops]
  # 2 x seeds x samples x fan_in x fan_out, counted once, at the kernel that runs it
  assert products == [(f"{form} product, forward", 2 * 16 * 32 * 35 * 64)]
