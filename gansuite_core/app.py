"""What a plugin hands the engine: an Application, and for each run a Game of players and phases.

The shape follows stylegan2-ada-pytorch's training loop: a game is a list of phases, each
phase updates one player's networks with one optimizer, and a loss callable accumulates that
phase's gradients. The engine knows no application: G/D with n critic steps, lazy R1, and
Alice+Bob against a twice-trained Eve are all phase lists.

    Application  -- registered once per plugin; builds networks and games from a config
      networks(cfg)            -> {"G": nn.Module, "D": nn.Module}
      game(cfg, nets, ctx)     -> Game(players, phases, data, ema=...)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping, Protocol, Union

import torch
from torch import nn

if TYPE_CHECKING:
    from .runs import Run

Nets = Mapping[str, nn.Module]
# A loss returns the scalar to minimise, optionally with numbers to log: (loss, {"d_real": 0.7}).
LossResult = Union[torch.Tensor, tuple[torch.Tensor, Mapping[str, float]]]


class Stream(Protocol):
    """An endless source of batches whose position can be saved and restored (exact resume)."""

    def __next__(self) -> Any: ...

    def state_dict(self) -> dict[str, Any]: ...

    def load_state_dict(self, state: dict[str, Any]) -> None: ...


@dataclass
class Player:
    """One side of the game: the networks it owns and the optimizer that updates them."""

    name: str  # e.g. "G", "D", "alice_bob", "eve"
    networks: list[str]  # names of the networks this player owns
    optimizer: Callable[[list[nn.Parameter]], torch.optim.Optimizer]  # built over the owned parameters
    scheduler: Callable[[torch.optim.Optimizer], Any] | None = None  # LR schedule, stepped once per step
    clip_grad: float | None = None  # clip the gradient norm of the owned parameters to this value


@dataclass
class Phase:
    """One update of one player: zero grads, loss, backward, checks, optimizer step."""

    name: str  # shown in logs, e.g. "D", "G", "D_r1"
    player: str  # the player whose networks receive gradients and are stepped
    loss: Callable[[Nets, Any, int], LossResult]  # (networks, batch, step) -> loss or (loss, logs)
    every: int = 1  # run on steps where step % every == 0 (lazy regularisation: every=16)
    repeat: int = 1  # run this many times per due step, each on a fresh batch (n critic steps)
    start: int = 0  # first step at which the phase runs (two-stage training: pretrain, then adversarial)
    stop: int | None = None  # the phase runs for steps < stop (None: to the end)


@dataclass
class Game:
    """Everything the engine needs for one run."""

    players: list[Player]
    phases: list[Phase]
    data: Stream  # next(data) is one batch; move_to_device() puts tensors on the run's device
    ema: dict[str, float] = field(default_factory=dict)  # network name -> EMA decay (e.g. {"G": 0.999})
    judge: str | None = None  # the discriminating player (D, Eve), used by warm-up and the loser schedule
    judge_accuracy: Callable[[Nets, Any], float] | None = None  # (nets, batch) -> judge's accuracy in [0, 1]
    snapshot: Callable[[Nets, Path], list[Path]] | None = None  # write pictures for `path` stem; EMA nets
    probe: Callable[[Nets, int], dict[str, float]] | None = None  # extra numbers every probe_every steps
    probe_every: int = 0  # 0 disables the probe
    stop_when: Callable[[dict[str, float]], bool] | None = None  # stop early when the probe says so


@dataclass
class Context:
    """What the engine tells `Application.game` about the run it is building."""

    device: torch.device
    seed: int
    rank: int  # this process's rank in data-parallel training (0 when alone)
    world: int  # number of processes
    workers: int  # data-loading workers requested by the user
    run_dir: Path | None  # the run directory (None when building outside a run)
    channels_last: bool = False


@dataclass(frozen=True)
class Application:
    """A trainable application, registered by a plugin through `gansuite_register_apps`."""

    name: str  # command-line name, e.g. "image-generation"
    summary: str  # one line for `gansuite apps`
    config: type  # a frozen dataclass of the application's options, each field commented
    networks: Callable[[Any], dict[str, nn.Module]]  # config -> named networks (tensor -> tensor only)
    game: Callable[[Any, dict[str, nn.Module], Context], Game]  # config, networks, context -> Game
    evaluate: Callable[["Run", torch.device], dict[str, Any]] | None = None  # numbers for `gansuite evaluate`
    generate: Callable[["Run", "GenerateRequest"], list[Path]] | None = None  # `gansuite generate`
    demo: Callable[["DemoRequest"], "DemoResult"] | None = None  # a short offline run for `gansuite demo`
    core_defaults: dict[str, Any] = field(default_factory=dict)  # the app's own defaults for core options
    quick: dict[str, Any] = field(default_factory=dict)  # overrides for a seconds-long run (contract tests, smoke checks)
    plugin: str = ""  # filled in by the registry: which plugin registered it


@dataclass(frozen=True)
class GenerateRequest:
    """Options of `gansuite generate RUN`."""

    num: int  # number of samples
    out: Path  # .png grid, .npy raw samples, .gif latent walk (with interpolate)
    seed: int = 0
    truncation: float = 1.0  # 1.0 = no truncation
    labels: tuple[int, ...] | None = None  # class labels for conditional models
    interpolate: int = 0  # >0: frames of a latent walk GIF
    device: torch.device = torch.device("cpu")


@dataclass(frozen=True)
class DemoRequest:
    """What `gansuite demo` asks of an application."""

    out: Path  # folder for this demo's run and pictures
    device: torch.device
    quiet: bool = False


@dataclass
class DemoResult:
    """What a demo shows on the report page."""

    title: str  # heading
    text: str  # a sentence or two: what was run, on what data, for how long
    pictures: list[Path]  # PNG/GIF files (inside DemoRequest.out)
    numbers: dict[str, Any] = field(default_factory=dict)  # headline metrics


def move_to_device(batch: Any, device: torch.device, channels_last: bool = False) -> Any:
    """Tensors (also inside tuples, lists and dicts) moved to `device`; 4-D ones channels-last if asked."""
    if isinstance(batch, torch.Tensor):
        batch = batch.to(device, non_blocking=True)
        if channels_last and batch.ndim == 4:
            batch = batch.contiguous(memory_format=torch.channels_last)
        return batch
    if isinstance(batch, (list, tuple)):
        return type(batch)(move_to_device(b, device, channels_last) for b in batch)
    if isinstance(batch, dict):
        return {k: move_to_device(v, device, channels_last) for k, v in batch.items()}
    return batch


