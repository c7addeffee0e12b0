"""The models shipped inside the package (`gansuite upscale IMAGE... --model x2|x4|x4-mixed`): save, load
and train their routers; and `--set init=...`, which starts a training run's generator from such weights.

Each is two files in weights/: sr-NAME.safetensors (the EMA generators' tensors) and sr-NAME.json
(architecture, how it was trained, its measured scores). Loading reads tensors only: safetensors
cannot execute code, unlike a pickled checkpoint. examples/train_bundled_sr.py makes them.

    x2, x4    two specialists (OpenCV area, OpenCV cubic) and a router (models.RoutedPair), in float16
    x4-mixed  the one-network default run of 2026-11-24 at x4 (the bundled x4 until 2026-12-05; `init=x4-mixed
              routed=no` starts a one-network GAN stage from it)
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from gansuite_core import UserError, load_run

from .data import TRAIN_IMAGES, CropSource, degrade_named, embedded_image, needs_aliased, to_tensor
from .losses import estimator_loss
from .models import DegradationEstimator, RoutedPair, build_generator

WEIGHTS = Path(__file__).parent / "weights"
BUNDLED = ("x2", "x4", "x4-mixed")
ARCHITECTURE = ("model", "scale", "features", "blocks", "bicubic_skip", "batchnorm")  # the SRConfig fields that build G


def paths(name: str, folder: Path = WEIGHTS) -> tuple[Path, Path]:
    return folder / f"sr-{name}.safetensors", folder / f"sr-{name}.json"


def save_bundled(net: nn.Module, architecture: dict[str, Any], info: dict[str, Any], name: str, folder: Path = WEIGHTS,
                 dtype: torch.dtype = torch.float32) -> list[Path]:
    """Write `net`'s tensors (floating ones as `dtype`) and a JSON card (architecture + `info`).
    A RoutedPair's specialists share `architecture`; the card adds its estimator's width under "router"."""
    from safetensors.torch import save_file

    weights, card = paths(name, folder)
    folder.mkdir(parents=True, exist_ok=True)
    tensors = {k: (v.to(dtype) if v.is_floating_point() else v).detach().cpu().contiguous() for k, v in net.state_dict().items()}
    save_file(tensors, str(weights))
    arch = {k: architecture[k] for k in ARCHITECTURE}
    if isinstance(net, RoutedPair):
        arch["router"] = {"estimator_width": net.estimator.body[0].out_channels}
    card.write_text(json.dumps({"architecture": arch, "dtype": str(dtype).removeprefix("torch."), **info}, indent=2) + "\n")
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
        def generator() -> nn.Module:
            return build_generator(arch["model"], int(arch["scale"]), int(arch["features"]), int(arch["blocks"]),
                                   bool(arch["bicubic_skip"]), bool(arch.get("batchnorm", True)))

        net = (RoutedPair(generator(), generator(), DegradationEstimator(int(arch["router"]["estimator_width"])))
               if "router" in arch else generator())
        net.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in load_file(str(weights)).items()})
    except (OSError, ValueError, KeyError, RuntimeError, SafetensorError) as e:
        raise UserError(f"--model {name}: cannot load {weights} ({type(e).__name__}: {str(e).splitlines()[0]})") from None
    return net.eval().requires_grad_(False), meta


def initial_state(init: str, architecture: dict[str, Any], registry: Any = None, routed: bool = False) -> dict[str, torch.Tensor]:
    """The generator tensors that `--set init=INIT` names: a bundled model (x2, x4, x4-mixed), a run directory (its
    EMA generator, as `gansuite upscale RUN` uses it) or a .safetensors state dict. ESRGAN starts its
    adversarial stage from the PSNR-oriented model; with init=x4 and pretrain_steps=0 a run is only that stage.
    A routed run (`routed`) starts from a pair (x2, x4 or a routed run), any other from one generator.
    UserError naming `init` when it is missing or built differently from this run's generator."""
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    want = {**{k: architecture[k] for k in ARCHITECTURE}, "routed": routed}
    if init in BUNDLED:
        net, card = load_bundled(init)
        have = {**{k: card["architecture"].get(k, True) for k in ARCHITECTURE}, "routed": isinstance(net, RoutedPair)}  # old cards: BatchNorm
        state = net.state_dict()
    elif Path(init).is_dir():
        run = load_run(init, app="super-resolution", registry=registry)
        have = {**{k: getattr(run.config.options, k) for k in ARCHITECTURE}, "routed": run.config.options.is_routed}
        state = run.net("G").state_dict()
    elif Path(init).is_file() and init.endswith(".safetensors"):
        try:
            return load_file(init)
        except (OSError, SafetensorError) as e:
            raise UserError(f"init={init}: cannot read it ({type(e).__name__}: {e})") from None
    else:
        raise UserError(f"init={init}: expected a bundled model ({', '.join(BUNDLED)}), a run directory or a .safetensors file")
    if have["routed"] != want["routed"]:
        kind = {True: "two specialists and a router", False: "one generator"}
        raise UserError(f"init={init}: it is {kind[have['routed']]}, this run {kind[want['routed']]} "
                        f"(routed={'yes' if have['routed'] else 'no'} matches it)")
    if have != want:
        diff = ", ".join(f"{k} {have[k]} (this run: {want[k]})" for k in ARCHITECTURE if have[k] != want[k])
        raise UserError(f"init={init}: its generator differs from this run's: {diff}")
    return state


