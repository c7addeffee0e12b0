"""FID, KID, precision/recall, density/coverage on sets with known answers; the extractor protocol."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from gansuite_core import UserError
from gansuite_core.metrics import distribution as dm
from gansuite_core.metrics.features import FeatureExtractor, RotationExtractor, features_of, find_extractor


@pytest.fixture(scope="module")
def gauss():
    rng = np.random.default_rng(0)
    return rng.normal(size=(600, 8)), rng.normal(size=(600, 8))


def test_identical_sets_are_at_distance_zero(gauss):
    a, _ = gauss
    assert dm.fid(a, a) == pytest.approx(0.0, abs=1e-6)
    assert abs(dm.kid(a, a, subsets=10, subset_size=200)[0]) < 0.1  # unbiased: zero up to subset noise
    assert dm.precision_recall(a, a) == (1.0, 1.0)
    density, coverage = dm.density_coverage(a, a)
    # each fake sits in its own real twin's ball and, on average, in k others: density = (k + 1) / k
    assert coverage == 1.0 and density == pytest.approx(1.2, abs=0.05)


def test_disjoint_sets_score_zero_overlap_and_large_distance(gauss):
    a, b = gauss
    far = b + 100.0
    assert dm.fid(a, far) > 100.0**2 * 8 * 0.99  # the squared mean difference dominates
    assert dm.kid(a, far, subsets=10, subset_size=200)[0] > 1.0
    assert dm.precision_recall(a, far) == (0.0, 0.0)
    assert dm.density_coverage(a, far) == (0.0, 0.0)


def test_kid_on_sets_no_larger_than_a_subset_reports_a_real_spread(gauss):
    """With 150 samples a side and subsets of 1000, every subset was both whole sets and the std was 0:
    the value is the whole sets' unbiased MMD^2, the std the spread of half-size subsets."""
    a, b = gauss
    x, y = a[:150], b[:150] + 0.3
    value, std = dm.kid(x, y, subsets=50, subset_size=1000)
    k = lambda u, v: (u @ v / 8 + 1) ** 3  # noqa: E731  KID's kernel, pair by pair
    n = len(x)
    xx = sum(k(x[i], x[j]) for i in range(n) for j in range(n) if i != j) / (n * (n - 1))
    yy = sum(k(y[i], y[j]) for i in range(n) for j in range(n) if i != j) / (n * (n - 1))
    xy = sum(k(x[i], y[j]) for i in range(n) for j in range(n)) / n**2
    assert value == pytest.approx(xx + yy - 2 * xy, rel=1e-6)
    assert 0.05 * abs(value) < std < 2 * abs(value)  # was 0 (every subset identical)


def test_fid_of_two_samples_of_one_gaussian_is_small_and_grows_with_the_shift(gauss):
    a, b = gauss
    same = dm.fid(a, b)
    shifted = dm.fid(a, b + np.array([1.0] + [0.0] * 7))
    assert same < 0.5
    assert shifted == pytest.approx(1.0 + same, abs=0.3)  # ||mu_a - mu_b||^2 = 1 added


def test_precision_drops_when_fakes_collapse_to_part_of_the_data(gauss):
    a, b = gauss
    half = b[b[:, 0] > 0]  # fakes cover only half the space: high precision, low recall
    p, r = dm.precision_recall(a, half)
    assert p > 0.8 and r < 0.75
    _, coverage = dm.density_coverage(a, half)
    assert coverage < 0.8


def test_report_accepts_torch_tensors():
    x = torch.randn(64, 4, generator=torch.Generator().manual_seed(0))
    rep = dm.report(x, x, kid_subsets=5, kid_subset_size=32)
    assert set(rep) == {"fid", "kid", "kid_std", "precision", "recall", "density", "coverage"}
    assert rep["precision"] == 1.0


def test_rotation_extractor_follows_the_protocol():
    images = torch.rand(32, 1, 16, 16) * 2 - 1
    ex = RotationExtractor(images, steps=3, batch=8, data_name="noise")
    assert isinstance(ex, FeatureExtractor)
    f = features_of(ex, images, batch=10)
    assert f.shape == (32, ex.dim) and torch.isfinite(f).all()
    assert "not Inception" in ex.name


def test_unknown_or_unavailable_extractors_are_user_errors(monkeypatch):
    monkeypatch.delenv("GANSUITE_INCEPTION", raising=False)
    with pytest.raises(UserError, match="unknown feature extractor"):
        find_extractor("no-such-extractor")
    with pytest.raises(UserError, match="GANSUITE_INCEPTION"):
        find_extractor("inception")
    monkeypatch.setenv("GANSUITE_INCEPTION", "/nonexistent/inception.pth")
    with pytest.raises(UserError, match="no such file"):
        find_extractor(None)
