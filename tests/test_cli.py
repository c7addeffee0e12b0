"""The command line: one-line errors with exit code 2 for users' mistakes, help, run management."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gansuite_core import UserError, train_app
from gansuite_core.cli import main

HERE = Path(__file__).parent


def cli(capsys, *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as e:
        code = e.code or 0
    out = capsys.readouterr()
    return code, out.out, out.err


def one_line_error(code: int, err: str, *needles: str) -> None:
    assert code == 2, err
    lines = [line for line in err.strip().splitlines() if line.startswith("gansuite: error")]
    assert len(lines) == 1 and "Traceback" not in err, err
    for n in needles:
        assert n in lines[0], lines[0]


def test_apps_and_train_help_list_every_option_with_default(toy_registry, capsys):
    code, out, _ = cli(capsys, "apps")
    assert code == 0 and "toy-gan" in out and "toy-three" in out
    code, out, _ = cli(capsys, "train", "toy-gan", "--help")
    assert code == 0
    for text in ("hidden = 32", "hidden units of G and D", "steps = 60", "precision = 'fp32'", "fp32 | bf16 | fp16", "--resume", "--set KEY=VALUE"):
        assert text in out, text


@pytest.mark.parametrize("args, needles", [
    (["train", "no-such-app"], ["unknown application 'no-such-app'", "toy-gan"]),
    (["train", "toy-gan", "--set", "hiden=3"], ["unknown key 'hiden'", "did you mean 'hidden'"]),
    (["train", "toy-gan", "--set", "hidden=many"], ["option 'hidden'", "expected int"]),
    (["train", "toy-gan", "--set", "precision=fp8"], ["option 'precision'", "fp32 | bf16 | fp16"]),
    (["train", "toy-gan", "--set", "hidden"], ["expected key=value"]),
    (["train", "toy-gan", "--device", "tpu"], ["--device 'tpu'", "expected auto, cpu, cuda"]),
    (["train", "toy-gan", "--device", "cuda:3"], ["--device cuda:3"]),
    (["train", "toy-gan", "--precision", "fp16", "--device", "cpu"], ["fp16 needs a GPU"]),
    (["evaluate", "/nonexistent/run"], ["/nonexistent/run"]),
    (["train", "toy-gan", "--steps", "-5"], ["steps = -5", "expected an integer >= 0"]),
    (["train", "toy-gan", "--set", "log_every=0"], ["log_every = 0", ">= 1"]),
])
def test_user_mistakes_are_one_line_errors(toy_registry, capsys, tmp_path, args, needles):
    if args[0] == "train":
        args = args + ["--out", str(tmp_path / "r"), "--quiet"]
    code, _, err = cli(capsys, *args)
    one_line_error(code, err, *needles)


def test_run_directory_mistakes(toy_registry, capsys, tmp_path):
    one_line_error(*cli(capsys, "train", "toy-gan", "--out", str(tmp_path / "none"), "--resume")[::2], "not a run directory")
    code, _, _ = cli(capsys, "train", "toy-gan", "--out", str(tmp_path / "r"), "--steps", "5", "--quiet")
    assert code == 0
    one_line_error(*cli(capsys, "train", "toy-gan", "--out", str(tmp_path / "r"), "--quiet")[::2], "already holds a run", "--resume")
    one_line_error(*cli(capsys, "train", "toy-three", "--out", str(tmp_path / "r"), "--resume")[::2], "is a run of 'toy-gan'")
    one_line_error(*cli(capsys, "train", "toy-gan", "--out", str(tmp_path / "r"), "--resume", "--set", "hidden=3")[::2], "cannot change hidden")
    with pytest.raises(UserError, match="cannot change hidden"):  # the Python API refuses the same
        train_app("toy-gan", tmp_path / "r", quiet=True, resume=True, hidden=3)
    (tmp_path / "other.toml").write_text('app = "toy-three"\n[app_options]\nbits = 4\n')
    one_line_error(*cli(capsys, "train", "toy-gan", "--config", str(tmp_path / "other.toml"), "--out", str(tmp_path / "x"))[::2], "config for application 'toy-three'")
    (tmp_path / "empty").mkdir()
    one_line_error(*cli(capsys, "train", "toy-gan", "--out", str(tmp_path / "empty"), "--resume")[::2], "not a run directory")
    (tmp_path / "empty" / "config.toml").write_text('app = "toy-gan"\n')
    one_line_error(*cli(capsys, "train", "toy-gan", "--out", str(tmp_path / "empty"), "--resume")[::2], "no checkpoint")
    code, _, _ = cli(capsys, "train", "toy-gan", "--out", str(tmp_path / "r"), "--resume", "--steps", "10", "--quiet")
    assert code == 0


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_unwritable_out(toy_registry, capsys, tmp_path):
    (tmp_path / "ro").mkdir(mode=0o500)
    one_line_error(*cli(capsys, "train", "toy-gan", "--out", str(tmp_path / "ro" / "r"))[::2], "cannot write")


def test_unwritable_out_as_a_file_in_the_way(toy_registry, capsys, tmp_path):
    (tmp_path / "file").write_text("")
    one_line_error(*cli(capsys, "train", "toy-gan", "--out", str(tmp_path / "file" / "r"), "--quiet")[::2], "cannot write")


def test_config_file_and_set_override_order(toy_registry, capsys, tmp_path):
    (tmp_path / "c.toml").write_text('app = "toy-gan"\n[core]\nsteps = 7\nseed = 3\n[app_options]\nhidden = 16\nlr = 0.001\n')
    code, _, err = cli(capsys, "train", "toy-gan", "--config", str(tmp_path / "c.toml"), "--set", "hidden=8", "--seed", "4", "--out", str(tmp_path / "r"), "--quiet")
    assert code == 0, err
    text = (tmp_path / "r" / "config.toml").read_text()
    assert "steps = 7" in text and "seed = 4" in text and "hidden = 8" in text and "lr = 0.001" in text


def test_evaluate_and_generate_on_an_app_without_them(toy_registry, capsys, tmp_path):
    assert cli(capsys, "train", "toy-three", "--out", str(tmp_path / "r"), "--steps", "3", "--quiet")[0] == 0
    one_line_error(*cli(capsys, "evaluate", str(tmp_path / "r"))[::2], "has no evaluation")
    one_line_error(*cli(capsys, "generate", str(tmp_path / "r"), "--out", str(tmp_path / "x.png"))[::2], "does not generate")
    one_line_error(*cli(capsys, "generate", str(tmp_path / "r"), "--out", str(tmp_path / "x.png"), "--set", "a=1")[::2], "does not generate")


def test_generate_options_reach_the_application_and_out_folders_are_created(toy_registry, capsys, tmp_path):
    import numpy as np

    assert cli(capsys, "train", "toy-gan", "--out", str(tmp_path / "r"), "--steps", "3", "--quiet")[0] == 0
    code, out, err = cli(capsys, "generate", str(tmp_path / "r"), "--num", "5", "--out", str(tmp_path / "new" / "deeper" / "a.npy"))
    assert code == 0, err
    a = np.load(tmp_path / "new" / "deeper" / "a.npy")
    assert cli(capsys, "generate", str(tmp_path / "r"), "--num", "5", "--out", str(tmp_path / "b.npy"), "--set", "scale=2")[0] == 0
    assert a.shape == (5, 2) and np.allclose(np.load(tmp_path / "b.npy"), 2 * a, atol=1e-6)
    one_line_error(*cli(capsys, "generate", str(tmp_path / "r"), "--out", str(tmp_path / "c.npy"), "--set", "scal=2")[::2],
                   "unknown key 'scal'", "did you mean 'scale'")
    one_line_error(*cli(capsys, "generate", str(tmp_path / "r"), "--out", str(tmp_path / "c.png"))[::2], "--out", "writes .npy")
    code, out, _ = cli(capsys, "generate-options", "toy-gan")
    assert code == 0 and "scale = 1.0" in out and "multiplies every sample" in out and ".npy" in out


def test_python_dash_m_and_console_script_run():
    env = {**os.environ, "GANSUITE_LOAD_PLUGINS": ""}
    out = subprocess.run([sys.executable, "-m", "gansuite_core", "plugins", "--json"], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0 and json.loads(out.stdout) == []
    exe = Path(sys.executable).parent / "gansuite"
    out = subprocess.run([str(exe), "--help"], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0 and "train" in out.stdout


def test_interrupt_writes_a_checkpoint_and_exits_130(tmp_path):
    import signal
    import time

    from gansuite_core import checkpoint as ckpt

    proc = subprocess.Popen([sys.executable, str(HERE / "run_toy.py"), "train", "toy-gan", "--out", str(tmp_path / "r"), "--steps", "100000",
                             "--set", "checkpoint_every=0", "--set", "log_every=1", "--quiet"], stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while time.time() < deadline and not (tmp_path / "r" / "metrics.jsonl").exists():
        time.sleep(0.1)
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "continue with --resume" in err and "Traceback" not in err
    (step, _), = ckpt.list_checkpoints(tmp_path / "r" / "checkpoints")
    assert 0 < step < 100000


def test_check_plugin_passes_a_good_application_and_names_a_failing_check(toy_registry, capsys, tmp_path):
    code, out, err = cli(capsys, "check-plugin", "toy-gan", "--out", str(tmp_path / "ok"))
    assert code == 0, out + err
    lines = out.strip().splitlines()
    assert [line.split()[1] for line in lines] == ["train", "resume", "reload", "evaluate", "generate", "demo", "errors"]
    assert all(line.startswith("ok") for line in lines), out
    assert "no evaluation (skipped)" in out and "tensors equal" in out

    import dataclasses

    from toyapps import gan_generate

    def lying_generate(run, req):  # claims a file it never wrote
        gan_generate(run, req)
        return [req.out.with_name("missing.npy")]

    toy_registry.apps["toy-gan"] = dataclasses.replace(toy_registry.apps["toy-gan"], generate=lying_generate)
    code, out, err = cli(capsys, "check-plugin", "toy-gan", "--out", str(tmp_path / "bad"))
    one_line_error(code, err, "check-plugin toy-gan: failed: generate")
    assert any(line.startswith("FAIL") and "generate" in line and "missing" in line for line in out.splitlines()), out
