"""The adversarial training engine: a loop over phases that knows no application.

Each step runs every due phase. A phase updates one player:

    zero grads -> grads on for the player's networks only -> loss -> backward
    -> optional clipping -> non-finite mask (decided on the device) -> optimizer step

then the step ends with EMA updates and LR schedules. Like stylegan2-ada's loop, a step makes no
host reads: losses, logged numbers and non-finite counters stay on the device and are read every
`log_every` steps, where a run of non-finite updates is turned into an error. Pictures and probes run on rank 0 inside
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
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.distributed as dist
from torch import nn

from . import checkpoint as ckpt
from .app import Application, Context, Game, Phase, check_game, move_to_device
from .config import RunConfig
from .devices import Dist, Precision, barrier, from_environment, init_process_group, resolve_device, resolve_precision
from .errors import UserError
from .files import write_atomic
from .plugins import call_hook
from .runs import CONFIG, MetricsLog, Run, load_weights, plot_metrics, prepare_run_dir, read_metrics
from .stats import StepStats


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


class Trainer:
    """Trains one run of one application. `fit()` returns the last logged metrics."""

    def __init__(self, app: Application, config: RunConfig, run_dir: Path, *, resume: bool = False, quiet: bool = False, registry: Any = None) -> None:
        self.app, self.config, self.cfg, self.run_dir = app, config, config.core, Path(run_dir)
        self.quiet, self.registry = quiet, registry
        self.dist: Dist = from_environment()
        self.device, said = resolve_device(self.cfg.device, self.dist.local_rank)
        precision, picked = resolve_precision(self.cfg.precision, self.device)
        self.precision = Precision(precision, self.device)
        init_process_group(self.dist, self.device)

        seed_everything(self.cfg.seed)  # identical initial weights on every rank
        self.nets = {k: v.to(self.device) for k, v in app.networks(config.options).items()}
        if self.cfg.channels_last:
            self.nets = {k: v.to(memory_format=torch.channels_last) for k, v in self.nets.items()}
        ctx = Context(self.device, self.cfg.seed, self.dist.rank, self.dist.world, self.cfg.workers, self.run_dir, self.cfg.channels_last, registry,
                      steps=self.cfg.steps)
        self.game: Game = app.game(config.options, self.nets, ctx)
        check_game(self.game, self.nets)
        # Said once the application has built its networks and game: a mistake in its data is then
        # the only line on stderr.
        self.say(said + (f", {self.dist.world} processes" if self.dist.enabled else "") + (f"; {picked}" if picked else ""))
        if (self.cfg.warmup_steps or self.cfg.schedule == "loser") and self.game.judge is None:
            raise UserError(f"warmup_steps/schedule=loser: application {app.name!r} names no judge player")
        if self.cfg.schedule == "loser" and self.game.judge_accuracy is None:
            raise UserError(f"schedule=loser: application {app.name!r} gives no judge accuracy")

        self.ema = {n: copy.deepcopy(self.nets[n]).eval().requires_grad_(False) for n in self.game.ema}
        self.players = {p.name: p for p in self.game.players}
        self._owner = {n: p.name for p in self.game.players for n in p.networks}  # network -> the player that trains it
        self.owned = {p.name: [self.nets[n] for n in p.networks] for p in self.game.players}
        self.params = {p: [q for m in ms for q in m.parameters()] for p, ms in self.owned.items()}
        self.opt = {p.name: p.optimizer(self.params[p.name]) for p in self.game.players}
        for p in self.game.players:
            self._lazy_correction(p.name)
        self.sched = {p.name: p.scheduler(self.opt[p.name]) for p in self.game.players if p.scheduler}
        self.scaler = {p.name: s for p in self.game.players if (s := self.precision.scaler()) is not None}
        self.train_nets = self._wrap()

        self.step, self.nonfinite_total = 0, 0
        self.stats = StepStats(self.device)
        self.run = Run(self.run_dir, config, app, 0, self.nets, self.ema, registry)
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

    def _lazy_correction(self, player: str) -> None:
        """StyleGAN2 App. B: a player regularised every k steps gets lr x k/(k+1) and betas ** (k/(k+1)),
        so that the regulariser's occasional (k-times amplified) gradient does not change the effective step."""
        every = {ph.every for ph in self.game.phases if ph.player == player and ph.lazy and ph.every > 1}
        if not every:
            return
        ratio = (k := every.pop()) / (k + 1)
        for group in self.opt[player].param_groups:
            group["lr"] = group["lr"] * ratio
            if "betas" in group:
                group["betas"] = tuple(b ** ratio for b in group["betas"])

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

    def _phase(self, phase: Phase, stats: "StepStats") -> None:
        player = phase.player
        mine = set(self.players[player].networks)
        for p in self.game.players:  # gradients only for the phase's player
            for n in p.networks:
                self.nets[n].requires_grad_(n in mine)
        opt, scaler = self.opt[player], self.scaler.get(player)
        for _ in range(phase.repeat):
            batch = move_to_device(next(self.game.data), self.device, self.cfg.channels_last) if phase.data else None
            opt.zero_grad(set_to_none=True)
            with self.precision.autocast():
                out = phase.loss(self.train_nets, batch, self.step)
            loss, logs = (out if isinstance(out, tuple) else (out, {}))
            grad_loss = loss * phase.every if phase.lazy else loss  # lazy regularisation: the gain of the skipped steps
            (scaler.scale(grad_loss) if scaler else grad_loss).backward()
            if self.dist.enabled:
                self._average_gradients(player)
            if scaler:
                scaler.unscale_(opt)
            grads = [q.grad for q in self.params[player] if q.grad is not None]
            clip = self.players[player].clip_grad
            if clip:
                norm = torch.nn.utils.clip_grad_norm_(self.params[player], clip)
            else:
                norm = torch.linalg.vector_norm(torch.stack(torch._foreach_norm(grads))) if grads else torch.zeros((), device=self.device)
            # Decided on the device: no host read. After the all-reduce the norm is the same on every
            # rank; the loss is not, so the flag is agreed with one more (tiny) all-reduce.
            ok = torch.isfinite(loss.detach().float()) & torch.isfinite(norm.float())
            if self.dist.enabled:
                bad = (~ok).float()
                dist.all_reduce(bad)
                ok = bad == 0
            if scaler:
                scaler.step(opt)  # skips the step itself on inf/NaN gradients and lowers the scale (its own host read)
                scaler.update()
            else:
                # Masked like GradScaler's found-inf flag, but without reading it: a non-finite step's
                # gradients become zeros, so no NaN/inf reaches the weights (a momentum optimizer still
                # coasts one step on its history, as with any zero gradient).
                if grads:
                    for g in grads:
                        g.nan_to_num_(0.0, 0.0, 0.0)
                    torch._foreach_mul_(grads, ok.to(grads[0].dtype))
                opt.step()
            stats.phase(phase.name, ok, loss, logs)

    def _due(self, stats: "StepStats") -> list[Phase]:
        due = [ph for ph in self.game.phases
               if self.step % ph.every == 0 and self.step >= ph.start and (ph.stop is None or self.step < ph.stop)]
        judge = self.game.judge
        if self.step < self.cfg.warmup_steps:
            return [ph for ph in due if ph.player == judge]
        if self.cfg.schedule == "loser":
            # The one host read the engine makes per step, and only in this opt-in schedule: which
            # phases run depends on the judge's accuracy, and running both sides masked would double the work.
            batch = move_to_device(next(self.game.data), self.device, self.cfg.channels_last)
            with torch.no_grad(), self.precision.autocast():
                acc = torch.as_tensor(self.game.judge_accuracy(self.train_nets, batch), device=self.device).float().reshape(())
            if self.dist.enabled:  # every rank must take the same branch
                dist.all_reduce(acc)
                acc = acc / self.dist.world
            judge_lost = bool(acc < 0.5)
            stats.add("schedule/judge_accuracy", acc)
            stats.add("schedule/judge_updated", torch.tensor(float(judge_lost)))
            return [ph for ph in due if (ph.player == judge) == judge_lost]
        return due

    # ------------------------------------------------------------------ the loop

    @torch.no_grad()
    def _update_ema(self) -> None:
        """stylegan2-ada's G_ema update, with floating-point buffers (BatchNorm statistics) averaged too."""
        for name, spec in self.game.ema.items():
            per_step = spec.batch * self.dist.world
            weight = per_step
            if spec.follow_lr:  # the lr this step used (schedules step after the EMA): a Python float, no device read
                group = self.opt[self._owner[name]].param_groups[0]
                start = group.get("initial_lr", group["lr"])  # set by a scheduler; without one the rate never moves
                weight = per_step * group["lr"] / start if start else per_step
            beta = spec.beta(self.step * per_step, weight)  # host arithmetic: no device read
            src, dst = self.nets[name], self.ema[name]
            torch._foreach_lerp_(list(dst.parameters()), [p.detach() for p in src.parameters()], 1.0 - beta)
            for b_ema, b in zip(dst.buffers(), src.buffers()):
                if b.is_floating_point():
                    b_ema.lerp_(b, 1.0 - beta)
                else:  # counters such as num_batches_tracked
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
            call_hook(self.registry, "gansuite_run_start", run=self.run)
        for m in self.nets.values():
            m.train()
        stats = self.stats
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
                    for phase in self._due(stats):
                        self._phase(phase, stats)
                    self._update_ema()
                    self._sync_buffers()
                    for s in self.sched.values():
                        s.step()
                    self.step += 1
                    bar.update(1)
                    probe = self._probe() if self.game.probe and self.game.probe_every and self.step % self.game.probe_every == 0 else None
                    if probe is not None:
                        for k, v in probe.items():
                            stats.set(f"probe/{k}", float(v))
                        stopped_early = bool(self.game.stop_when and self.game.stop_when(probe))
                    final = self.step >= self.cfg.steps or stopped_early
                    if self.step % self.cfg.log_every == 0 or final:
                        now = time.perf_counter()
                        row = {"step": self.step, "time/steps_per_s": (self.step - s_log) / max(now - t_log, 1e-9)}
                        row.update(stats.read())  # the host reads the step's numbers here, once per log_every steps
                        self.nonfinite_total = stats.nonfinite_total
                        if self.nonfinite_total:
                            row["time/nonfinite_skipped"] = self.nonfinite_total
                        for name, run in stats.nonfinite_run.items():
                            if run >= self.cfg.max_nonfinite:
                                raise NonFiniteError(
                                    f"phase {name!r} produced non-finite losses or gradients {run} times in a row before step {self.step}; "
                                    "lower the learning rate, use fp32, or add gradient clipping")
                        t_log, s_log, last = now, self.step, row
                        if main:
                            log.write(row)
                            bar.set_postfix({k.replace("/loss", ""): f"{v:.3g}" for k, v in row.items() if k.endswith("/loss")}, refresh=False)
                            call_hook(self.registry, "gansuite_step_end", run=self.run, step=self.step, metrics=row)
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
            call_hook(self.registry, "gansuite_run_end", run=self.run, metrics=last)
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
            "engine": {"nonfinite_total": int(self.stats.total)},  # a checkpoint is a host read anyway
        }

    def save(self) -> Path:
        state = self.state()  # every rank takes part (RNG gather)
        path = ckpt.checkpoint_path(self.run_dir / "checkpoints", self.step)
        if self.dist.main:
            path.parent.mkdir(parents=True, exist_ok=True)
            ckpt.save(path, state)
            ckpt.prune(path.parent, self.cfg.keep_checkpoints)
            call_hook(self.registry, "gansuite_checkpoint_written", run=self.run, step=self.step, path=path)
        barrier(self.dist)
        return path

    def _resume(self) -> None:
        try:
            path, state = ckpt.load_latest(self.run_dir / "checkpoints", warn=lambda m: self.say(f"warning: {m}"))
        except UserError as e:
            raise UserError(f"--resume: {e}") from None
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
        self.stats.total = torch.tensor(self.nonfinite_total, dtype=torch.int64, device=self.device)
        self.run.step = self.step
        self.say(f"resumed from {path} at step {self.step}")


def train(app: Application, config: RunConfig, run_dir: Path, *, resume: bool = False, quiet: bool = False, registry: Any = None) -> dict[str, Any]:
    """Prepare the run directory (rank 0) and train. The Python equivalent of `gansuite train`."""
    d = from_environment()
    if d.main:
        prepare_run_dir(Path(run_dir), config, resume)
        if resume:  # the resumed config (a longer --steps, say) is the run's config from now on
            write_atomic(Path(run_dir) / CONFIG, config.to_toml())  # never a torn config: the run must stay loadable
    return Trainer(app, config, Path(run_dir), resume=resume, quiet=quiet, registry=registry).fit()
