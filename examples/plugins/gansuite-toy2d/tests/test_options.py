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
    ({"decay_start": 100, "decay_end": 0}, "decay_start=100"),
    ({"codes": -1}, "codes=-1"),
    ({"codes": 4, "code_noise": 0.0}, "code_noise=0.0"),
    ({"prior": "bayes"}, "prior='bayes'"),
    ({"d_repeat": 0}, "d_repeat=0"),
    ({"d_repeat_until": -1}, "d_repeat_until=-1"),
])
def test_bad_options_are_one_line(options: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message) as err:
        Toy2DConfig(**options)
    assert "\n" not in str(err.value)


def test_learning_rate_schedule() -> None:
    from gansuite_toy2d.game import lr_factor

    assert lr_factor(Toy2DConfig(decay_start=0, decay_end=0), 5000) == 1.0
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


def test_codes_reach_g_and_follow_the_prior() -> None:
    torch.manual_seed(0)
    assert networks(Toy2DConfig(latent=8, codes=0))["G"].latent == 8  # codes off: z is the continuous noise only
    G = networks(Toy2DConfig(latent=8, codes=16, prior="uniform", g_hidden=16))["G"]
    assert G.latent == 9  # the last entry picks the code
    z = torch.randn(64, 9)
    low, high = z.clone(), z.clone()
    low[:, -1], high[:, -1] = -3.0, 3.0  # the same continuous noise, the first and the last code
    assert (G.code(low[:, -1]) == 0).all() and (G.code(high[:, -1]) == 15).all()
    assert not torch.allclose(G(low), G(high))  # the code changes G's points
    # Codes are drawn with the probabilities softmax(prior): uniform here, and skewed when the prior is.
    counts = torch.bincount(G.code(torch.randn(160_000)), minlength=16) / 160_000
    assert torch.allclose(counts, torch.full((16,), 1 / 16), atol=0.004)
    G.prior[3] = 2.0
    counts = torch.bincount(G.code(torch.randn(160_000)), minlength=16) / 160_000
    assert torch.allclose(counts, torch.softmax(G.prior, 0), atol=0.004) and counts[3] > 0.3


def test_learned_prior_favours_codes_that_d_scores_as_real() -> None:
    from gansuite_core import code_prior_loss as prior_loss

    G = networks(Toy2DConfig(codes=4, prior="learned", g_hidden=16))["G"]
    assert isinstance(G.prior, torch.nn.Parameter)
    assert not isinstance(networks(Toy2DConfig(codes=4, prior="uniform"))["G"].prior, torch.nn.Parameter)  # a fixed buffer
    codes = torch.tensor([[0, 1], [2, 3], [1, 0], [3, 2], [0, 0], [2, 2]])  # (packs, pack)
    logit = torch.tensor([1.0, -1.0, 1.0, -1.0, 3.0, -3.0])  # packs with codes 0 and 1 look real, 2 and 3 fake
    prior_loss(torch.softmax(G.prior, 0), codes, logit).backward()
    assert (G.prior.grad[:2] < 0).all() and (G.prior.grad[2:] > 0).all()  # descent raises 0, 1 and lowers 2, 3
    assert G.prior.grad[0] < G.prior.grad[1]  # code 0 also has the realest pack
    absent = torch.zeros(4, requires_grad=True)
    prior_loss(torch.softmax(absent, 0), torch.zeros(3, 2, dtype=torch.long), torch.randn(3)).backward()
    assert torch.allclose(absent.grad, torch.zeros(4))  # one code only: no information, no move


def test_code_noise_falls_in_the_tail_with_the_step_g_has_trained() -> None:
    G = networks(Toy2DConfig(code_noise=0.2, tail_code_noise=0.1, decay_start=6000, decay_end=8000))["G"]
    scales = []
    for step in (0, 6000, 7000, 8000, 9000):
        G.trained.fill_(step)
        scales.append(float(G.noise_scale()))
    assert scales == pytest.approx([0.2, 0.2, 0.15, 0.1, 0.1])
    assert "trained" in G.state_dict()  # checkpoints keep the step, so a saved run samples as it last trained
    for off in (Toy2DConfig(tail_code_noise=0.0), Toy2DConfig(decay_start=0, decay_end=0), Toy2DConfig(tail_code_noise=0.2)):
        G = networks(off)["G"]  # off, no tail to fall in, or nothing to fall to: a fixed code_noise and no extra weights
        assert off.final_code_noise == 0.2 and G.noise_scale() == 0.2 and "trained" not in G.state_dict()
    assert Toy2DConfig(codes=0).final_code_noise == 0.2  # accepted: the default with codes=0 has nothing to scale


def test_d_repeats_while_the_modes_are_found_then_once() -> None:
    """d_repeat D updates per step before d_repeat_until, one after; d_repeat_until=0 keeps d_repeat all run."""
    from gansuite_core import Context
    from gansuite_toy2d.game import make_game

    def d_updates(cfg: Toy2DConfig, step: int) -> int:
        ctx = Context(device=torch.device("cpu"), seed=0, rank=0, world=1, workers=0, run_dir=None, steps=cfg.decay_end)
        game = make_game(cfg, networks(cfg), ctx)
        return sum(ph.repeat for ph in game.phases if ph.player == "D" and ph.start <= step and (ph.stop is None or step < ph.stop))

    cfg = Toy2DConfig(d_repeat=3, d_repeat_until=10)
    assert [d_updates(cfg, s) for s in (0, 9, 10, 5000)] == [3, 3, 1, 1]
    assert [d_updates(Toy2DConfig(d_repeat=2, d_repeat_until=0), s) for s in (0, 5000)] == [2, 2]
    assert d_updates(Toy2DConfig(), 0) == 2 and d_updates(Toy2DConfig(), 2500) == 1  # the defaults
