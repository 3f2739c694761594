"""ae.tanh against jnp.tanh, bit for bit: values, vjp, a loss gradient and a whole fit."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from ae import autoencoder, choices, data, mlp, tanh, train
from ae.config import TrainConfig


def bits(a):
  return np.asarray(a, np.float32).view(np.int32)


def inputs():
  """3 million float32 values: normal, a dense sweep over the clamp and the tiny threshold,
  and the special values."""
  rng = np.random.default_rng(0)
  special = [0.0, -0.0, np.inf, -np.inf, np.nan, 1e-38, -1e-45, 4e-4, -4e-4,
             7.99881172180175781, -7.99881172180175781, 8.0, 20.0, 1e4]
  return jnp.asarray(np.concatenate([
      rng.standard_normal(1 << 20).astype(np.float32) * 3,
      np.linspace(-10, 10, 1 << 20, dtype=np.float32),
      np.linspace(-1e-3, 1e-3, 1 << 16, dtype=np.float32),
      np.float32(special)]))


def test_values_and_vjp_are_jnp_tanh_bit_for_bit():
  x = inputs()
  np.testing.assert_array_equal(bits(jax.jit(tanh.tanh)(x)), bits(jax.jit(jnp.tanh)(x)))
  if jax.devices()[0].platform == "cpu":  # a GPU's tanh is another routine (ae.tanh keeps it)
    np.testing.assert_array_equal(bits(jax.jit(tanh.rational_tanh)(x)),
                                  bits(jax.jit(jnp.tanh)(x)))
  g = jnp.asarray(np.random.default_rng(1).standard_normal(x.shape).astype(np.float32))
  vjp = lambda f: jax.jit(lambda x, g: jax.vjp(f, x)[1](g)[0])
  np.testing.assert_array_equal(bits(vjp(tanh.tanh)(x, g)), bits(vjp(jnp.tanh)(x, g)))


def test_a_coefficient_off_by_one_ulp_is_caught():
  """The comparison above can fail: the leading numerator coefficient moved by one ulp
  changes some outputs."""
  p = np.float32(tanh._P[-1])  # pylint: disable=protected-access
  moved = tanh._P[:-1] + (float(np.nextafter(p, np.float32(1))),)  # pylint: disable=protected-access
  x = inputs()
  ref = bits(jax.jit(jnp.tanh)(x))
  old, tanh._P = tanh._P, moved  # pylint: disable=protected-access
  try:
    assert (bits(jax.jit(lambda v: tanh.rational_tanh(v))(x)) != ref).any()  # a new trace
  finally:
    tanh._P = old  # pylint: disable=protected-access


def _fit(model, monkeypatch, f, steps=60):
  monkeypatch.setitem(mlp.ACTIVATIONS, "tanh", f)
  task = autoencoder._task(model)  # pylint: disable=protected-access  (a new task: compiles with f)
  cfg = TrainConfig(optimizer="adam", schedule="constant", eta=0.005, iterations=steps,
                    log_every=steps, seeds=4)
  return train.fit_seeds(task, {"x": data.load("font2").x}, cfg)


@pytest.mark.slow  # about 20 s: eight fits compile
@pytest.mark.parametrize("layout", choices.LAYOUTS)
def test_training_is_bit_for_bit_the_same(monkeypatch, layout):
  """Both nets the benches time (tanh hidden layers, and the peers' tanh latent), 4 seeds
  on 2 devices, either layout: params and loss history equal to training with jnp.tanh."""
  for model in (autoencoder.AEConfig(layout=layout),
                autoencoder.AEConfig(arch=(35, 29, 23, 2, 23, 29, 35), activation="tanh",
                                     latent_activation="tanh", loss="mse_tanh", layout=layout)):
    ours, ref = _fit(model, monkeypatch, tanh.tanh), _fit(model, monkeypatch, jnp.tanh)
    for a, b in zip(jax.tree.leaves(ours.params), jax.tree.leaves(ref.params)):
      np.testing.assert_array_equal(bits(a), bits(b))
    np.testing.assert_array_equal(bits(ours.history["loss"]), bits(ref.history["loss"]))
