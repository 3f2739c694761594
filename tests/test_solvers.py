"""Solvers: every backend against scipy.optimize and closed forms; the schedule inside training."""
import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.optimize
from jax.flatten_util import ravel_pytree

from ae import InputError, autoencoder, choices, data, schedule, solvers, train
from ae.config import TrainConfig

PAIRS = [pytest.param(b, m, marks=pytest.mark.slow) if b == "jaxopt" else (b, m)
         for b, ms in choices.BACKENDS.items() for m in ms if m != "powell"]  # jaxopt: slow


def rosen(x):
  v = jnp.concatenate([x["a"], x["b"]])  # a pytree argument, as params are
  return jnp.sum(100.0 * (v[1:] - v[:-1] ** 2) ** 2 + (1 - v[:-1]) ** 2)


X0 = {"a": jnp.array([-1.2, 1.0]), "b": jnp.array([-0.5, 0.8, 1.1])}
A = jnp.array([[4.0, 1, 0, 0], [1, 3, 0.5, 0], [0, 0.5, 2, 0.2], [0, 0, 0.2, 1]])
B = jnp.array([1.0, -2.0, 0.5, 3.0])


def quad(x, a, b):
  return 0.5 * x @ a @ x - b @ x


def scipy_rosen():
  """scipy's own Rosenbrock, float64, exact gradient."""
  x0 = np.concatenate([X0["a"], X0["b"]]).astype(np.float64)
  np.testing.assert_allclose(scipy.optimize.rosen(x0), rosen(X0), rtol=1e-6)
  return scipy.optimize.minimize(scipy.optimize.rosen, x0, jac=scipy.optimize.rosen_der,
                                 method="BFGS", tol=1e-10).x


@pytest.mark.parametrize("backend,method", PAIRS)
def test_rosenbrock_matches_scipy(backend, method):
  steps = 3000 if method == "cg" else 500
  x, info = solvers.minimize(rosen, X0, (), method, backend, steps=steps, tol=1e-9)
  got = np.concatenate([x["a"], x["b"]])
  np.testing.assert_allclose(got, scipy_rosen(), atol=2e-3)  # the minimum (1, ..., 1)
  assert float(info["value"]) < 1e-5 and int(info["iterations"]) > 5


@pytest.mark.parametrize("backend,method", PAIRS)
def test_quadratic_closed_form(backend, method):
  x, info = solvers.minimize(quad, jnp.zeros(4), (A, B), method, backend, steps=200, tol=1e-9)
  exact = np.linalg.solve(A, B)
  # float32: a line search on values cannot place x closer than ~sqrt(eps) ~ 3e-4 (f changes
  # by ~1e-7 there); optimistix's CG stalls at 2.4e-4 however many steps it gets.
  np.testing.assert_allclose(x, exact, atol=1e-3)
  a, b = np.asarray(A, np.float64), np.asarray(B, np.float64)
  ref = scipy.optimize.minimize(lambda v: 0.5 * v @ a @ v - b @ v, np.zeros(4),
                                jac=lambda v: a @ v - b, method="CG").x
  np.testing.assert_allclose(x, ref, atol=1e-3)
  np.testing.assert_allclose(info["value"], quad(exact, A, B), rtol=1e-5)


def test_powell_and_time_cap():
  x, info = solvers.minimize(quad, jnp.zeros(4), (A, B), "powell", steps=10_000, tol=1e-10)
  np.testing.assert_allclose(x, np.linalg.solve(A, B), atol=1e-3)
  assert info["evaluations"] > 10 and not info["timed_out"]
  big = {"a": jnp.full(30, -1.2), "b": jnp.full(30, 1.0)}  # far more than 0.05 s of Powell
  x, info = solvers.minimize(rosen, big, (), "powell", steps=10**9, seconds=0.05)
  assert info["timed_out"] and float(info["value"]) < float(rosen(big))


def test_backend_choice_errors():
  assert solvers.backend_for("bfgs") == choices.DEFAULT_BACKEND["bfgs"]
  with pytest.raises(InputError, match="not in optax"):
    solvers.backend_for("cg", "optax")
  with pytest.raises(InputError, match="solver must"):
    solvers.backend_for("newton")
  with pytest.raises(InputError, match="host"):
    solvers.make(quad, "powell")


X = data.load("font2").x[:8]
TASK = autoencoder.task(autoencoder.AEConfig(arch=(35, 12, 2, 12, 35)))
CFG = TrainConfig(iterations=40, log_every=10, eta=0.01)


def test_a_schedule_without_solver_calls_is_plain_training_bit_for_bit():
  f = lambda cfg: jax.jit(lambda k: train.fit(TASK, {"x": X}, cfg, k))(jax.random.PRNGKey(1))
  p0, h0 = f(CFG)
  p1, h1 = f(dataclasses.replace(CFG, solver="bfgs", minimize_every=50))  # never reached
  assert schedule.build(dataclasses.replace(CFG, solver="bfgs", minimize_every=50)) == [
      schedule.Steps(0, 40)]
  for a, b in zip(jax.tree.leaves((p0, h0)), jax.tree.leaves((p1, h1))):
    np.testing.assert_array_equal(a, b)


