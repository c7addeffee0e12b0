"""The models shipped inside the package (`gansuite upscale IMAGE... --model x2|x4`): save and load;
and `--set init=...`, which starts a training run's generator from such weights.

Each is two files in weights/: sr-xS.safetensors (the EMA generator's tensors) and sr-xS.json
(architecture, how it was trained, its measured scores). Loading reads tensors only: safetensors
cannot execute code, unlike a pickled checkpoint. examples/train_bundled_sr.py makes them.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from torch import nn

import torch

from gansuite_core import UserError, load_run

from .models import build_generator

WEIGHTS = Path(__file__).parent / "weights"
BUNDLED = ("x2", "x4")
ARCHITECTURE = ("model", "scale", "features", "blocks", "bicubic_skip", "batchnorm")  # the SRConfig fields that build G


def paths(name: str, folder: Path = WEIGHTS) -> tuple[Path, Path]:
    return folder / f"sr-{name}.safetensors", folder / f"sr-{name}.json"


def save_bundled(net: nn.Module, architecture: dict[str, Any], info: dict[str, Any], name: str, folder: Path = WEIGHTS) -> list[Path]:
    """Write `net`'s tensors and a JSON card (architecture + `info`)."""
    from safetensors.torch import save_file

    weights, card = paths(name, folder)
    folder.mkdir(parents=True, exist_ok=True)
    save_file({k: v.detach().cpu().contiguous() for k, v in net.state_dict().items()}, str(weights))
    card.write_text(json.dumps({"architecture": {k: architecture[k] for k in ARCHITECTURE}, **info}, indent=2) + "\n")
    return [weights, card]


def load_bundled(name: str, folder: Path = WEIGHTS) -> tuple[nn.Module, dict[str, Any]]:
    """(generator in eval mode on the CPU, its JSON card) for `--model NAME`; UserError naming what is wrong."""
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    if name not in BUNDLED:
        raise UserError(f"--model {name}: expected one of {', '.join(BUNDLED)}")
    weights, card = paths(name, folder)
    if not weights.is_file() or not card.is_file():
        raise UserError(f"--model {name}: the bundled weights {weights.name} are missing from {folder} "
                        "(make them with examples/train_bundled_sr.py)")
    try:
        meta = json.loads(card.read_text())
        arch = meta["architecture"]
        net = build_generator(arch["model"], int(arch["scale"]), int(arch["features"]), int(arch["blocks"]), bool(arch["bicubic_skip"]),
                              bool(arch.get("batchnorm", True)))
        net.load_state_dict(load_file(str(weights)))
    except (OSError, ValueError, KeyError, RuntimeError, SafetensorError) as e:
        raise UserError(f"--model {name}: cannot load {weights} ({type(e).__name__}: {str(e).splitlines()[0]})") from None
    return net.eval().requires_grad_(False), meta


def initial_state(init: str, architecture: dict[str, Any], registry: Any = None) -> dict[str, torch.Tensor]:
    """The generator tensors that `--set init=INIT` names: a bundled model (x2, x4), a run directory (its
    EMA generator, as `gansuite upscale RUN` uses it) or a .safetensors state dict. ESRGAN starts its
    adversarial stage from the PSNR-oriented model; with init=x4 and pretrain_steps=0 a run is only that stage.
    UserError naming `init` when it is missing or built differently from this run's generator."""
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    want = {k: architecture[k] for k in ARCHITECTURE}
    if init in BUNDLED:
        net, card = load_bundled(init)
        have = {k: card["architecture"].get(k, True) for k in ARCHITECTURE}  # old cards: BatchNorm
        state = net.state_dict()
    elif Path(init).is_dir():
        run = load_run(init, app="super-resolution", registry=registry)
        have = {k: getattr(run.config.options, k) for k in ARCHITECTURE}
        state = run.net("G").state_dict()
    elif Path(init).is_file() and init.endswith(".safetensors"):
        try:
            return load_file(init)
        except (OSError, SafetensorError) as e:
            raise UserError(f"init={init}: cannot read it ({type(e).__name__}: {e})") from None
    else:
        raise UserError(f"init={init}: expected {' or '.join(BUNDLED)}, a run directory or a .safetensors file")
    if have != want:
        diff = ", ".join(f"{k} {have[k]} (this run: {want[k]})" for k in ARCHITECTURE if have[k] != want[k])
        raise UserError(f"init={init}: its generator differs from this run's: {diff}")
    return state
