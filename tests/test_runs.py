"""Run directory helpers: params and history round trips, no overwriting, JSON of odd values."""
import dataclasses

import jax
import numpy as np
import pytest

from ae import InputError, mlp, runs


def test_params_round_trip_with_seed_axis(tmp_path):
  params = jax.vmap(lambda k: mlp.init(k, (5, 3, 2, 3, 5)))(jax.random.split(jax.random.PRNGKey(0), 4))
  runs.save_params(tmp_path / "p.npz", params)
  back = runs.load_params(tmp_path / "p.npz")
  assert len(back) == 4 and mlp.sizes_of(back) == (5, 3, 2, 3, 5)
  for a, b in zip(jax.tree.leaves(params), jax.tree.leaves(back)):
    np.testing.assert_array_equal(a, b)
  nested = {"enc": [{"w": np.ones((2, 3))}], "mu": np.zeros((2, 1)), "dec": [np.arange(12.)]}
  runs.save_params(tmp_path / "n.npz", nested)
  back = runs.load_params(tmp_path / "n.npz")
  assert jax.tree.structure(back) == jax.tree.structure(nested)
  (tmp_path / "bad.npz").write_bytes(b"PK\x03\x04 truncated")
  with pytest.raises(InputError, match="bad.npz: damaged"):
    runs.load_params(tmp_path / "bad.npz")


def test_history_round_trip(tmp_path):
  h = {"loss": np.ones((2, 3)), "eta": np.zeros((2, 3))}
  runs.save_history(tmp_path / "h.npz", [0, 5, 9], h)
  steps, back = runs.load_history(tmp_path / "h.npz")
  assert steps.tolist() == [0, 5, 9] and set(back) == {"loss", "eta"}
  assert runs.load_history(tmp_path / "none.npz") == (None, None)


def test_never_overwrites_and_builds_aside(tmp_path):
  with runs.Building(tmp_path / "a" / "run") as b:
    assert (b.tmp / "figures").is_dir() and not b.path.exists()
    (b.tmp / "x.txt").write_text("1")
  assert (b.path / "x.txt").read_text() == "1" and b.path == tmp_path / "a" / "run"
  with pytest.raises(InputError, match="already exists"):
    runs.Building(tmp_path / "a" / "run")
  with pytest.raises(InputError, match="not a finished run"):
    runs.load_run(b.path)
  with pytest.raises(KeyboardInterrupt):  # any failure leaves nothing behind
    with runs.Building(tmp_path / "b") as b2:
      (b2.tmp / "half.txt").write_text("")
      raise KeyboardInterrupt
  assert sorted(p.name for p in tmp_path.iterdir()) == ["a"]
  assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["run"]


def test_json_plain_values(tmp_path):
  @dataclasses.dataclass(frozen=True)
  class C:
    t: tuple = (1, 2)
    f: float = float("nan")
  runs.save_json(tmp_path / "c.json", {"c": C(), "a": np.arange(2), "x": np.float32(1.5),
                                       "inf": float("inf")})
  assert runs.load_json(tmp_path / "c.json") == {"c": {"t": [1, 2], "f": None}, "a": [0, 1],
                                                 "x": 1.5, "inf": "inf"}


def test_a_dangling_link_at_the_run_name_is_an_existing_run(tmp_path):
  (tmp_path / "run").symlink_to(tmp_path / "nowhere")
  with pytest.raises(InputError, match="already exists"):
    runs.Building(tmp_path / "run")
