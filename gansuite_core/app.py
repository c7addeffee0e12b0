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
# A loss returns the scalar to minimise, optionally with numbers to log: (loss, {"d_real": d_real.mean()}).
# Logged values stay tensors (0-dim, detached or not): the engine sums them on the device and reads them
# on the host only every `log_every` steps, so a step never waits for the GPU. Never call .item() in a loss.
LossResult = Union[torch.Tensor, tuple[torch.Tensor, Mapping[str, torch.Tensor]]]


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
    data: bool = True  # False: the loss gets batch=None and no batch is loaded (a generator phase that needs only noise)
    lazy: bool = False  # lazy regularisation (StyleGAN2, Karras et al. 2020, App. B): the loss is multiplied by
    #                     `every`, and the player's Adam lr and betas are corrected by every/(every+1)


@dataclass(frozen=True)
class EMA:
    """An exponential moving average of a network's weights, as stylegan2-ada keeps G_ema.

    The horizon is counted in images, not steps, so a larger batch does not lengthen it:
    beta = 0.5 ** (images per step / half_life), and during ramp-up the half-life is at most
    `rampup` x the images seen so far, so early averages are not dominated by the random init.
    Floating-point buffers (BatchNorm running statistics) are averaged with the same beta: copying
    the raw network's statistics would normalise the averaged weights with another network's
    statistics (the audit of issue 18 measured 21 against 34 flower modes for that mistake).

    With `follow_lr`, a step counts as its images times the owner's learning rate over its initial
    one: where a schedule lowers the rate, the average reaches back over as much training as it did
    at the full rate, not over ever fewer of ever smaller steps. A raw network that oscillates slows
    down with its rate, and a fixed horizon in steps would end up following one swing of it (toy2d's
    ring, docs/toy2d.md).
    """

    half_life: float  # images after which an old weight's share has halved (stylegan2-ada: 10,000 at batch 32)
    batch: int  # images per step on one process (the engine multiplies by the number of processes)
    rampup: float | None = 0.05  # the half-life is at most rampup x images seen so far (None: no ramp-up)
    follow_lr: bool = False  # count each step's images times the owning player's lr / its initial lr (see above)

    def beta(self, images_seen: int, images_per_step: int) -> float:
        """The decay for one step after `images_seen` images."""
        half = self.half_life if self.rampup is None else min(self.half_life, images_seen * self.rampup)
        return 0.5 ** (images_per_step / max(half, 1e-8))


@dataclass
class Game:
    """Everything the engine needs for one run."""

    players: list[Player]
    phases: list[Phase]
    data: Stream  # next(data) is one batch; move_to_device() puts tensors on the run's device
    ema: dict[str, EMA] = field(default_factory=dict)  # network name -> its EMA (e.g. {"G": EMA(10_000, batch=64)})
    judge: str | None = None  # the discriminating player (D, Eve), used by warm-up and the loser schedule
    judge_accuracy: Callable[[Nets, Any], torch.Tensor] | None = None  # (nets, batch) -> judge's accuracy in [0, 1], a 0-dim tensor
    snapshot: Callable[[Nets, Path], list[Path]] | None = None  # write pictures for `path` stem; EMA nets
    probe: Callable[[Nets, int], dict[str, float]] | None = None  # extra numbers every probe_every steps
    probe_every: int = 0  # 0 disables the probe
    stop_when: Callable[[dict[str, float]], bool] | None = None  # stop early when the probe says so


@dataclass
class Context:
    """What the engine tells `Application.game` about the run it is building."""

    device: torch.device  # where the networks live and batches must go
    seed: int  # the run's seed (streams derive their own generators from it)
    rank: int  # this process's rank in data-parallel training (0 when alone)
    world: int  # number of processes
    workers: int  # data-loading workers requested by the user
    run_dir: Path | None  # the run directory (None when building outside a run)
    channels_last: bool = False  # networks and 4-D batches are channels-last
    registry: Any = None  # the plugin registry of this process (feature extractors); None outside the CLI
    steps: int = 0  # the step this run trains to (a resumed run's new --steps); 0 when building outside a run

    @property
    def pin_memory(self) -> bool:
        """Streams should pin their batches (pass to IndexedStream): the copy to a CUDA device then overlaps compute."""
        return self.device.type == "cuda"


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
    generate_options: type | None = None  # a frozen dataclass of generate's own options (`--set KEY=VALUE`), each field commented
    generate_suffixes: tuple[str, ...] = (".png",)  # file types `generate` writes to --out; the first is what `check-plugin` asks for
    demo: Callable[["DemoRequest"], "DemoResult"] | None = None  # a short offline run for `gansuite demo`
    core_defaults: dict[str, Any] = field(default_factory=dict)  # the app's own defaults for core options
    quick: dict[str, Any] = field(default_factory=dict)  # overrides for a seconds-long run (contract tests, smoke checks)
    legacy_options: dict[str, Any] = field(default_factory=dict)  # option -> what a run saved before the option existed meant (its config lacks the key), so old runs load as they trained
    plugin: str = ""  # filled in by the registry: which plugin registered it


