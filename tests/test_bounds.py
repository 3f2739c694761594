"""Every size is bounded before work (issue 43 item 3): the schedule's length, the depth of
an --arch, the --decode points, the error line; and the figures' checks scale to 200,000
glyphs."""
import random

import numpy as np
import pytest

from ae import InputError, plotting, schedule
from ae.autoencoder import AEConfig
from ae.config import TrainConfig


def test_the_schedule_is_counted_exactly_without_building_it():
  rng = random.Random(0)
  for _ in range(600):
    n, every = rng.randint(1, 3000), rng.randint(1, 700)
    solver = rng.choice([None, "bfgs"])
    optimizer = rng.choice(["adam", "none"]) if solver else "adam"
    k = rng.choice([1, 7, 50, 333]) if solver and optimizer != "none" else 0
    cfg = TrainConfig(iterations=n, log_every=every, optimizer=optimizer, solver=solver,
                      minimize_every=k)
    entries, logged = schedule.blocks(schedule.build(cfg), every)
    assert schedule.size(cfg) == (len(entries), int(logged.sum())), cfg


@pytest.mark.parametrize("cfg,where", [
    (TrainConfig(iterations=10**12), "20,000,000,001 training chunks"),
    (TrainConfig(iterations=10**9, log_every=1), "1,000,000,001 training chunks"),
    (TrainConfig(iterations=10**8, solver="lbfgs", minimize_every=1), "200,000,001 training")])
def test_a_schedule_too_long_is_one_line_at_once(cfg, where):
  with pytest.raises(InputError, match=where):
    cfg.check()
  TrainConfig(iterations=10**8 - 100, log_every=100).check()   # the longest allowed


def test_a_deep_arch_and_many_decode_points_are_refused():
  from experiments import latent2d  # pylint: disable=g-import-not-at-top
  deep = (35,) + (8,) * 33 + (2, 8, 35)
  with pytest.raises(InputError, match="at most 33 .32 layers."):
    AEConfig(arch=deep).check(35)
  AEConfig(arch=(35,) + (8,) * 29 + (2, 8, 35)).check(35)   # 32 layers: allowed
  with pytest.raises(InputError, match="decode takes at most 200 points"):
    latent2d.prepare(latent2d.Config(decode=((0.0, 0.0),) * 201))


def test_an_error_line_quotes_at_most_a_few_hundred_characters_of_input():
  e = InputError("--chars: '" + "é" * 100_000 + "' not in font2 (it has 'ABC')")
  assert len(e.flag_message) < 400 and len(str(e)) < 400
  assert e.flag_message.startswith("--chars: 'ééé") and e.flag_message.endswith(
      "' not in font2 (it has 'ABC')")
  assert "...[99,739 characters]..." in e.flag_message   # how much was left out


def test_coinciding_codes_are_counted_as_the_pairwise_check_counts_them():
  rng = np.random.default_rng(0)
  for n in (2, 3, 50, 400, plotting.PAIRWISE + 1):   # pairwise, then a k-d tree
    z = rng.normal(size=(n, 2))
    z[: n // 3] = z[n // 3: 2 * (n // 3)] + rng.normal(size=(n // 3, 2)) * 1e-4  # near copies
    span = max(np.ptp(z[:, 0]), np.ptp(z[:, 1]))
    d = np.linalg.norm(z[:, None] - z[None], axis=-1) + np.diag(np.full(n, np.inf))
    assert plotting.collapsed(z) == int((d.min(1) < 0.01 * span).sum())
  big = rng.normal(size=(200_000, 2))   # the pairwise check would ask for 298 GiB
  assert 0 < plotting.collapsed(big) < 200_000
