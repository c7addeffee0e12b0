"""The phase engine on the toy applications: phases, schedules, guards, reproducibility, resume."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from gansuite_core import load_run, train_app
from gansuite_core.engine import NonFiniteError


def weights(run_dir: Path) -> dict[str, torch.Tensor]:
    run = load_run(run_dir)
    out = {f"{n}.{k}": v for n, m in run.networks.items() for k, v in m.state_dict().items()}
    out.update({f"ema.{n}.{k}": v for n, m in run.ema.items() for k, v in m.state_dict().items()})
    return out


def same(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_trains_and_writes_a_run_directory(toy_registry, tmp_path):
    last = train_app("toy-gan", tmp_path / "r", quiet=True, r1_every=4)
    assert last["step"] == 60
    for name in ("config.toml", "metrics.jsonl", "loss.png", "samples/step-00000030.npy", "samples/step-00000060.npy"):
        assert (tmp_path / "r" / name).is_file(), name
    rows = [json.loads(line) for line in (tmp_path / "r" / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows] == list(range(5, 65, 5))
    assert {"D/loss", "D/real", "G/loss", "D_r1/loss"} <= rows[-1].keys()
    assert sorted(p.name for p in (tmp_path / "r" / "checkpoints").iterdir()) == ["step-00000040.safetensors", "step-00000060.safetensors"]


def test_same_seed_same_weights_other_seed_differs(toy_registry, tmp_path):
    train_app("toy-gan", tmp_path / "a", quiet=True, steps=15)
    train_app("toy-gan", tmp_path / "b", quiet=True, steps=15)
    train_app("toy-gan", tmp_path / "c", quiet=True, steps=15, seed=1)
    assert same(weights(tmp_path / "a"), weights(tmp_path / "b"))
    assert not same(weights(tmp_path / "a"), weights(tmp_path / "c"))


def test_sampling_frequency_does_not_change_training(toy_registry, tmp_path):
    train_app("toy-gan", tmp_path / "a", quiet=True, steps=20, sample_every=1)
    train_app("toy-gan", tmp_path / "b", quiet=True, steps=20, sample_every=0)
    assert same(weights(tmp_path / "a"), weights(tmp_path / "b"))


def test_resume_continues_the_uninterrupted_run(toy_registry, tmp_path):
    train_app("toy-gan", tmp_path / "full", quiet=True, steps=50, checkpoint_every=20, r1_every=3)
    train_app("toy-gan", tmp_path / "part", quiet=True, steps=20, checkpoint_every=20, r1_every=3)
    train_app("toy-gan", tmp_path / "part", quiet=True, resume=True, steps=50)
    assert same(weights(tmp_path / "full"), weights(tmp_path / "part"))
    rows = [json.loads(x) for x in (tmp_path / "part" / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows] == list(range(5, 55, 5))


def test_three_networks_two_players_with_repeat_and_probe_stop(toy_registry, tmp_path):
    last = train_app("toy-three", tmp_path / "t", quiet=True, steps=40, stop_at=2.0)  # always true: stops at first probe
    assert last["step"] == 10
    run = load_run(tmp_path / "t")
    assert set(run.networks) == {"alice", "bob", "eve"}
    rows = run.metrics()
    assert "probe/bob_err" in rows[-1] and "alice_bob/bob" in rows[-1] and "eve/loss" in rows[-1]


def fitted_trainer(app_name: str, folder: Path, **overrides):
    """A Trainer of `app_name` built in `folder` (created) and fitted, for tests that inspect its state."""
    from gansuite_core import plugins
    from gansuite_core.config import resolve
    from gansuite_core.engine import Trainer

    app = plugins.registry().app(app_name)
    cfg = resolve(app_name, app.config, app_defaults=app.core_defaults, overrides=overrides)
    folder.mkdir()
    t = Trainer(app, cfg, folder, quiet=True)
    t.fit()
    return t


def test_phase_repeat_and_every_counts(toy_registry, tmp_path):
    t = fitted_trainer("toy-three", tmp_path / "c", steps=6, eve_repeat=3, log_every=100)
    # one batch per phase run: 6 steps x (1 alice_bob + 3 eve)
    assert t.game.data.drawn == 6 * 4
    assert t.opt["eve"].state[t.params["eve"][0]]["step"].item() == 18
    assert t.opt["alice_bob"].state[t.params["alice_bob"][0]]["step"].item() == 6


def test_lazy_regulariser_runs_every_k_steps(toy_registry, tmp_path):
    from gansuite_core import plugins
    from gansuite_core.config import resolve
    from gansuite_core.engine import Trainer

    app = plugins.registry().app("toy-gan")
    cfg = resolve("toy-gan", app.config, app_defaults=app.core_defaults, overrides={"steps": 8, "r1_every": 4})
    (tmp_path / "c").mkdir()
    t = Trainer(app, cfg, tmp_path / "c", quiet=True)
    t.fit()
    assert t.game.data.drawn == 8 + 2  # D every step, R1 at steps 0 and 4; G (data=False) loads none
    group = t.opt["D"].param_groups[0]  # StyleGAN2 App. B: lr and betas corrected by k/(k+1)
    assert group["lr"] == pytest.approx(2e-3 * 4 / 5) and group["betas"] == pytest.approx((0.5 ** 0.8, 0.99 ** 0.8))
    assert t.opt["G"].param_groups[0]["lr"] == pytest.approx(2e-3)


def test_warmup_freezes_everyone_but_the_judge(toy_registry, tmp_path):
    train_app("toy-gan", tmp_path / "w", quiet=True, steps=10, warmup_steps=10)
    from gansuite_core.engine import seed_everything
    from toyapps import ToyGANConfig, gan_networks

    seed_everything(0)
    nets = gan_networks(ToyGANConfig())
    g0 = dict(nets["G"].named_parameters())
    run = load_run(tmp_path / "w")
    assert all(torch.equal(g0[k], v) for k, v in run.net("G", ema=False).named_parameters())  # (BN statistics still move)
    d0 = dict(nets["D"].named_parameters())
    assert not all(torch.equal(d0[k], v) for k, v in run.net("D").named_parameters())
    assert "G/loss" not in run.metrics()[-1] and "D/loss" in run.metrics()[-1]


def _watch(reg, every_step: list) -> None:
    """Register a plugin that records a copy of every network's parameters at each logged step."""
    from gansuite_core import hookimpl

    class Watch:
        @hookimpl
        def gansuite_step_end(self, run, step, metrics):
            every_step.append((step, metrics, {n: [p.detach().clone() for p in m.parameters()] for n, m in run.networks.items()}))

    reg.pm.register(Watch(), name="watch")


