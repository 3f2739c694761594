"""The training core: any task trains; vmap == loop; jit == no-jit; one Adam step against
NumPy; no recompilation; chunks, interruption and progress."""
import dataclasses
import logging
import time

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from ae import InputError, autoencoder, data, schedule, train
from ae.config import TrainConfig
from conftest import lowered

X = data.load("font2").x[:8]
MODEL = autoencoder.AEConfig(arch=(35, 16, 2, 16, 35))
CFG = TrainConfig(iterations=60, log_every=25, eta=0.03)
TASK = autoencoder.task(MODEL)


# ------------------------------------------------------------------ toy tasks the core must train
def linear_noisy_task(d=35, k=3, noise=0.3):
  """A linear autoencoder whose loss corrupts its input with fresh noise from the step key."""
  def init(key):
    a, b = jax.random.split(key)
    return {"enc": 0.1 * jax.random.normal(a, (d, k)), "dec": 0.1 * jax.random.normal(b, (k, d))}

  def loss(p, batch, key):
    x = batch["x"]
    noisy = x + noise * jax.random.normal(key, x.shape)
    return jnp.mean((noisy @ p["enc"] @ p["dec"] - x) ** 2)

  return train.Task(init, loss)


def circle_points(n=24, m=10):
  r = np.linspace(0.2, 0.9, n)[:, None]
  a = np.linspace(0, 2 * np.pi, m, endpoint=False)[None, :]
  return np.stack([r * np.cos(a), r * np.sin(a)], -1).reshape(n, 2 * m).astype(np.float32)


def mse_mlp_task(sizes=(20, 12, 2, 12, 20)):
  """An MLP on continuous data, linear output, MSE (the circles experiment's shape)."""
  from ae import mlp  # pylint: disable=g-import-not-at-top
  def loss(p, batch, key):
    del key
    return jnp.mean((mlp.apply(p, batch["x"], ("tanh", "identity")) - batch["x"]) ** 2)
  return train.Task(lambda key: mlp.init(key, sizes, "glorot"), loss,
                    lambda p, d: {"mse": loss(p, d, None)})


def two_head_task(d=35, h=16, k=2):
  """Mean and log-variance heads with a reparameterised sample from the step key (a VAE)."""
  def init(key):
    ks = jax.random.split(key, 4)
    g = lambda k_, s: jax.random.normal(k_, s) * np.sqrt(2.0 / sum(s))
    return {"enc": g(ks[0], (d, h)), "mu": g(ks[1], (h, k)), "logvar": g(ks[2], (h, k)),
            "dec": g(ks[3], (k, d))}

  def loss(p, batch, key):
    hid = jnp.tanh(batch["x"] @ p["enc"])
    mu, logvar = hid @ p["mu"], hid @ p["logvar"]
    z = mu + jnp.exp(0.5 * logvar) * jax.random.normal(key, mu.shape)
    logits = z @ p["dec"]
    rec = jnp.sum(jnp.logaddexp(0.0, logits) - batch["x"] * logits, axis=1)
    kl = 0.5 * jnp.sum(jnp.exp(logvar) + mu ** 2 - 1.0 - logvar, axis=1)
    return jnp.mean(rec + kl)

  return train.Task(init, loss)


@pytest.mark.parametrize("task,x,drop", [pytest.param(linear_noisy_task(), X, 0.8,
                                                      marks=pytest.mark.slow),
                                         pytest.param(mse_mlp_task(), circle_points(), 0.8,
                                                      marks=pytest.mark.slow),
                                         pytest.param(two_head_task(), X, 0.85,  # KL stays
                                                      marks=pytest.mark.slow)],
                         ids=["noisy", "mse", "two-head"])
def test_any_task_trains_with_seeds_and_a_solver_schedule(task, x, drop):
  cfg = TrainConfig(iterations=40, log_every=20, eta=0.02, seeds=3, solver="lbfgs",
                    minimize_every=20, solver_steps=10)
  fit = train.fit_seeds(task, {"x": x}, cfg)
  assert fit.steps == [0, 20, 20, 40, 40] and not fit.interrupted
  loss = fit.history["loss"]
  assert loss.shape == (3, 5) and np.all(loss[:, -1] < drop * loss[:, 0])
  assert fit.history["solver"][0].tolist() == [0, 0, 1, 0, 1]
  assert np.all(fit.history["solver_iterations"][:, -1] > 0)
  assert all(a.shape[0] == 3 for a in jax.tree.leaves(fit.params))


