"""synthetic-records with differential privacy (dp=true): the private gradient, the accountant, the stop, the errors."""
from __future__ import annotations

import sys

import pytest
import torch
import torch.nn.functional as F

from gansuite_core import UserError
from gansuite_synthetic_records.config import RecordsConfig
from gansuite_synthetic_records.data import load_table, training_batch
from gansuite_synthetic_records.dp import private_critic_loss
from gansuite_synthetic_records.models import Critic


def grads(net: torch.nn.Module, loss: torch.Tensor) -> torch.Tensor:
    net.zero_grad()
    loss.backward()
    return torch.cat([p.grad.flatten() for p in net.parameters()])


def test_private_gradient_is_the_clipped_per_pack_sum():
    torch.manual_seed(0)
    D = Critic(6, [16], pac=2, dropout=0.0)
    real, fake = torch.randn(8, 6), torch.randn(8, 6) + 1
    d_r, d_f = D(real), D(fake)  # (4,) packs
    plain = grads(D, (F.softplus(-d_r) + F.softplus(d_f)).mean())
    loss, logs = private_critic_loss(D, real, fake, pac=2, clip=1e6, noise_multiplier=0.0)
    assert torch.allclose(grads(D, loss), plain, atol=1e-6)  # no clipping, no noise: the ordinary gradient
    assert loss.detach() == pytest.approx(float((F.softplus(-d_r) + F.softplus(d_f)).mean().detach()), abs=1e-6)
    per_pack = torch.stack([grads(D, F.softplus(-D(real[2 * i:2 * i + 2]))[0] + F.softplus(D(fake[2 * i:2 * i + 2]))[0])
                            for i in range(4)])  # (4, P)
    clip = float(per_pack.norm(dim=1).min()) / 2  # every pack is clipped
    expect = (per_pack / per_pack.norm(dim=1, keepdim=True) * clip).mean(0)
    loss, logs = private_critic_loss(D, real, fake, pac=2, clip=clip, noise_multiplier=0.0)
    assert torch.allclose(grads(D, loss), expect, atol=1e-5) and logs["clipped_share"] == 1
    torch.manual_seed(1)
    noisy = grads(D, private_critic_loss(D, real, fake, pac=2, clip=clip, noise_multiplier=4.0)[0])
    assert (noisy - expect).std() == pytest.approx(4.0 * clip / 4, rel=0.3)  # noise std sigma * clip / packs


def test_dp_batches_are_distinct_rows_conditioned_on_their_own_category():
    table = load_table(RecordsConfig())
    b = training_batch(table, 300, torch.Generator().manual_seed(0), dp=True)
    assert len(torch.unique(b["real"], dim=0)) == 300  # no row twice: each is in one pack only
    sex_at = table.transformer.discrete_starts()[0]
    assert torch.equal(b["real"][:, sex_at:sex_at + 2], b["cond"][:, :2])


def test_accountant_and_the_budget_stop(tmp_path):
    pytest.importorskip("opacus")
    from gansuite_core import train_app
    from gansuite_synthetic_records.dp import Accountant
    acc = Accountant(50 / 354, 2.0)
    assert 0 < acc.epsilon(1) < acc.epsilon(10) < acc.epsilon(100)
    last = acc.max_steps(3.0)
    assert acc.epsilon(last) <= 3.0 < acc.epsilon(last + 1)
    train_app("synthetic-records", tmp_path / "run", quiet=True, steps=50, g_dims="16", d_dims="16", noise=8, batch=50, pac=1,
              dp=True, noise_multiplier=2.0, epsilon=1.0, device="cpu", log_every=50, checkpoint_every=50)
    from gansuite_core import load_run
    run = load_run(tmp_path / "run", app="synthetic-records")
    assert run.step == acc.max_steps(1.0) < 50  # stopped when the next step would exceed epsilon = 1
    with pytest.raises(UserError, match="epsilon = 0.01: spent before the first step"):
        train_app("synthetic-records", tmp_path / "run2", quiet=True, steps=5, g_dims="16", d_dims="16", noise=8, batch=50,
                  dp=True, noise_multiplier=0.5, epsilon=0.01, device="cpu")


def test_dp_without_opacus_is_one_line(monkeypatch, tmp_path):
    from gansuite_core import train_app
    monkeypatch.setitem(sys.modules, "opacus", None)  # import opacus -> ImportError
    with pytest.raises(UserError, match=r"pip install opacus"):
        train_app("synthetic-records", tmp_path / "run", quiet=True, steps=2, g_dims="16", d_dims="16", noise=8, batch=50,
                  dp=True, device="cpu")
