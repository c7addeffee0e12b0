"""Checkpoints: round trip of nested state, atomic writes, and refusal of broken or hostile files."""
from __future__ import annotations

import json
import os
import pickle
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from gansuite_core import UserError, checkpoint as ckpt, write_atomic
from gansuite_core.files import write_with

HERE = Path(__file__).parent


def test_round_trip_of_optimizer_scheduler_and_rng_state(tmp_path):
    net = torch.nn.Linear(3, 2)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3, betas=(0.5, 0.9))
    net(torch.randn(4, 3)).sum().backward()
    opt.step()
    sched = torch.optim.lr_scheduler.StepLR(opt, 3, 0.5)
    state = {"opt": opt.state_dict(), "sched": sched.state_dict(), "rng": ckpt.rng_state(), "t": (1, "a", None), "nested": {3: [1.5, True]}}
    a = (random.random(), np.random.rand(), torch.rand(1))
    ckpt.save(tmp_path / "c.safetensors", state)
    back = ckpt.load(tmp_path / "c.safetensors")
    assert back["t"] == (1, "a", None) and back["nested"] == {3: [1.5, True]}
    opt2 = torch.optim.Adam(torch.nn.Linear(3, 2).parameters())
    opt2.load_state_dict(back["opt"])
    assert opt2.param_groups[0]["betas"] == (0.5, 0.9)
    assert torch.equal(opt2.state[opt2.param_groups[0]["params"][0]]["exp_avg"], opt.state[net.weight]["exp_avg"])
    ckpt.set_rng_state(back["rng"])
    b = (random.random(), np.random.rand(), torch.rand(1))
    assert a[0] == b[0] and a[1] == b[1] and torch.equal(a[2], b[2])


def test_truncated_and_foreign_files_are_one_line_errors(tmp_path):
    ckpt.save(tmp_path / "good.safetensors", {"w": torch.ones(1000)})
    data = (tmp_path / "good.safetensors").read_bytes()
    (tmp_path / "cut.safetensors").write_bytes(data[: len(data) // 2])
    with pytest.raises(UserError, match="unreadable or truncated"):
        ckpt.load(tmp_path / "cut.safetensors")
    (tmp_path / "junk.safetensors").write_bytes(b"\x00" * 100)
    with pytest.raises(UserError, match="junk.safetensors"):
        ckpt.load(tmp_path / "junk.safetensors")


def test_write_atomic_keeps_the_old_file_when_the_writer_fails(tmp_path):
    target = tmp_path / "eval.json"
    write_atomic(target, '{"old": 1}')

    def half_then_fail(tmp: Path) -> None:
        tmp.write_text('{"new": ')
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_with(target, half_then_fail)
    assert target.read_text() == '{"old": 1}'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["eval.json"]  # no temporary left behind
    assert write_atomic(target, b"\x00\x01").read_bytes() == b"\x00\x01"


def test_a_killed_writer_never_leaves_a_torn_file(tmp_path):
    # The child rewrites a 4 MB report in a loop; freezing it at 20 random moments shows the file as a
    # kill would leave it. A plain write_text here was torn at 4 of 5 kills when this test was written.
    target = tmp_path / "report.json"
    write_atomic(target, json.dumps({"pad": "x" * 4_000_000}))
    child = subprocess.Popen([sys.executable, "-c", (
        "import sys\nfrom gansuite_core import write_atomic\npayload = '{\"pad\": \"' + 'x' * 4_000_000 + '\"}'\n"
        "print('ready', flush=True)\nwhile True:\n    write_atomic(sys.argv[1], payload)\n"), str(target)], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "ready"
        rng = random.Random(0)
        for _ in range(20):
            time.sleep(rng.uniform(0.01, 0.1))
            child.send_signal(signal.SIGSTOP)
            assert len(json.loads(target.read_text())["pad"]) == 4_000_000  # the old file or a new one, never half of one
            child.send_signal(signal.SIGCONT)
    finally:
        child.kill()
        child.wait()


class Boom:
    def __reduce__(self):
        return (os.system, ("touch " + str(Path(os.environ["BOOM_MARK"])),))


def test_a_pickle_is_never_unpickled(tmp_path, monkeypatch):
    mark = tmp_path / "pwned"
    monkeypatch.setenv("BOOM_MARK", str(mark))
    hostile = tmp_path / "step-00000010.safetensors"
    hostile.write_bytes(pickle.dumps({"state": Boom()}))
    torch.save({"x": Boom()}, tmp_path / "torch.pt")
    for path in (hostile, tmp_path / "torch.pt"):
        with pytest.raises(UserError):
            ckpt.load(path)
    assert not mark.exists()


def test_sigkill_mid_run_then_resume_equals_the_uninterrupted_run(tmp_path):
    """A real kill -9 after a checkpoint: no torn file, and the resumed run ends bit-identical."""
    base = [sys.executable, str(HERE / "run_toy.py"), "train", "toy-gan", "--quiet", "--set", "checkpoint_every=10", "--set", "hidden=128", "--set", "batch=256"]
    full = tmp_path / "full"
    subprocess.run(base + ["--out", str(full), "--steps", "80"], check=True, timeout=300)
    part = tmp_path / "part"
    proc = subprocess.Popen(base + ["--out", str(part), "--steps", "80"])
    deadline = time.time() + 240
    while time.time() < deadline and len(ckpt.list_checkpoints(part / "checkpoints")) < 2:
        time.sleep(0.05)
    assert proc.poll() is None, "the run ended before it could be killed"
    proc.send_signal(signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL, "the run was not killed by the signal"
    found = ckpt.list_checkpoints(part / "checkpoints")
    assert found and found[-1][0] < 80, "the run should have been killed before its end"
    for _, p in found:
        ckpt.load(p)  # every checkpoint left behind is whole
    subprocess.run(base[:4] + ["--quiet", "--out", str(part), "--resume"], check=True, timeout=300)
    a = ckpt.load(ckpt.list_checkpoints(full / "checkpoints")[-1][1])
    b = ckpt.load(ckpt.list_checkpoints(part / "checkpoints")[-1][1])
    assert a["step"] == b["step"] == 80
    for group in ("nets", "ema", "optim"):
        fa, fb = {}, {}
        ckpt.flatten(a[group], "x", fa)
        ckpt.flatten(b[group], "x", fb)
        assert fa.keys() == fb.keys() and all(torch.equal(fa[k], fb[k]) for k in fa), group


def test_an_unreadable_newest_checkpoint_falls_back_to_the_previous_one(toy_registry, tmp_path, capsys):
    from gansuite_core import load_run, train_app

    train_app("toy-gan", tmp_path / "r", quiet=True, steps=20, checkpoint_every=10)
    newest = ckpt.list_checkpoints(tmp_path / "r" / "checkpoints")[-1][1]
    newest.write_bytes(newest.read_bytes()[:100])  # a copy cut short
    assert load_run(tmp_path / "r").step == 10
    assert "unreadable or truncated" in capsys.readouterr().err
    train_app("toy-gan", tmp_path / "r", quiet=True, resume=True, steps=30)
    assert load_run(tmp_path / "r").step == 30
