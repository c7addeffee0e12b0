"""Data-parallel training under torchrun on the CPU (gloo): gradients are averaged, every rank ends identical."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import torch
from safetensors.torch import load_file

HERE = Path(__file__).parent


def test_torchrun_two_processes_end_identical(tmp_path):
    torchrun = shutil.which("torchrun", path=str(Path(sys.executable).parent)) or "torchrun"
    env = {**os.environ, "GANSUITE_DUMP": str(tmp_path), "OMP_NUM_THREADS": "1"}
    cmd = [torchrun, "--standalone", "--nproc_per_node", "2", str(HERE / "run_toy.py"), "train", "toy-gan",
           "--out", str(tmp_path / "run"), "--steps", "20", "--set", "r1_every=4", "--quiet"]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    a, b = load_file(str(tmp_path / "rank0.safetensors")), load_file(str(tmp_path / "rank1.safetensors"))
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    # rank 0 alone wrote the run: one final checkpoint, no temporary files left
    assert sorted(p.name for p in (tmp_path / "run" / "checkpoints").iterdir()) == ["step-00000020.safetensors"]
    # the all-reduce averages: each rank receives the mean of the two ranks' own gradients (a sum would be twice it)
    g0, g1 = load_file(str(tmp_path / "grads-rank0.safetensors")), load_file(str(tmp_path / "grads-rank1.safetensors"))
    befores = [k for k in g0 if k.startswith("before.")]
    assert befores and any(not torch.equal(g0[k], g1[k]) for k in befores), "the ranks should see different data"
    for k in befores:
        mean = (g0[k] + g1[k]) / 2
        after = k.replace("before.", "after.")
        torch.testing.assert_close(g0[after], mean)
        torch.testing.assert_close(g1[after], mean)
