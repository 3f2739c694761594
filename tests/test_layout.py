"""--layout=columns (the default) against rows: the same loss and gradients, and no TN
product in columns' gradient.

Slow (about 8 s, three compilations)."""
import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from ae import autoencoder, data, train
from ae.config import TrainConfig
from bench import peers, profile

pytestmark = pytest.mark.slow


def columns(model):
  return dataclasses.replace(model, layout="columns")


def rows(model):
  return dataclasses.replace(model, layout="rows")


MODELS = {"peers": peers.MODEL, "default": autoencoder.AEConfig()}


@pytest.mark.parametrize("name", MODELS)
def test_loss_and_gradient_match_rows(name):
  model = MODELS[name]
  x = jnp.asarray(data.load("font2").x)
  params = autoencoder.init(model, jax.random.PRNGKey(3))
  ours, by_rows = (jax.jit(jax.value_and_grad(t.loss))(params, {"x": x}, None)
                   for t in (autoencoder.task(columns(model)), autoencoder.task(rows(model))))
  np.testing.assert_allclose(ours[0], by_rows[0], rtol=1e-6)
  for a, b in zip(jax.tree.leaves(ours[1]), jax.tree.leaves(by_rows[1])):
    np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-7)


def _forms(task):
  """GEMM forms of the products in the seed-batched gradient of a task's loss."""
  model = peers.MODEL
  x = jnp.asarray(data.load("font2").x)
  params = jax.vmap(lambda k: autoencoder.init(model, k))(jax.random.split(
      jax.random.PRNGKey(0), 16))
  grad = jax.jit(jax.vmap(jax.grad(task.loss), in_axes=(0, None, None)))
  text = grad.lower(params, {"x": x}, None).compile().as_text()
  return [what.split()[0] for _, what, flops in profile.hlo_kernels(text).values() if flops]


@pytest.mark.skipif(jax.devices()[0].platform != "cpu", reason="XLA's CPU product forms")
def test_columns_leave_no_tn_product_but_the_shared_first_layer():
  by_rows = _forms(autoencoder.task(rows(peers.MODEL)))
  ours = _forms(autoencoder.task(columns(peers.MODEL)))
  assert by_rows.count("TN") >= 5  # every weight gradient behind the first layer
  assert ours.count("TN") <= 1  # the first layer's: one wide product over every seed
  assert len(ours) == len(by_rows)


def test_a_short_fit_agrees_with_rows_to_float_rounding():
  """50 Adam steps of 4 seeds on 2 devices, through train.fit_seeds: the params of each seed
  agree with rows' to float rounding (after thousands of steps they drift apart: the
  rounding differences grow; bench.layout measures how far)."""
  cfg = TrainConfig(optimizer="adam", schedule="constant", eta=0.005, iterations=50,
                    log_every=50, seeds=4)
  x = {"x": data.load("font2").x}
  by_rows, cols = (train.fit_seeds(autoencoder.task(m), x, cfg)
                   for m in (rows(peers.MODEL), columns(peers.MODEL)))
  for a, b in zip(jax.tree.leaves(cols.params), jax.tree.leaves(by_rows.params)):
    np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
  assert not all(np.array_equal(a, b) for a, b in zip(jax.tree.leaves(cols.params),
                                                       jax.tree.leaves(by_rows.params)))
