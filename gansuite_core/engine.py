"""The adversarial training engine: a loop over phases that knows no application.

Each step runs every due phase. A phase updates one player:

    zero grads -> grads on for the player's networks only -> loss -> backward
    -> non-finite check (skip and count) -> optional clipping -> optimizer step

then the step ends with EMA updates and LR schedules. Pictures and probes run on rank 0 inside
`fork_rng`, so how often you sample never changes what is trained; checkpoints gather every
rank's RNG state and rank 0 writes them.
"""
from __future__ import annotations

import copy
import random
import signal
import sys
import time
import warnings
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.distributed as dist
from torch import nn

from . import checkpoint as ckpt
from .app import Application, Context, Game, Phase, move_to_device
from .config import RunConfig
from .devices import Dist, Precision, barrier, from_environment, init_process_group, resolve_device
from .errors import UserError
from .runs import CONFIG, MetricsLog, Run, load_weights, plot_metrics, read_metrics


class NonFiniteError(RuntimeError):
    """Too many consecutive updates with NaN/inf losses or gradients."""


class Interrupted(Exception):
    """SIGINT/SIGTERM arrived; the trainer saved a checkpoint and stopped."""


@contextmanager
def preserved_rng():
    """Run a side job (pictures, probes) without consuming the training run's random numbers."""
    py, npy = random.getstate(), np.random.get_state()
    with torch.random.fork_rng(devices=[torch.cuda.current_device()] if torch.cuda.is_available() and torch.cuda.is_initialized() else []):
        yield
    random.setstate(py)
    np.random.set_state(npy)


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


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
    for n in game.ema:
        if n not in nets:
            raise ValueError(f"EMA of unknown network {n!r}")
    if game.judge is not None and game.judge not in players:
        raise ValueError(f"judge {game.judge!r} is not a player")


