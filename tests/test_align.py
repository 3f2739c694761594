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


@pytest.mark.parametrize("dim, collapsed", [(2, False), (6, False), (2, True)])
def test_the_null_is_the_mean_over_its_shuffles_one_by_one(dim, collapsed):
  """Shuffles aligned together, in a group per thread (wide codes) or one (2-D): the same
  bits as the plain loop, each shuffle drawn in turn from the seed's generator and aligned
  on its own (a seed whose codes all coincide left out of each GPA, as gpa leaves it)."""
  codes = np.random.default_rng(4).normal(size=(8, 32, dim))
  if collapsed:
    codes[3] = 0.5
  rng, scores = np.random.default_rng(0), []
  for _ in range(20):   # 320 maps of 8 seeds: at most 20 shuffles
    scores.append(align.stability(np.stack([c[rng.permutation(32)] for c in codes])))
  assert np.array_equal(align.null_stability(codes), np.mean(scores, 0))


def test_maps_aligned_together_are_each_aligned_as_alone():
  """The null's batched GPA (align._fit over a leading axis), where one set converges at
  once, one after 2 iterations and one after some 50, so two wait while the third goes on:
  each set's bits as gpa gives it alone."""
  rng = np.random.default_rng(8)
  base = rng.normal(size=(24, 2))
  sets = np.stack([_similar(base, rng, 5),                                  # at once
                   _similar(base, rng, 5) + 0.05 * rng.normal(size=(5, 24, 2)),
                   rng.normal(size=(5, 24, 2))])                            # some 50
  x = align._unit(sets)[0]
  r, fit_scale, aligned, consensus = align._fit(x, align.ITERATIONS, align.TOL)
  for i, codes in enumerate(sets):
    a = align.gpa(codes)
    assert np.array_equal(a.rotation, r[i]) and np.array_equal(a.aligned, aligned[i])
    assert np.array_equal(a.consensus, consensus[i])
    assert np.array_equal(a.scale, fit_scale[i] / align._unit(codes)[2])
  # whether each set's consensus is final after 1, 2 and 40 iterations
  final = [[np.array_equal(align._fit(x[i], n, align.TOL)[3], consensus[i]) for n in (1, 2, 40)]
           for i in range(3)]
  assert final == [[True, True, True], [False, True, True], [False, False, False]]


def test_diverged_and_collapsed_seeds_are_left_out_and_named():
  rng = np.random.default_rng(3)
  codes = _similar(rng.normal(size=(10, 2)), rng, 4)
  codes[1, 4] = np.nan
  codes[3] = 7.0   # every glyph at one point: no map to align
  a = align.gpa(codes)
  assert a.seeds.tolist() == [0, 2] and a.dropped.tolist() == [1, 3]
  with pytest.raises(ValueError, match="needs 2 seeds"):
    align.gpa(codes[[1, 3, 0]])


def test_a_runs_stability_is_one_for_one_map_and_names_why_there_is_none():
  """experiments/consensus.py: the metrics entry, its summary text, its figure's title."""
  from experiments import consensus  # pylint: disable=g-import-not-at-top
  rng = np.random.default_rng(4)
  codes = _similar(rng.normal(size=(12, 2)), rng, 5)
  labels = tuple("ABCDEFGHIJKL")
  got = consensus.measure(codes, [False] * 5, range(10, 15), labels)
  assert got["stability_median"] == 1.0 and got["stability_interval"] == [1.0, 1.0]
  assert got["seeds"] == [10, 11, 12, 13, 14] and got["null"] < 0.5
  assert len(got["per_glyph"]) == 12 and got["least_stable"] == list("ABCDE")  # all tie at 1
  assert consensus.text(got).startswith("1.00 [1.00, 1.00] over 5 seeds (glyphs shuffled: ")
  one = consensus.measure(codes[:1], [False], [3], labels)
  assert one == {"why": "needs 2 seeds that did not diverge, with distinct codes; this run has "
                        "1 of 1 that did not diverge"}
  assert consensus.text(one).startswith("none: needs 2 seeds")
  diverged = consensus.measure(codes, [False, True, False, False, False], range(5), labels)
  assert diverged["dropped"] == [1] and 1 not in diverged["seeds"]


def _drawn_consensus(tmp_path, monkeypatch, seed, seeds, noise):
  """consensus.figure of 12 glyphs' noisy similar maps: (codes, labels, their stability, the
  figures drawn, the path it returned)."""
  from ae import plotting_consensus  # pylint: disable=g-import-not-at-top
  from experiments import consensus  # pylint: disable=g-import-not-at-top
  drawn = []
  monkeypatch.setattr(plotting_consensus, "save", lambda fig, path: drawn.append(fig) or path)
  rng = np.random.default_rng(seed)
  codes = _similar(rng.normal(size=(12, 2)), rng, seeds) + noise * rng.normal(
      size=(seeds, 12, 2))
  labels = tuple("ABCDEFGHIJKL")
  got = consensus.measure(codes, [False] * seeds, range(seeds), labels)
  path = consensus.figure(tmp_path / "c.png", codes, [False] * seeds, got, labels, "t")
  return codes, labels, got, drawn, path


