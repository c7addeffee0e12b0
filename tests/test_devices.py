"""Devices and precision: auto picks what exists, bf16 autocast, channels_last and compile run on CPU."""
from __future__ import annotations

import pytest
import torch

from gansuite_core import UserError, load_run, train_app
from gansuite_core.devices import Precision, available_devices, resolve_device


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


def test_bf16_autocast_trains_on_cpu(toy_registry, tmp_path):
    last = train_app("toy-gan", tmp_path / "bf16", quiet=True, steps=6, precision="bf16", log_every=3)
    assert torch.isfinite(torch.tensor(last["D/loss"]))
    assert load_run(tmp_path / "bf16").net("G").state_dict()["0.weight"].dtype == torch.float32  # master weights stay fp32


def test_channels_last_and_compile_flags_run(toy_registry, tmp_path, monkeypatch):
    train_app("toy-gan", tmp_path / "cl", quiet=True, steps=3, channels_last=True)
    # Dynamo traces for real; the eager backend skips Inductor's minute-long C++ build (benchmarked instead).
    compiled = []
    real = torch.compile
    monkeypatch.setattr(torch, "compile", lambda m, **kw: compiled.append(m) or real(m, backend="eager"))
    last = train_app("toy-three", tmp_path / "compiled", quiet=True, steps=3, compile=True)
    assert last["step"] == 3 and len(compiled) == 3