class Trainer:
    """Trains one run of one application. `fit()` returns the last logged metrics."""

    def __init__(self, app: Application, config: RunConfig, run_dir: Path, *, resume: bool = False, quiet: bool = False, registry: Any = None) -> None:
        self.app, self.config, self.cfg, self.run_dir = app, config, config.core, Path(run_dir)
        self.quiet, self.registry = quiet, registry
        self.dist: Dist = from_environment()
        self.device, said = resolve_device(self.cfg.device, self.dist.local_rank)
        self.precision = Precision(self.cfg.precision, self.device)
        init_process_group(self.dist, self.device)
        self.say(said + (f", {self.dist.world} processes" if self.dist.enabled else ""))

        seed_everything(self.cfg.seed)  # identical initial weights on every rank
        self.nets = {k: v.to(self.device) for k, v in app.networks(config.options).items()}
        if self.cfg.channels_last:
            self.nets = {k: v.to(memory_format=torch.channels_last) for k, v in self.nets.items()}
        ctx = Context(self.device, self.cfg.seed, self.dist.rank, self.dist.world, self.cfg.workers, self.run_dir, self.cfg.channels_last)
        self.game: Game = app.game(config.options, self.nets, ctx)
        check_game(self.game, self.nets)
        if (self.cfg.warmup_steps or self.cfg.schedule == "loser") and self.game.judge is None:
            raise UserError(f"warmup_steps/schedule=loser: application {app.name!r} names no judge player")
        if self.cfg.schedule == "loser" and self.game.judge_accuracy is None:
            raise UserError(f"schedule=loser: application {app.name!r} gives no judge accuracy")

        self.ema = {n: copy.deepcopy(self.nets[n]).eval().requires_grad_(False) for n in self.game.ema}
        self.players = {p.name: p for p in self.game.players}
        self.owned = {p.name: [self.nets[n] for n in p.networks] for p in self.game.players}
        self.params = {p: [q for m in ms for q in m.parameters()] for p, ms in self.owned.items()}
        self.opt = {p.name: p.optimizer(self.params[p.name]) for p in self.game.players}
        self.sched = {p.name: p.scheduler(self.opt[p.name]) for p in self.game.players if p.scheduler}
        self.scaler = {p.name: s for p in self.game.players if (s := self.precision.scaler()) is not None}
        self.train_nets = self._wrap()

        self.step, self.nonfinite_total = 0, 0
        self.nonfinite_run: dict[str, int] = defaultdict(int)  # consecutive skips, per phase
        self.run = Run(self.run_dir, config, app, 0, self.nets, self.ema)
        if resume:
            self._resume()
        elif self.dist.rank:
            seed_everything(self.cfg.seed + self.dist.rank)  # ranks draw different noise

    # ------------------------------------------------------------------ setup

    def say(self, msg: str) -> None:
        if not self.quiet and self.dist.main:
            print(f"gansuite: {msg}", file=sys.stderr, flush=True)

    def _wrap(self) -> dict[str, nn.Module]:
        """Each network on its own: rank 0's weights broadcast, then optionally torch.compile.

        Data parallelism averages each phase's gradients with one all-reduce per phase, as
        stylegan2-ada-pytorch does, rather than through DDP: in a game the same network is run in
        other players' phases, and regularisers such as R1 leave parameters without gradients,
        both of which DDP's reducer rejects.
        """
        out = {}
        for name, net in self.nets.items():
            if self.dist.enabled:
                with torch.no_grad():
                    for t in list(net.parameters()) + list(net.buffers()):
                        dist.broadcast(t.data, src=0)
            out[name] = torch.compile(net) if self.cfg.compile else net
        return out

    def _average_gradients(self, player: str) -> None:
        grads = [q.grad for q in self.params[player] if q.grad is not None]  # the same set on every rank
        if not grads:
            return
        flat = torch.cat([g.flatten() for g in grads])
        dist.all_reduce(flat)
        flat /= self.dist.world
        offset = 0
        for g in grads:
            g.copy_(flat[offset: offset + g.numel()].view_as(g))
            offset += g.numel()

    # ------------------------------------------------------------------ one phase

    def _phase(self, phase: Phase, sums: dict[str, Any], counts: dict[str, int]) -> None:
        player = phase.player
        mine = set(self.players[player].networks)
        for p in self.game.players:  # gradients only for the phase's player
            for n in p.networks:
                self.nets[n].requires_grad_(n in mine)
        opt, scaler = self.opt[player], self.scaler.get(player)
        for _ in range(phase.repeat):
            batch = move_to_device(next(self.game.data), self.device, self.cfg.channels_last)
            opt.zero_grad(set_to_none=True)
            with self.precision.autocast():
                out = phase.loss(self.train_nets, batch, self.step)
            loss, logs = (out if isinstance(out, tuple) else (out, {}))
            (scaler.scale(loss) if scaler else loss).backward()
            if self.dist.enabled:
                self._average_gradients(player)
            if scaler:
                scaler.unscale_(opt)
            grads = [q.grad for q in self.params[player] if q.grad is not None]
            clip = self.players[player].clip_grad
            if clip:
                norm = torch.nn.utils.clip_grad_norm_(self.params[player], clip)
            else:
                norm = torch.linalg.vector_norm(torch.stack(torch._foreach_norm(grads))) if grads else torch.zeros(())
            finite = bool(torch.isfinite(norm)) and bool(torch.isfinite(loss.detach()))
            if scaler:
                scaler.step(opt)  # skips the step itself on inf/NaN and lowers the scale
                scaler.update()
                finite = finite or bool(torch.isfinite(loss.detach()))  # overflow alone is the scaler's business
            elif finite:
                opt.step()
            if not finite:
                self.nonfinite_total += 1
                self.nonfinite_run[phase.name] += 1
                if self.nonfinite_run[phase.name] >= self.cfg.max_nonfinite:
                    raise NonFiniteError(
                        f"phase {phase.name!r} produced non-finite losses or gradients {self.nonfinite_run[phase.name]} times in a row at step {self.step}; "
                        "lower the learning rate, use fp32, or add gradient clipping")
                continue
            self.nonfinite_run[phase.name] = 0
            key = f"{phase.name}/loss"
            sums[key] = sums.get(key, 0.0) + loss.detach().float()
            counts[key] += 1
            for k, v in logs.items():
                key = f"{phase.name}/{k}"
                sums[key] = sums.get(key, 0.0) + (v.detach().float() if isinstance(v, torch.Tensor) else float(v))
                counts[key] += 1

    def _due(self, sums: dict[str, Any], counts: dict[str, int]) -> list[Phase]:
        due = [ph for ph in self.game.phases
               if self.step % ph.every == 0 and self.step >= ph.start and (ph.stop is None or self.step < ph.stop)]
        judge = self.game.judge
        if self.step < self.cfg.warmup_steps:
            return [ph for ph in due if ph.player == judge]
        if self.cfg.schedule == "loser":
            batch = move_to_device(next(self.game.data), self.device, self.cfg.channels_last)
            with torch.no_grad(), self.precision.autocast():
                acc = float(self.game.judge_accuracy(self.train_nets, batch))
            if self.dist.enabled:  # every rank must take the same branch
                t = torch.tensor([acc], device=self.device)
                dist.all_reduce(t)
                acc = float(t) / self.dist.world
            judge_lost = acc < 0.5
            for k, v in (("schedule/judge_accuracy", acc), ("schedule/judge_updated", float(judge_lost))):
                sums[k] = sums.get(k, 0.0) + v
                counts[k] += 1
            return [ph for ph in due if (ph.player == judge) == judge_lost]
        return due

    # ------------------------------------------------------------------ the loop

    @torch.no_grad()
    def _update_ema(self) -> None:
        for name, decay in self.game.ema.items():
            src, dst = self.nets[name], self.ema[name]
            for p_ema, p in zip(dst.parameters(), src.parameters()):
                p_ema.lerp_(p.detach(), 1.0 - decay)
            for b_ema, b in zip(dst.buffers(), src.buffers()):
                b_ema.copy_(b)

    @torch.no_grad()
    def _sync_buffers(self) -> None:
        """BatchNorm statistics are computed per rank; rank 0's win at the end of each step."""
        if self.dist.enabled:
            for net in self.nets.values():
                for b in net.buffers():
                    dist.broadcast(b, src=0)

    def eval_nets(self) -> dict[str, nn.Module]:
        return {n: self.ema.get(n, m) for n, m in self.nets.items()}

    @contextmanager
    def _side_job(self):
        """Eval mode, no grad, and the training RNG untouched."""
        was = {n: m.training for n, m in self.nets.items()}
        for m in self.nets.values():
            m.eval()
        try:
            with preserved_rng(), torch.no_grad():
                yield
        finally:
            for n, m in self.nets.items():
                m.train(was[n])

    def fit(self) -> dict[str, Any]:
        from tqdm import tqdm

        main = self.dist.main
        log = MetricsLog(self.run_dir, self.step if self.step else None, self.cfg.tensorboard) if main else None
        if main:
            (self.run_dir / "samples").mkdir(parents=True, exist_ok=True)
            self._hook("gansuite_run_start", run=self.run)
        for m in self.nets.values():
            m.train()
        sums: dict[str, Any] = {}
        counts: dict[str, int] = defaultdict(int)
        last: dict[str, Any] = {}
        bar = tqdm(total=self.cfg.steps, initial=self.step, disable=self.quiet or not main, unit="step", dynamic_ncols=True, mininterval=0.5, file=sys.stderr)
        t_log, s_log = time.perf_counter(), self.step
        stopped_early = False
        old = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}

        def interrupt(signum, frame):  # finish the step in hand, then checkpoint and stop
            self._interrupted = signum

        self._interrupted = 0
        for s in old:
            signal.signal(s, interrupt)
        try:
            with warnings.catch_warnings():
                # Schedules follow the engine's step, not each optimizer's: a player frozen by warm-up,
                # the loser schedule or a skipped non-finite step still advances its schedule.
                warnings.filterwarnings("ignore", message=r"Detected call of `lr_scheduler.step\(\)` before `optimizer.step\(\)`")
                while self.step < self.cfg.steps and not self._interrupted:
                    for phase in self._due(sums, counts):
                        self._phase(phase, sums, counts)
                    self._update_ema()
                    self._sync_buffers()
                    for s in self.sched.values():
                        s.step()
                    self.step += 1
                    bar.update(1)
                    probe = self._probe() if self.game.probe and self.game.probe_every and self.step % self.game.probe_every == 0 else None
                    if probe is not None:
                        for k, v in probe.items():
                            sums[f"probe/{k}"], counts[f"probe/{k}"] = float(v), 1
                        stopped_early = bool(self.game.stop_when and self.game.stop_when(probe))
                    final = self.step >= self.cfg.steps or stopped_early
                    if self.step % self.cfg.log_every == 0 or final:
                        now = time.perf_counter()
                        row = {"step": self.step, "time/steps_per_s": (self.step - s_log) / max(now - t_log, 1e-9)}
                        row.update({k: float(v) / max(counts[k], 1) for k, v in sums.items()})
                        if self.nonfinite_total:
                            row["time/nonfinite_skipped"] = self.nonfinite_total
                        t_log, s_log, last = now, self.step, row
                        sums, counts = {}, defaultdict(int)
                        if main:
                            log.write(row)
                            bar.set_postfix({k.replace("/loss", ""): f"{v:.3g}" for k, v in row.items() if k.endswith("/loss")}, refresh=False)
                            self._hook("gansuite_step_end", run=self.run, step=self.step, metrics=row)
                    if main and self.game.snapshot and (final or (self.cfg.sample_every and self.step % self.cfg.sample_every == 0)):
                        with self._side_job():
                            self.game.snapshot(self.eval_nets(), self.run_dir / "samples" / f"step-{self.step:08d}")
                    if final or (self.cfg.checkpoint_every and self.step % self.cfg.checkpoint_every == 0):
                        self.save()
                    if stopped_early:
                        self.say(f"stopped at step {self.step}: the application's goal was reached")
                        break
                if self._interrupted:
                    self.save()
                    raise Interrupted(f"interrupted at step {self.step}; checkpoint written, continue with --resume")
        finally:
            bar.close()
            for s, h in old.items():
                signal.signal(s, h)
            if main and log is not None:
                log.close()
        if main:
            rows = read_metrics(self.run_dir / "metrics.jsonl")
            plot_metrics(rows, self.run_dir / "loss.png", f"{self.app.name}: {self.run_dir.name}")
            self.run.step = self.step
            self._hook("gansuite_run_end", run=self.run, metrics=last)
        barrier(self.dist)
        if self.dist.enabled and dist.is_initialized():
            dist.destroy_process_group()
        return last

    def _probe(self) -> dict[str, float]:
        with self._side_job():
            out = self.game.probe(self.eval_nets(), self.step) if self.dist.main else None
        if self.dist.enabled:  # rank 0 decides, so every rank stops together
            box = [out]
            dist.broadcast_object_list(box, src=0)
            out = box[0]
        return out

    # ------------------------------------------------------------------ checkpoints

    def state(self) -> dict[str, Any]:
        rngs = [ckpt.rng_state()]
        if self.dist.enabled:
            rngs = [None] * self.dist.world
            dist.all_gather_object(rngs, ckpt.rng_state())
        return {
            "app": self.app.name,
            "step": self.step,
            "world": self.dist.world,
            "config": self.config.to_toml(),
            "nets": {n: m.state_dict() for n, m in self.nets.items()},
            "ema": {n: m.state_dict() for n, m in self.ema.items()},
            "optim": {n: o.state_dict() for n, o in self.opt.items()},
            "sched": {n: s.state_dict() for n, s in self.sched.items()},
            "scaler": {n: s.state_dict() for n, s in self.scaler.items()},
            "data": self.game.data.state_dict(),
            "rng": rngs,
            "engine": {"nonfinite_total": self.nonfinite_total},
        }

    def save(self) -> Path:
        state = self.state()  # every rank takes part (RNG gather)
        path = ckpt.checkpoint_path(self.run_dir / "checkpoints", self.step)
        if self.dist.main:
            path.parent.mkdir(parents=True, exist_ok=True)
            ckpt.save(path, state)
            ckpt.prune(path.parent, self.cfg.keep_checkpoints)
            self._hook("gansuite_checkpoint_written", run=self.run, step=self.step, path=path)
        barrier(self.dist)
        return path

    def _resume(self) -> None:
        found = ckpt.list_checkpoints(self.run_dir / "checkpoints")
        if not found:
            raise UserError(f"--resume: no checkpoint in {self.run_dir / 'checkpoints'}")
        path = found[-1][1]
        state = ckpt.load(path)
        if state.get("app") != self.app.name:
            raise UserError(f"--resume: {path} belongs to application {state.get('app')!r}, not {self.app.name!r}")
        for n, m in self.nets.items():
            load_weights(m, state["nets"][n], f"{path}: network {n!r}")
        for n, m in self.ema.items():
            load_weights(m, state["ema"][n], f"{path}: EMA of {n!r}")
        for n, o in self.opt.items():
            o.load_state_dict(state["optim"][n])
        for n, s in self.sched.items():
            s.load_state_dict(state["sched"][n])
        for n, s in self.scaler.items():
            if n in state.get("scaler", {}):
                s.load_state_dict(state["scaler"][n])
        self.game.data.load_state_dict(state["data"])
        rngs = state["rng"]
        ckpt.set_rng_state(rngs[self.dist.rank] if self.dist.rank < len(rngs) else rngs[0])
        self.step = int(state["step"])
        self.nonfinite_total = int(state["engine"]["nonfinite_total"])
        self.run.step = self.step
        self.say(f"resumed from {path} at step {self.step}")

    # ------------------------------------------------------------------ plugin lifecycle hooks

    def _hook(self, name: str, **kwargs: Any) -> None:
        if self.registry is None:
            return
        if not hasattr(self, "_muted"):
            self._muted: set[str] = set()
        for impl in reversed(getattr(self.registry.pm.hook, name).get_hookimpls()):
            if impl.plugin_name in self._muted:
                continue
            try:
                impl.function(**{k: v for k, v in kwargs.items() if k in impl.argnames})
            except Exception as e:  # noqa: BLE001 -- a logger plugin must not kill training
                self._muted.add(impl.plugin_name)
                print(f"gansuite: warning: plugin {impl.plugin_name!r} failed in {name} ({type(e).__name__}: {e}); its hooks are off for this run", file=sys.stderr)