def test_the_consensus_figure_says_its_score_and_marks_the_least_stable(tmp_path, monkeypatch):
  from experiments import consensus  # pylint: disable=g-import-not-at-top
  codes, labels, got, drawn, path = _drawn_consensus(tmp_path, monkeypatch, 5, 4, 0.2)
  assert path is not None
  ax = drawn[0].axes[0]
  lo, hi = got["stability_interval"]
  assert f"stability {got['stability_median']:.2f} [{lo:.2f}, {hi:.2f}]" in ax.get_title()
  red = sorted(t.get_text() for t in ax.texts if t.get_color() == "tab:red")
  assert red == sorted(got["least_stable"])
  assert consensus.figure(tmp_path / "d.png", codes[:1], [False], {"why": "x"}, labels,
                          "t") is None and len(drawn) == 1


def test_the_consensus_ellipses_are_each_glyphs_one_std_and_lie_inside_the_axes(tmp_path,
                                                                                monkeypatch):
  """One artist for every ellipse: each is the glyph's seeds' covariance (np.cov, a glyph at
  a time), red for the least stable, and the axes hold each one whole."""
  codes, labels, got, drawn, _ = _drawn_consensus(tmp_path, monkeypatch, 7, 3, 0.3)
  ax = drawn[0].axes[0]
  ellipses = [c for c in ax.collections if type(c).__name__ == "EllipseCollection"]
  assert len(ellipses) == 1
  e = ellipses[0]
  aligned = align.gpa(codes).aligned
  np.testing.assert_allclose(e.get_offsets(), aligned.mean(0), atol=1e-12)
  from matplotlib.colors import to_rgb  # pylint: disable=g-import-not-at-top
  red = [np.allclose(c[:3], to_rgb("tab:red")) for c in e.get_edgecolors()]
  assert [labels[i] for i in np.flatnonzero(red)] == sorted(got["least_stable"],
                                                            key=labels.index)
  drawn[0].canvas.draw()
  (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
  t = np.linspace(0, 2 * np.pi, 721)
  for i in range(12):
    # as the figure had it, an Ellipse patch a glyph: eigenvalues ascending (minor, major)
    vals, vecs = np.linalg.eigh(np.cov(aligned[:, i].T) + 1e-12 * np.eye(2))
    np.testing.assert_allclose([e.get_widths()[i], e.get_heights()[i]],
                               2 * np.sqrt(vals[::-1]), rtol=1e-9)
    major = np.radians(e.get_angles()[i])
    assert abs(np.cos(major) * vecs[0, 1] + np.sin(major) * vecs[1, 1]) == pytest.approx(1)
    rim = aligned[:, i].mean(0) + (np.sqrt(vals) * np.stack([np.cos(t), np.sin(t)], -1)) @ vecs.T
    assert x0 < rim[:, 0].min() < rim[:, 0].max() < x1, (i, x0, x1)
    assert y0 < rim[:, 1].min() < rim[:, 1].max() < y1, (i, y0, y1)


def test_evenness_is_a_naive_loops_and_free_of_the_maps_frame():
  rng = np.random.default_rng(5)
  z = rng.normal(size=(20, 2))
  nearest = [min(np.hypot(*(z[i] - z[j])) for j in range(20) if j != i) for i in range(20)]
  radius = np.sqrt(np.mean([np.sum((p - z.mean(0)) ** 2) for p in z]))
  assert align.evenness(z) == pytest.approx(np.median(nearest) / radius * np.sqrt(20))
  turn = np.array([[0.6, 0.8], [0.8, -0.6]])   # a reflection
  assert align.evenness(3 * z @ turn - 7) == pytest.approx(align.evenness(z))
  clumps = np.repeat(rng.normal(size=(2, 2)), 10, 0) + 1e-3 * rng.normal(size=(20, 2))
  grid = np.stack(np.meshgrid(np.arange(5), np.arange(4)), -1).reshape(-1, 2)
  assert align.evenness(clumps) < 0.05 < align.evenness(z) < align.evenness(grid)
  assert np.isnan(align.evenness(np.full((3, 2), np.nan)))


def test_the_consensus_figure_colours_string_classes_as_the_latent_plot_does(tmp_path,
                                                                           monkeypatch):
  """Large data sets colour by class; digits' classes are strings ('0'..'9')."""
  from ae import plotting_consensus  # pylint: disable=g-import-not-at-top
  from experiments import consensus  # pylint: disable=g-import-not-at-top
  drawn = []
  monkeypatch.setattr(plotting_consensus, "save", lambda fig, path: drawn.append(fig) or path)
  rng = np.random.default_rng(6)
  codes = _similar(rng.normal(size=(80, 2)), rng, 3) + 0.1 * rng.normal(size=(3, 80, 2))
  classes = [str(i % 10) for i in range(80)]
  got = consensus.measure(codes, [False] * 3, range(3), [""] * 80)
  consensus.figure(tmp_path / "c.png", codes, [False] * 3, got, [""] * 80, "t", classes)
  dots = drawn[0].axes[0].collections[0].get_facecolors()
  import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top
  np.testing.assert_allclose(dots[:, :3], plt.cm.tab20(np.tile(np.arange(80) % 10, 3))[:, :3])
