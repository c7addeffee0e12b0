"""The loss, penalty and schedule options of toy2d, without training a run (fast, CPU only).

Run with `python -m pytest -q examples/plugins/gansuite-toy2d/tests` once the plugin is installed.
"""
from __future__ import annotations

import pytest
import torch

from gansuite_toy2d.config import Toy2DConfig
from gansuite_toy2d.losses import d_loss, g_loss, interpolate_penalty
from gansuite_toy2d.models import networks


@pytest.mark.parametrize("kind", ["ns", "hinge", "wgan"])
def test_losses_reward_the_right_side(kind: str) -> None:
    right, wrong = (torch.full((4,), 3.0), torch.full((4,), -3.0)), (torch.full((4,), -3.0), torch.full((4,), 3.0))
    assert d_loss(*right, kind)[0] < d_loss(*wrong, kind)[0]  # D scores real high and fake low
    assert g_loss(torch.full((4,), 3.0), kind) < g_loss(torch.full((4,), -3.0), kind)  # G wants a high fake score
    with pytest.raises(ValueError, match="loss='x'"):
        d_loss(*right, "x")


def test_interpolate_penalty_is_in_d_units() -> None:
    torch.manual_seed(0)
    D = torch.nn.Linear(4, 1)
    D.weight.data = torch.tensor([[3.0, 4.0, 0.0, 0.0]])  # |grad_x D| = 5 everywhere

    def d(packs: torch.Tensor) -> torch.Tensor:
        return D(packs.flatten(1)).squeeze(1)

    real, fake = torch.randn(8, 2, 2), torch.randn(8, 2, 2)
    assert torch.isclose(interpolate_penalty(d, real, fake, 1.0, 0.0, unit=1.0), torch.tensor(25.0))
    assert torch.isclose(interpolate_penalty(d, real, fake, 2.0, 1.0, unit=0.2), torch.tensor(0.0), atol=1e-5)  # 5 * 0.2 = 1


def test_spectral_norm_bounds_each_layer() -> None:
    D = networks(Toy2DConfig(spectral_norm=True, d_hidden=16))["D"]
    for _ in range(20):  # power iteration converges while the module trains
        D(torch.randn(8, 2, 2))
    D.eval()
    for m in D.body:
        if isinstance(m, torch.nn.Linear):
            assert torch.linalg.matrix_norm(m.weight, ord=2) < 1.05


@pytest.mark.parametrize("options, message", [
    ({"loss": "wgan"}, "loss=wgan"),
    ({"loss": "l2"}, "loss='l2'"),
    ({"gp": -1.0}, "gp=-1.0"),
    ({"decay_start": 9000, "decay_end": 8000}, "decay_start=9000"),
    ({"decay_start": 100}, "decay_start=100"),
])
def test_bad_options_are_one_line(options: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message) as err:
        Toy2DConfig(**options)
    assert "\n" not in str(err.value)


def test_learning_rate_schedule() -> None:
    from gansuite_toy2d.game import lr_factor

    assert lr_factor(Toy2DConfig(), 5000) == 1.0
    tail = Toy2DConfig(decay_start=6000, decay_end=8000)
    assert [lr_factor(tail, s) for s in (0, 6000, 7000, 8000, 9000)] == [1.0, 1.0, 0.5, 0.0, 0.0]
    both = Toy2DConfig(anneal=1000, decay_start=0, decay_end=4000)
    assert lr_factor(both, 2000) == pytest.approx(0.25 * 0.5)


def test_r1_is_in_d_units() -> None:
    from gansuite_toy2d.losses import r1_penalty

    D = torch.nn.Linear(4, 1)
    D.weight.data = torch.tensor([[3.0, 4.0, 0.0, 0.0]])  # |grad_x D| = 5 everywhere

    def d(packs: torch.Tensor) -> torch.Tensor:
        return D(packs.flatten(1)).squeeze(1)

    real = torch.randn(8, 2, 2)
    assert torch.isclose(r1_penalty(d, real, 2.0), torch.tensor(25.0))
    assert torch.isclose(r1_penalty(d, real, 2.0, unit=0.2), torch.tensor(1.0))
