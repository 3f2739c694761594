"""Optimizers by name, schedules, and the adaptive-eta rule on a hand-made loss sequence."""
import jax.numpy as jnp
import numpy as np
import pytest

from ae import InputError, optim


def naive_adaptive(losses, eta, k, a, b):
  """Reference: the rule written as plain Python, one eta per update."""
  etas, streak, last = [], 0, None
  for v in losses:
    if last is not None and v > last:
      eta, streak = eta * (1 - b), 0
    elif last is not None and v < last:
      streak += 1
      if streak >= k:
        eta, streak = eta + a, 0
    else:
      streak = 0
    etas.append(eta)
    last = v
  return etas


def test_adaptive_eta_rule():
  seq = [5, 4, 3, 2, 1, 0.5, 0.6, 0.4, 0.3, 0.3, 0.2, 0.1, 0.05, 0.01, 0.02, 0.01]
  tx = optim.adaptive_eta(0.1, k=3, a=0.05, b=0.5)
  g = {"w": jnp.ones(2)}
  state = tx.init(g)
  got = []
  for v in seq:
    upd, state = tx.update(g, state, value=jnp.float32(v))
    got.append(float(state.eta))
    np.testing.assert_allclose(upd["w"], -state.eta * np.ones(2), rtol=1e-6)
  want = naive_adaptive(seq, 0.1, 3, 0.05, 0.5)
  np.testing.assert_allclose(got, want, rtol=1e-6)
  # hand-checked points: grows after 3 decreases (steps 1-3), halves on the increase at 0.6
  assert want[3] == pytest.approx(0.15) and want[6] == pytest.approx(want[5] / 2)


def test_sgd_step_and_schedules():
  opt = optim.make("sgd", 0.1, 10)
  p = {"w": jnp.array([1.0, -2.0])}
  upd, _ = opt.update({"w": jnp.array([0.5, 1.0])}, opt.init(p), p, value=1.0)
  np.testing.assert_allclose(upd["w"], [-0.05, -0.1])
  s = optim.schedule("cosine", 0.01, 100)
  assert float(s(0)) == pytest.approx(0.01) and float(s(100)) == pytest.approx(0.0, abs=1e-9)
  assert float(optim.schedule("linear", 0.01, 100)(50)) == pytest.approx(0.005)


def test_adaptive_state_found_and_errors():
  opt = optim.make("adam", 0.01, 10, adaptive=(5, None, 0.5))
  assert float(optim.current_eta(opt.init({"w": jnp.zeros(1)}))) == pytest.approx(0.01)
  assert optim.current_eta(optim.make("adam", 0.01, 10).init({"w": jnp.zeros(1)})) is None
  for kwargs, match in [(dict(name="lbfgs"), "optimizer"), (dict(eta=-1.0), "eta"),
                        (dict(schedule_name="zigzag"), "schedule"),
                        (dict(adaptive=(5, None, 1.5)), "adaptive_b"),
                        (dict(eta=float("inf")), "eta"), (dict(eta=float("nan")), "eta")]:
    args = dict(name="adam", eta=0.01, steps=10) | kwargs
    with pytest.raises(InputError, match=match):
      optim.make(**args)