def test_loser_schedule_updates_exactly_one_side_per_step(toy_registry, tmp_path):
    from gansuite_core.plugins import build_registry, set_registry

    seen: list = []
    _watch(toy_registry.pm and toy_registry, seen)
    set_registry(build_registry(toy_registry.pm, entry_points=False))
    train_app("toy-gan", tmp_path / "l", quiet=True, steps=20, schedule="loser", log_every=1)
    assert len(seen) == 20
    sides = []
    for (_, _, before), (step, row, after) in zip(seen, seen[1:]):
        moved = {n for n in after if any(not torch.equal(a, b) for a, b in zip(before[n], after[n]))}
        judge_updated = row["schedule/judge_updated"] == 1.0
        assert moved == ({"D"} if judge_updated else {"G"}), (step, moved, row)
        sides.append(judge_updated)
    assert all(0.0 <= r["schedule/judge_accuracy"] <= 1.0 for _, r, _ in seen)


def test_a_steady_step_makes_no_host_reads(toy_registry, tmp_path, monkeypatch):
    """Between two log steps the engine never reads a tensor on the host (a GPU would stall on each)."""
    import sys

    from gansuite_core import engine, hookimpl, stats
    from gansuite_core.plugins import build_registry, set_registry

    core = str(Path(engine.__file__).parent)
    state = {"on": False, "reads": []}

    def counting(name, original):
        def wrapper(self, *a, **k):
            caller = sys._getframe(1).f_code
            if state["on"] and caller.co_filename.startswith(core):
                state["reads"].append(f"{name} in {Path(caller.co_filename).name}:{caller.co_name}")
            return original(self, *a, **k)
        return wrapper

    for name in ("item", "__bool__", "__float__", "__int__", "tolist"):
        monkeypatch.setattr(torch.Tensor, name, counting(name, getattr(torch.Tensor, name)))
    read = stats.StepStats.read

    def read_off(self):
        state["on"] = False  # the log step's one read is allowed
        return read(self)

    monkeypatch.setattr(stats.StepStats, "read", read_off)

    class Start:
        @hookimpl
        def gansuite_step_end(self, run, step, metrics):
            state["on"] = step == 10  # count across steps 11..20

    toy_registry.pm.register(Start(), name="start")
    set_registry(build_registry(toy_registry.pm, entry_points=False))
    train_app("toy-gan", tmp_path / "s", quiet=True, steps=20, log_every=10, r1_every=4, sample_every=0, checkpoint_every=0)
    assert state["on"] is False and state["reads"] == []


def test_ema_averages_batchnorm_statistics_and_scores_like_its_raw_twin(toy_registry, tmp_path):
    from gansuite_core import plugins
    from gansuite_core.config import resolve
    from gansuite_core.engine import Trainer

    app = plugins.registry().app("toy-gan")
    cfg = resolve("toy-gan", app.config, app_defaults=app.core_defaults, overrides={"steps": 300, "log_every": 100, "sample_every": 0})
    (tmp_path / "e").mkdir()
    t = Trainer(app, cfg, tmp_path / "e", quiet=True)
    bn_raw = [m for m in t.nets["G"].modules() if isinstance(m, torch.nn.BatchNorm1d)][0]
    bn_ema = [m for m in t.ema["G"].modules() if isinstance(m, torch.nn.BatchNorm1d)][0]
    t.fit()
    assert not torch.equal(bn_raw.running_mean, bn_ema.running_mean)  # averaged, not copied
    before = bn_ema.running_mean.clone()
    t.nets["G"].train()
    t.nets["G"](torch.randn(64, 2))  # moves the raw statistics
    spec = t.game.ema["G"]
    beta = spec.beta(t.step * spec.batch, spec.batch)
    t._update_ema()
    torch.testing.assert_close(bn_ema.running_mean, before * beta + bn_raw.running_mean * (1 - beta))

    def score(g):  # share of samples within 0.25 of one of the four ring modes
        with torch.no_grad():
            x = g.eval()(torch.randn(2000, 2, generator=torch.Generator().manual_seed(1)))
        modes = torch.tensor([[1.0, 0], [0, 1], [-1, 0], [0, -1]])
        return float((torch.cdist(x, modes).min(1).values < 0.25).float().mean())

    raw, ema = score(t.nets["G"]), score(t.ema["G"])
    assert raw > 0.3 and ema > raw - 0.1, (raw, ema)