def test_noise_comes_from_the_step_key_and_seeds_reproduce():
  task = linear_noisy_task()
  p = task.init(jax.random.PRNGKey(0))
  k1, k2 = jax.random.split(jax.random.PRNGKey(1))
  assert float(task.loss(p, {"x": X}, k1)) != float(task.loss(p, {"x": X}, k2))
  cfg = TrainConfig(iterations=30, log_every=10, seeds=2, seed=4)
  a = train.fit_seeds(task, {"x": X}, cfg)
  b = train.fit_seeds(task, {"x": X}, dataclasses.replace(cfg, seed=5))  # no recompilation
  np.testing.assert_allclose(a.history["loss"][1], b.history["loss"][0], rtol=1e-5)
  assert not np.allclose(a.history["loss"][0], b.history["loss"][0])


def test_one_adam_step_matches_numpy():
  p0 = np.array([1.0, -2.0, 0.5], np.float32)
  target = np.array([0.3, 0.3, -1.0], np.float32)
  task = train.Task(lambda key: jnp.asarray(p0),
                    lambda p, batch, key: jnp.sum((p - batch["t"][0]) ** 2))
  cfg = TrainConfig(iterations=1, eta=0.1, schedule="constant", log_every=1)
  fit = train.fit_seeds(task, {"t": target[None]}, cfg)
  # Adam's first step in float32: moments m = (1 - b1) g, v = (1 - b2) g^2, then the bias
  # corrections 1 - b^t with b rounded to float32 first (1 - 0.999f is 0.99998713e-3, not 1e-3)
  f32 = np.float32
  g = f32(2) * (p0 - target)
  m, v = f32(1 - 0.9) * g, f32(1 - 0.999) * g * g
  m_hat, v_hat = m / (f32(1) - f32(0.9)), v / (f32(1) - f32(0.999))
  want = p0 - f32(0.1) * m_hat / (np.sqrt(v_hat) + f32(1e-8))
  np.testing.assert_allclose(fit.params[0], want, rtol=1e-6)
  np.testing.assert_allclose(fit.history["loss"][0], [np.sum((p0 - target) ** 2),
                                                      np.sum((want - target) ** 2)], rtol=1e-6)


def test_vmap_over_seeds_equals_separate_runs():
  cfg = dataclasses.replace(CFG, seeds=3, seed=5)  # 3 seeds on 2 devices: padded
  start = time.perf_counter()
  fit = train.fit_seeds(TASK, {"x": X}, cfg)
  wall = time.perf_counter() - start
  # the timing splits the call's own time: both parts inside the wall time around it
  t = fit.timing
  assert 0 < t["train_seconds"] and 0 <= t["compile_seconds"]
  assert t["compile_seconds"] + t["train_seconds"] <= wall
  assert fit.history["loss"].shape == (3, 4) and fit.steps == [0, 25, 50, 60]
  one = jax.jit(lambda k: train.fit(TASK, {"x": X}, CFG, k))
  for i in range(3):
    p1, h1 = one(jax.random.PRNGKey(5 + i))
    np.testing.assert_allclose(fit.history["loss"][i], h1["loss"], rtol=2e-4)
    for a, b in zip(jax.tree.leaves(fit.params), jax.tree.leaves(p1)):
      np.testing.assert_allclose(a[i], b, rtol=2e-3, atol=2e-5)