@dataclass(frozen=True)
class GenerateRequest:
    """Options of `gansuite generate RUN`.

    Checked by the core before `generate` is called: `num` >= 1, the run loads (its application and
    weights match), `out`'s folder exists (the CLI creates it), and `options` is an instance of the
    application's `generate_options` with every `--set` key known and typed. The plugin's job: the
    file type of `out` (raise UserError naming `--out` for one it does not write) and values that
    only it can judge (a label outside the run's classes, say).
    """

    num: int  # number of samples
    out: Path  # the file (or folder) to write; its suffix picks the format the application writes
    seed: int = 0  # seeds the sampling noise; the same seed gives the same samples
    device: torch.device = torch.device("cpu")  # where the run's networks are
    options: Any = None  # an instance of Application.generate_options; None means its defaults (a script may leave it out)


@dataclass(frozen=True)
class DemoRequest:
    """What `gansuite demo` asks of an application.

    `app` is the application being demonstrated, so a demo can train it without looking it up:
    `run, report = train_demo(req, steps=400)` trains into `out / "run"`, reloads and evaluates.
    """

    out: Path  # folder for this demo's run and pictures (created by the core)
    device: torch.device  # the device the user chose (`gansuite demo --device`)
    app: "Application | None" = None  # the application whose demo this is
    quiet: bool = False  # no progress bars or messages
    registry: Any = None  # the plugin registry of this process (lifecycle hooks, feature extractors)
    quick: bool = False  # a seconds-long demo on the application's `quick` settings (`check-plugin`, contract tests); train_demo applies them


@dataclass
class DemoResult:
    """What a demo shows on the report page."""

    title: str  # heading
    text: str  # a sentence or two: what was run, on what data, for how long
    pictures: list[Path]  # PNG/GIF files (inside DemoRequest.out)
    numbers: dict[str, Any] = field(default_factory=dict)  # headline metrics


def move_to_device(batch: Any, device: torch.device, channels_last: bool = False) -> Any:
    """Tensors (also inside tuples, lists and dicts) moved to `device`; 4-D ones channels-last if asked.

    The copy is non-blocking: streams pin their batches' memory on CUDA (IndexedStream does), so
    the host goes on queueing kernels while the batch travels.
    """
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


def check_game(game: Game, nets: dict[str, nn.Module]) -> None:
    """A plugin's mistakes in its Game, caught before training with a sentence that names them."""
    owner: dict[str, str] = {}
    players = {p.name for p in game.players}
    for p in game.players:
        for n in p.networks:
            if n not in nets:
                raise ValueError(f"player {p.name!r} owns unknown network {n!r} (networks: {', '.join(nets)})")
            if n in owner:
                raise ValueError(f"network {n!r} is owned by both {owner[n]!r} and {p.name!r}")
            owner[n] = p.name
    for ph in game.phases:
        if ph.player not in players:
            raise ValueError(f"phase {ph.name!r} updates unknown player {ph.player!r}")
        if ph.every < 1 or ph.repeat < 1:
            raise ValueError(f"phase {ph.name!r}: every and repeat must be >= 1")
    for n, spec in game.ema.items():
        if n not in nets:
            raise ValueError(f"EMA of unknown network {n!r}")
        if not isinstance(spec, EMA):
            raise ValueError(f"Game.ema[{n!r}] must be gansuite_core.EMA(half_life=IMAGES, batch=N), not {spec!r}")
        if spec.follow_lr and n not in owner:
            raise ValueError(f"EMA of {n!r} with follow_lr: no player trains {n!r}, so there is no learning rate to follow")
    for p in game.players:
        lazy = {ph.every for ph in game.phases if ph.player == p.name and ph.lazy and ph.every > 1}
        if len(lazy) > 1:
            raise ValueError(f"player {p.name!r} has lazy phases with different intervals {sorted(lazy)}; the optimizer correction needs one")
    if game.judge is not None and game.judge not in players:
        raise ValueError(f"judge {game.judge!r} is not a player")