def test_ema_horizon_is_counted_in_images():
    from gansuite_core import EMA

    small, large = EMA(10_000, batch=32, rampup=None), EMA(10_000, batch=64, rampup=None)
    assert small.beta(10**6, 32) ** 2 == pytest.approx(large.beta(10**6, 64))  # two small steps = one large
    ramped = EMA(10_000, batch=32)
    assert ramped.beta(0, 32) == 0.0 and ramped.beta(1000, 32) < ramped.beta(10**6, 32)


def test_nonfinite_losses_are_skipped_then_stop_the_run(toy_registry, tmp_path):
    with pytest.raises(NonFiniteError, match="phase 'D'.*10 times in a row"):
        train_app("toy-gan", tmp_path / "n", quiet=True, steps=30, blowup=True)


def test_a_nonfinite_update_never_reaches_the_weights(toy_registry, tmp_path):
    from gansuite_core import plugins
    from gansuite_core.config import resolve
    from gansuite_core.engine import Trainer

    app = plugins.registry().app("toy-gan")
    cfg = resolve("toy-gan", app.config, app_defaults=app.core_defaults, overrides={"steps": 5, "blowup": True, "log_every": 5})
    (tmp_path / "n").mkdir()
    t = Trainer(app, cfg, tmp_path / "n", quiet=True)
    last = t.fit()  # 5 bad steps < max_nonfinite 10: the run goes on
    assert all(torch.isfinite(p).all() for p in t.nets["D"].parameters())
    assert last["time/nonfinite_skipped"] == 5 and "D/loss" not in last


def test_lifecycle_hooks_are_called_and_a_failing_one_is_muted(toy_registry, tmp_path, capsys):
    from gansuite_core import hookimpl
    from gansuite_core.plugins import build_registry, set_registry

    seen = []

    class Logger:
        @hookimpl
        def gansuite_step_end(self, run, step, metrics):
            seen.append(("step", step))

        @hookimpl
        def gansuite_checkpoint_written(self, run, step, path):
            seen.append(("ckpt", step, Path(path).is_file()))

    class Broken:
        @hookimpl
        def gansuite_step_end(self, run, step, metrics):
            raise RuntimeError("tracker offline")

    toy_registry.pm.register(Logger(), name="logger")
    toy_registry.pm.register(Broken(), name="broken")
    set_registry(build_registry(toy_registry.pm, entry_points=False))
    train_app("toy-gan", tmp_path / "h", quiet=True, steps=20)
    assert [s for s in seen if s[0] == "step"] == [("step", s) for s in (5, 10, 15, 20)]
    assert ("ckpt", 20, True) in seen
    err = capsys.readouterr().err
    assert err.count("plugin 'broken' failed in gansuite_step_end") == 1


def test_ema_that_follows_the_learning_rate_reaches_further_back_as_it_falls(toy_registry, tmp_path):
    """EMA(follow_lr=True): a step at half the initial rate counts half its images; at rate 0 the average stays put."""
    import dataclasses

    from gansuite_core import EMA

    t = fitted_trainer("toy-gan", tmp_path / "e", steps=4, log_every=2, sample_every=0)
    spec = dataclasses.replace(t.game.ema["G"], follow_lr=True, rampup=None)
    t.game.ema["G"] = spec
    owner = next(p.name for p in t.game.players if "G" in p.networks)
    group = t.opt[owner].param_groups[0]
    group.setdefault("initial_lr", group["lr"])
    ema, raw = t.ema["G"], t.nets["G"]
    with torch.no_grad():
        for p in raw.parameters():
            p.add_(1.0)  # the raw network moves away from its average
    for factor in (0.5, 0.0):
        group["lr"] = group["initial_lr"] * factor
        before = [p.clone() for p in ema.parameters()]
        beta = spec.beta(0, spec.batch * factor)
        t._update_ema()
        for b, e, r in zip(before, ema.parameters(), raw.parameters()):
            torch.testing.assert_close(e, b * beta + r * (1 - beta))
    assert EMA(1000, batch=10, rampup=None).beta(0, 5) == pytest.approx(EMA(1000, batch=10, rampup=None).beta(0, 10) ** 0.5)
    assert beta == 1.0  # rate 0: nothing moved