@pytest.mark.slow
@pytest.mark.skipif(jax.devices()[0].platform != "cpu", reason="groups are for CPU caches")
def test_seeds_in_groups_give_the_numbers_of_one_vmap(monkeypatch):
  """On a CPU each device runs its seeds in groups (lax.map over vmapped groups): the same
  numbers as one vmap over all of them, and as separate runs."""
  cfg = dataclasses.replace(CFG, seeds=8, seed=3)
  monkeypatch.setattr(train, "GROUP", 2)
  monkeypatch.setattr(train, "GROUP_ABOVE", 0)
  assert train.group_size(4, 1000) == 2
  grouped = train.fit_seeds(TASK, {"x": X}, cfg)
  monkeypatch.setattr(train, "GROUP", 0)
  plain = train.fit_seeds(TASK, {"x": X}, cfg)
  np.testing.assert_allclose(grouped.history["loss"], plain.history["loss"], rtol=1e-5)
  for a, b in zip(jax.tree.leaves(grouped.params), jax.tree.leaves(plain.params)):
    np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
  monkeypatch.setattr(train, "GROUP", 16)
  monkeypatch.setattr(train, "GROUP_ABOVE", 12 * 2**20)
  assert train.group_size(16) is None and train.group_size(40) == 16
  assert train.group_size(40, 1000) is None  # 40 seeds of 1000 parameters fit in cache
  assert train.group_size(40, 1000, always=True) == 16  # Task.group_seeds
  assert autoencoder.task(autoencoder.AEConfig(layout="columns")).group_seeds
  assert not autoencoder.task(autoencoder.AEConfig(layout="rows")).group_seeds


@pytest.mark.slow
def test_runs_batch_hyper_values_and_data():
  """Runs that differ in eta, the init's std or their data share one program and give what
  separate fits give."""
  model = autoencoder.AEConfig(arch=(35, 16, 2, 16, 35), init="normal", init_std=0.6)
  cfg = TrainConfig(iterations=30, log_every=10, eta=0.03)
  y = X[::-1].copy()
  fit = train.fit_runs(autoencoder.task_factory(model), {"x": np.stack([X, X, y])}, cfg,
                       seeds=[5, 5, 6], hyper={"eta": [0.03, 0.01, 0.03],
                                               "init_std": [0.6, 0.6, 0.3]}, data_per_run=True)
  for i, (eta, std, seed, x) in enumerate([(0.03, 0.6, 5, X), (0.01, 0.6, 5, X),
                                           (0.03, 0.3, 6, y)]):
    one = train.fit_seeds(autoencoder.task(dataclasses.replace(model, init_std=std)), {"x": x},
                          dataclasses.replace(cfg, eta=eta, seed=seed))
    np.testing.assert_allclose(fit.history["loss"][i], one.history["loss"][0], rtol=2e-4)
    np.testing.assert_allclose(fit.history["eta"][i, 0], eta, rtol=1e-6)


@pytest.mark.slow
def test_jit_equals_no_jit():
  cfg = TrainConfig(iterations=4, log_every=2, batch_size=4)
  task = autoencoder.task(autoencoder.AEConfig(arch=(35, 4, 2, 4, 35)))
  key = jax.random.PRNGKey(3)
  p_jit, h_jit = jax.jit(lambda k: train.fit(task, {"x": X}, cfg, k))(key)
  with jax.disable_jit():
    p_eager, h_eager = train.fit(task, {"x": X}, cfg, key)
  np.testing.assert_allclose(h_jit["loss"], h_eager["loss"], rtol=1e-5)
  for a, b in zip(jax.tree.leaves(p_jit), jax.tree.leaves(p_eager)):
    np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


def test_second_fit_with_the_same_shapes_does_not_recompile(caplog):
  cfg = dataclasses.replace(CFG, iterations=30, seeds=2)
  train.fit_seeds(TASK, {"x": X}, cfg)
  with jax.log_compiles(), caplog.at_level(logging.WARNING):
    again = train.fit_seeds(TASK, {"x": X}, dataclasses.replace(cfg, seed=7))
  compiles = [r for r in caplog.records if "Compiling" in r.getMessage()]
  assert not [r.getMessage() for r in compiles if "run" in r.getMessage()
              or "start" in r.getMessage()]
  assert again.timing["compile_seconds"] < 0.5