def train_estimator(steps: int, seed: int = 0, width: int = 48, patch: int = 32, batch: int = 16, lr: float = 2e-3,
                    progress: bool = True, scale: int = 4, degradation: str = "mixed",
                    sharpen: float = 0.0) -> tuple[DegradationEstimator, float]:
    """A router's estimator (for pictures shrunk `scale` times) and its accuracy per crop over the last 500 steps.

    Trained alone (the specialists are not needed) on LR crops of `patch` pixels from the 13 training photographs,
    shrunk as `degradation` says (a config.degradation value), with a share `sharpen` of them unsharp-masked after
    the resize; each crop is labelled aliased when data.needs_aliased says the aliased specialist is the one for it
    (an aliased resizer's, or a sharpened one); binary cross-entropy on the crop's mean logit, Adam. Deterministic
    for a seed on the CPU. The bundled x4's estimator saw `mixed` crops, the x2's `kernels` (the seven resizers
    alone): at x2 the `mixed` ones ranked held-out pictures worse on every seed tried (docs/experiments.md, stop 39).
    """
    from tqdm import tqdm

    if sharpen and degradation not in ("kernels", "mixed"):  # degrade_named sharpens only crops it draws a resizer for
        raise ValueError(f"sharpen = {sharpen} needs degradation kernels or mixed, not {degradation!r}")
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    src = CropSource([embedded_image(n) for n in TRAIN_IMAGES], patch * scale, scale, degradation, rgb_permute=True)
    net = DegradationEstimator(width)
    opt = torch.optim.Adam(net.parameters(), lr)
    right: list[float] = []
    bar = tqdm(range(steps), desc="estimator", unit="step", disable=not progress, dynamic_ncols=True)
    for _ in bar:
        crops = [degrade_named(src.crop_hr(int(rng.integers(len(src))), rng), scale, degradation, rng, sharpen)
                 for _ in range(batch)]
        x = torch.stack([to_tensor(lr_img) for lr_img, _ in crops])  # (B, 3, patch, patch)
        y = torch.tensor([float(needs_aliased(name, scale)) for _, name in crops])  # (B,)
        loss, accuracy = estimator_loss(net, x, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        right.append(float(accuracy))  # a host sync: fine outside the engine
        if len(right) % 100 == 0:
            bar.set_postfix(accuracy=f"{np.mean(right[-500:]):.3f}")
    return net.eval().requires_grad_(False), float(np.mean(right[-500:]))