def prepare_run_dir(run_dir: Path, config: RunConfig, resume: bool) -> None:
    """Create (or check) the run directory; one-line errors for the usual mistakes."""
    if resume:
        if not (run_dir / CONFIG).is_file():
            raise UserError(f"--resume: {run_dir} is not a run directory (no {CONFIG})")
        if not ckpt.list_checkpoints(run_dir / "checkpoints"):
            raise UserError(f"--resume: no checkpoint in {run_dir / 'checkpoints'}")
        return
    if ckpt.list_checkpoints(run_dir / "checkpoints"):
        raise UserError(f"--out {run_dir}: already holds a run; continue it with --resume or choose another --out")
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
        probe = run_dir / ".write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as e:
        raise UserError(f"--out {run_dir}: cannot write there ({e.strerror or e})") from None
    (run_dir / CONFIG).write_text(config.to_toml())


def train(app: Application, config: RunConfig, run_dir: Path, *, resume: bool = False, quiet: bool = False, registry: Any = None) -> dict[str, Any]:
    """Prepare the run directory (rank 0) and train. The Python equivalent of `gansuite train`."""
    d = from_environment()
    if d.main:
        prepare_run_dir(Path(run_dir), config, resume)
        if resume:  # the resumed config (a longer --steps, say) is the run's config from now on
            (Path(run_dir) / CONFIG).write_text(config.to_toml())
    return Trainer(app, config, Path(run_dir), resume=resume, quiet=quiet, registry=registry).fit()