@pytest.mark.slow
def test_solver_steps_lower_the_loss_and_vmap_equals_loop():
  cfg = dataclasses.replace(CFG, solver="lbfgs", minimize_every=10, solver_steps=15, seeds=2,
                            seed=2)
  fit = train.fit_seeds(TASK, {"x": X}, cfg)
  assert fit.steps == [0, 10, 10, 20, 20, 30, 30, 40, 40]
  assert fit.history["loss"].shape == (2, 9)
  after = fit.history["solver"][0] > 0
  assert after.tolist() == [False] + [False, True] * 4
  loss = fit.history["loss"]
  idx = np.flatnonzero(after)
  assert np.all(loss[:, idx] < loss[:, idx - 1])  # every solver call lowered the loss
  assert np.all(fit.history["solver_iterations"][:, -1] == 60)
  plain = train.fit_seeds(TASK, {"x": X}, dataclasses.replace(CFG, seeds=2, seed=2))
  assert not np.allclose(fit.params[0]["w"], plain.params[0]["w"])  # the solver changed them
  # vmap == loop over one solver call of 5 iterations. The two agree bit for bit up to the
  # call and through its first iteration; then the batched and unbatched reductions round
  # differently (1.5e-7 after 5 optax iterations, 0 with optimistix, on an AVX2 EPYC), and
  # line searches amplify that by an amount that depends on the CPU: after 15 iterations
  # optax's differed by 3e-5 on an earlier machine and 1.2e-4 on the AVX2 one (3% after
  # three calls), optimistix's by up to 1e-3.
  for backend, rtol in (("optax", 1e-4), ("optimistix", 5e-3)):
    cfg1 = dataclasses.replace(cfg, iterations=10, solver_steps=5, solver_backend=backend)
    fit1 = train.fit_seeds(TASK, {"x": X}, cfg1)
    one = jax.jit(lambda k, c=cfg1: train.fit(TASK, {"x": X}, c, k))
    for i in range(2):
      _, h1 = one(jax.random.PRNGKey(2 + i))
      np.testing.assert_allclose(fit1.history["loss"][i], h1["loss"], rtol=rtol)


@pytest.mark.slow
def test_solver_alone_and_scipy_host_schedule():
  alone = dataclasses.replace(CFG, optimizer="none", solver="lbfgs", iterations=30)
  fit = train.fit_seeds(TASK, {"x": X}, alone)
  assert fit.steps == [0, 0] and fit.history["loss"][0, 1] < 0.6 * fit.history["loss"][0, 0]
  # the same L-BFGS iterations from the same initial params (flat, as the core keeps them),
  # outside the core; few of them, as line searches amplify last-bit differences (batched
  # vs unbatched products) into different paths after a few dozen iterations
  flat0, unravel = ravel_pytree(TASK.init(jax.random.split(jax.random.PRNGKey(0))[0]))
  _, info = solvers.minimize(lambda v: TASK.loss(unravel(v), {"x": X}, None), flat0, (),
                             "lbfgs", "optimistix", steps=5)
  five = train.fit_seeds(TASK, {"x": X}, dataclasses.replace(alone, iterations=5))
  np.testing.assert_allclose(five.history["loss"][0, 1], info["value"], rtol=1e-3)
  cfg = dataclasses.replace(CFG, solver="bfgs", solver_backend="scipy", minimize_every=20,
                            solver_steps=10, seeds=2)
  fit = train.fit_seeds(TASK, {"x": X}, cfg)
  assert fit.steps == [0, 10, 20, 20, 30, 40, 40] and fit.timing["train_seconds"] > 0
  loss, after = fit.history["loss"], np.flatnonzero(fit.history["solver"][0] > 0)
  assert after.tolist() == [3, 6] and np.all(loss[:, after] <= loss[:, after - 1])
  assert fit.params[0]["w"].shape == (2, 35, 12)
  assert np.all(fit.history["solver_iterations"][:, -1] > 0)


@pytest.mark.slow
def test_scipy_powell_reports_evaluations_and_stops_on_request():
  cfg = dataclasses.replace(CFG, optimizer="none", solver="powell", iterations=10**6)
  seen, calls = [], []
  fit = train.fit_seeds(TASK, {"x": X}, cfg, progress=lambda *a, **kw: seen.append(kw),
                        should_stop=lambda: calls.append(1) or len(calls) > 300)
  evaluations = [kw["evaluations"] for kw in seen if "evaluations" in kw]
  assert fit.interrupted and evaluations and max(evaluations) <= 300
  assert fit.history["loss"][0, -1] <= fit.history["loss"][0, 0]