def test_chunks_give_the_same_numbers_and_stop_between_chunks(monkeypatch):
  cfg = dataclasses.replace(CFG, iterations=100, log_every=10, seeds=2)
  whole = train.fit_seeds(TASK, {"x": X}, cfg)
  monkeypatch.setattr(train, "TARGET_SECONDS", 0.0)  # one entry per compiled call
  calls = []
  chunked = train.fit_seeds(TASK, {"x": X}, cfg,
                            progress=lambda done, total, step, rows, **kw: calls.append(
                                (done, step, None if rows is None else rows["loss"].shape)))
  np.testing.assert_array_equal(whole.history["loss"], chunked.history["loss"])
  assert calls[:3] == [(0, 0, None), (1, 0, (2, 1)), (2, 10, (2, 1))] and calls[-1][:2] == (11, 100)
  asked = []
  stopped = train.fit_seeds(TASK, {"x": X}, cfg, should_stop=lambda: asked.append(1) or
                            len(asked) > 4)  # asked before each chunk, the first included
  assert stopped.interrupted and stopped.steps == [0, 10, 20, 30]
  np.testing.assert_array_equal(stopped.history["loss"], whole.history["loss"][:, :4])


def test_schedule_segments_and_entries():
  cfg = TrainConfig(iterations=10, log_every=3, solver="lbfgs", minimize_every=4, solver_steps=7)
  seg = schedule.build(cfg)
  assert seg == [schedule.Steps(0, 4), schedule.Solve(4, 7), schedule.Steps(4, 8),
                 schedule.Solve(8, 7), schedule.Steps(8, 10)]
  e = schedule.entries(seg, cfg.log_every)
  assert schedule.log_steps(e) == [0, 3, 4, 4, 7, 8, 8, 10]
  assert [int(k) == schedule.SOLVE for k in e[:, 0]] == [False, False, False, True, False,
                                                          False, True, False]
  assert schedule.build(TrainConfig(optimizer="none", solver="cg", iterations=9)) == [
      schedule.Solve(0, 9)]
  assert schedule.build(TrainConfig(iterations=5)) == [schedule.Steps(0, 5)]


def test_config_checks_and_inert_fields():
  for kw, match in [(dict(optimizer="none"), "solver"), (dict(iterations=0), "iterations"),
                    (dict(batch_size=9), "batch_size"), (dict(eta=0.0), "eta"),
                    (dict(eta=float("inf")), "eta"), (dict(solver_tol=float("nan")),
                                                        "solver_tol"),
                    (dict(solver="bfgs"), "never runs"), (dict(minimize_every=3), "needs a"),
                    (dict(seeds=0), "seeds"), (dict(seed=2**31 - 1, seeds=2), "seed"),
                    (dict(solver="cg", solver_backend="optax", minimize_every=2), "not in optax"),
                    (dict(solver="bfgs", minimize_every=2, solver_seconds=5.0), "scipy")]:
    with pytest.raises(InputError, match=match):
      dataclasses.replace(CFG, **kw).check(8)
  assert "eta" in TrainConfig(optimizer="none", solver="cg").without_effect()
  assert "schedule" in TrainConfig(adaptive_eta=True).without_effect()
  assert "adaptive_k" in TrainConfig().without_effect() and "solver_steps" in TrainConfig().without_effect()
  TrainConfig(adaptive_eta=True).check()  # the default schedule does not get in the way


def test_adaptive_eta_inside_training():
  cfg = dataclasses.replace(CFG, optimizer="sgd", eta=0.5, adaptive_eta=True, adaptive_k=3,
                            adaptive_a=0.05, adaptive_b=0.5)
  fit = train.fit_seeds(TASK, {"x": X}, cfg)
  assert not np.allclose(fit.history["eta"], 0.5)  # the rule moved eta
  assert np.all(np.isfinite(fit.history["loss"]))


def test_numpy_data_reaches_the_device_without_a_program():
  """fit_runs puts NumPy data on the device with device_put (jnp.asarray took a compiled
  copy per array, one program more every run: issue 41), in the dtype jnp.asarray gave."""
  x = X[:5].astype(np.float64)   # 5 glyphs: a shape no other test trains; float64 cast here
  cfg = dataclasses.replace(CFG, iterations=4, log_every=2)
  fit, programs = lowered(lambda: train.fit_seeds(TASK, {"x": x}, cfg))
  assert "jit(stage)" not in programs and "jit(plain_run)" in programs, programs
  again = train.fit_seeds(TASK, {"x": jnp.asarray(x)}, cfg)   # JAX's own cast
  for a, b in zip(jax.tree.leaves(fit.params), jax.tree.leaves(again.params)):
    np.testing.assert_array_equal(a, b)
