"""Training loop: loss goes down, history layout, vmap == loop, jit == no-jit, sharded padding."""
import dataclasses

import jax
import numpy as np
import pytest

from ae import InputError, data, losses, train

X = data.load("font2").x[:8]
CFG = train.TrainConfig(arch=(35, 16, 2, 16, 35), steps=60, log_every=25, eta=0.03)


def test_fit_lowers_loss_and_logs():
  params, hist = jax.jit(lambda k: train.fit(k, X, X, CFG))(jax.random.PRNGKey(0))
  assert train.log_steps(CFG) == [0, 25, 50, 60]
  assert all(v.shape == (4,) for v in hist.values())
  assert hist["loss"][-1] < 0.5 * hist["loss"][0]
  np.testing.assert_allclose(hist["loss"][-1], losses.reconstruction_loss(params, X, X, CFG.acts), rtol=1e-5)
  assert float(hist["eta"][0]) == pytest.approx(0.03) and float(hist["eta"][-1]) < 1e-6  # cosine


def test_vmap_over_seeds_equals_separate_runs():
  p3, h3, timing = train.fit_seeds(X, X, CFG, seed=5, n_seeds=3)  # 3 seeds on 2 devices: padded
  assert timing["compile_seconds"] > 0 and timing["train_seconds"] > 0
  assert h3["loss"].shape == (3, 4)
  one = jax.jit(lambda k: train.fit(k, X, X, CFG))  # compiled once, called per seed
  for i in range(3):
    p1, h1 = one(jax.random.PRNGKey(5 + i))
    np.testing.assert_allclose(h3["loss"][i], h1["loss"], rtol=2e-4)
    for a, b in zip(jax.tree.leaves(p3), jax.tree.leaves(p1)):
      np.testing.assert_allclose(a[i], b, rtol=2e-3, atol=2e-5)


def test_jit_equals_no_jit():
  cfg = dataclasses.replace(CFG, arch=(35, 4, 2, 4, 35), steps=5, log_every=2, batch_size=4)
  key = jax.random.PRNGKey(3)
  p_jit, h_jit = jax.jit(lambda k: train.fit(k, X, X, cfg))(key)
  with jax.disable_jit():
    p_eager, h_eager = train.fit(key, X, X, cfg)
  np.testing.assert_allclose(h_jit["loss"], h_eager["loss"], rtol=1e-5)
  for a, b in zip(jax.tree.leaves(p_jit), jax.tree.leaves(p_eager)):
    np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


def test_adaptive_eta_inside_training():
  cfg = dataclasses.replace(CFG, optimizer="sgd", eta=0.5, schedule="constant", adaptive=(3, 0.05, 0.5))
  _, hist = jax.jit(lambda k: train.fit(k, X, X, cfg))(jax.random.PRNGKey(0))
  assert not np.allclose(hist["eta"], 0.5)  # the rule moved eta
  assert np.all(np.isfinite(hist["loss"]))


def test_config_checks():
  for kw, match in [(dict(arch=(36, 2, 36)), "data has 35"), (dict(activation="gelu"), "--activation"),
                    (dict(loss="hinge"), "--loss"), (dict(steps=0), "--iterations"),
                    (dict(batch_size=9), "--batch_size"), (dict(eta=0.0), "--eta")]:
    with pytest.raises(InputError, match=match):
      dataclasses.replace(CFG, **kw).check(8, 35)
