"""Seeds aligned into one consensus map (issue 40): exact similarity transforms align with no
residual and full stability, the rotation is scipy's orthogonal Procrustes, independent maps
score as the shuffled null does, and diverged seeds are left out and named."""
import numpy as np
import pytest
import scipy.linalg

from ae import align


def _similar(base, rng, s):
  """s maps: base under a random rotation (every other one reflected too), scale and shift."""
  out = []
  for i in range(s):
    q = np.linalg.qr(rng.normal(size=(base.shape[1],) * 2))[0]
    flip = np.ones(base.shape[1])
    flip[0] = np.sign(np.linalg.det(q)) * (-1) ** i
    q = q * flip                                     # det +1, then -1, ...
    out.append(rng.uniform(0.2, 5) * base @ q + rng.normal(size=base.shape[1]) * 10)
  return np.stack(out)


@pytest.mark.parametrize("dim", [2, 3])
def test_similarity_transforms_of_one_map_align_exactly(dim):
  rng = np.random.default_rng(0)
  base = rng.normal(size=(20, dim))
  codes = _similar(base, rng, 6)
  a = align.gpa(codes)
  assert a.disparity.max() < 1e-20 and a.spread.max() < 1e-9
  for i in range(6):
    np.testing.assert_allclose(a.to_consensus(i, codes[i]), a.consensus, atol=1e-9)
    np.testing.assert_allclose(a.to_seed(i, a.consensus), codes[i], atol=1e-8)
  dets = np.linalg.det(a.rotation)   # half the seeds are mirror images: undone by reflection
  assert set(np.round(dets * dets[0]).tolist()) == {-1.0, 1.0}
  np.testing.assert_allclose(align.stability(codes, a.consensus), 1.0)
  # the consensus is the base map itself, up to a similarity transform
  assert align.gpa(np.stack([base, a.consensus])).disparity.max() < 1e-20


def test_the_rotation_is_scipys_orthogonal_procrustes():
  rng = np.random.default_rng(1)
  x, target = rng.normal(size=(3, 15, 2)), rng.normal(size=(3, 15, 2))
  mine = align._rotations(x, target)   # pylint: disable=protected-access
  for i in range(3):
    np.testing.assert_allclose(mine[i], scipy.linalg.orthogonal_procrustes(x[i], target[i])[0],
                               atol=1e-12)


def test_noisy_copies_are_stable_and_independent_maps_score_as_the_null():
  rng = np.random.default_rng(2)
  base = rng.normal(size=(32, 2))
  noisy = _similar(base, rng, 8) + 0.01 * rng.normal(size=(8, 32, 2))
  assert align.stability(noisy).mean() > 0.9
  independent = rng.normal(size=(16, 32, 2))
  got, null = align.stability(independent).mean(), align.null_stability(independent).mean()
  assert abs(got - null) < 0.05 and null < 0.15
  # a glyph's chance of keeping a neighbour set of 3 among 31 others is small: the null
  # sits near that chance (Jaccard of two random 3-sets of 31), not near 1
  assert null < 3 * (3 * 3 / 31) / (6 - 3 * 3 / 31)


def test_diverged_and_collapsed_seeds_are_left_out_and_named():
  rng = np.random.default_rng(3)
  codes = _similar(rng.normal(size=(10, 2)), rng, 4)
  codes[1, 4] = np.nan
  codes[3] = 7.0   # every glyph at one point: no map to align
  a = align.gpa(codes)
  assert a.seeds.tolist() == [0, 2] and a.dropped.tolist() == [1, 3]
  with pytest.raises(ValueError, match="needs 2 seeds"):
    align.gpa(codes[[1, 3, 0]])
