"""Devices and precision: auto picks what exists, bf16 autocast, channels_last and compile run on CPU."""
from __future__ import annotations

import pytest
import torch

from gansuite_core import UserError, load_run, train_app
from gansuite_core.devices import Precision, available_devices, cpu_has_bf16, resolve_device, resolve_precision


def test_auto_says_what_it_picked():
    dev, said = resolve_device("auto")
    assert str(dev).split(":")[0] in ("cpu", "cuda", "mps") and "device auto ->" in said
    assert "cpu" in available_devices()
    with pytest.raises(UserError, match="expected auto, cpu, cuda, cuda:N or mps"):
        resolve_device("gpu0")


def test_fp16_needs_a_gpu_and_bf16_has_no_scaler():
    with pytest.raises(UserError, match="fp16 needs a GPU"):
        Precision("fp16", torch.device("cpu"))
    assert Precision("bf16", torch.device("cpu")).scaler() is None


def test_auto_precision_follows_the_hardware(tmp_path, monkeypatch):
    amx = tmp_path / "amx"
    amx.write_text("processor\t: 0\nflags\t\t: fpu sse2 avx512f amx_bf16 amx_tile\n")
    old = tmp_path / "old"
    old.write_text("processor\t: 0\nflags\t\t: fpu sse2 avx2\n")
    assert cpu_has_bf16(str(amx)) and not cpu_has_bf16(str(old)) and not cpu_has_bf16(str(tmp_path / "missing"))
    cpu = torch.device("cpu")
    assert resolve_precision("bf16", cpu) == ("bf16", "")  # an explicit choice is kept and not announced
    monkeypatch.setattr("gansuite_core.devices.cpu_has_bf16", lambda: True)
    assert resolve_precision("auto", cpu)[0] == "bf16" and "auto -> bf16" in resolve_precision("auto", cpu)[1]
    monkeypatch.setattr("gansuite_core.devices.cpu_has_bf16", lambda: False)
    assert resolve_precision("auto", cpu) == ("fp32", "precision auto -> fp32 (no native bfloat16 on this cpu)")


def test_auto_precision_trains_and_says_what_it_picked(toy_registry, tmp_path, capsys):
    train_app("toy-gan", tmp_path / "auto", steps=2, precision="auto", device="cpu", log_every=1)
    picked = "bf16" if cpu_has_bf16() else "fp32"
    assert f"precision auto -> {picked}" in capsys.readouterr().err


def test_bf16_autocast_trains_on_cpu(toy_registry, tmp_path):
    last = train_app("toy-gan", tmp_path / "bf16", quiet=True, steps=6, precision="bf16", log_every=3)
    assert torch.isfinite(torch.tensor(last["D/loss"]))
    assert load_run(tmp_path / "bf16").net("G").state_dict()["0.weight"].dtype == torch.float32  # master weights stay fp32


def test_channels_last_reaches_networks_and_batches(tmp_path):
    from dataclasses import dataclass

    import torch.nn.functional as F
    from torch import nn

    from gansuite_core import Application, Game, Phase, Player, SeededStream
    from gansuite_core.config import resolve
    from gansuite_core.engine import Trainer

    @dataclass(frozen=True)
    class ConvConfig:
        width: int = 4  # conv channels

    seen = []

    def loss(n, b, step):
        seen.append(b.is_contiguous(memory_format=torch.channels_last) and not b.is_contiguous())
        return F.softplus(-n["D"](b)).mean()

    def game(cfg, nets, ctx):
        return Game([Player("D", ["D"], lambda p: torch.optim.SGD(p, lr=0.1))], [Phase("D", "D", loss)],
                    SeededStream(lambda g: torch.randn(4, 3, 8, 8, generator=g), seed=0))

    app = Application("conv", "a conv net", ConvConfig, lambda c: {"D": nn.Sequential(nn.Conv2d(3, c.width, 3), nn.Flatten(), nn.Linear(c.width * 36, 1))}, game)
    for flag in (True, False):
        (tmp_path / str(flag)).mkdir()
        seen.clear()
        t = Trainer(app, resolve("conv", ConvConfig, overrides={"steps": 2, "channels_last": flag, "sample_every": 0}), tmp_path / str(flag), quiet=True)
        t.fit()
        assert seen == [flag, flag]
        assert t.nets["D"][0].weight.is_contiguous(memory_format=torch.channels_last) == flag


def test_compile_flag_runs(toy_registry, tmp_path, monkeypatch):
    # Dynamo traces for real; the eager backend skips Inductor's minute-long C++ build (benchmarked instead).
    compiled = []
    real = torch.compile
    monkeypatch.setattr(torch, "compile", lambda m, **kw: compiled.append(m) or real(m, backend="eager"))
    last = train_app("toy-three", tmp_path / "compiled", quiet=True, steps=3, compile=True)
    assert last["step"] == 3 and len(compiled) == 3
