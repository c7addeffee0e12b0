from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
import torch

sys.path.insert(0, str(Path(__file__).parent))
torch.set_num_threads(1)  # two xdist workers on two cores


@pytest.fixture
def toy_registry():
    """A registry with the in-process toy plugins only (no entry points), installed process-wide."""
    from toyapps import toy_plugin

    from gansuite_core.plugins import build_registry, new_manager, set_registry

    pm = new_manager()
    pm.register(toy_plugin, name="toy")
    reg = build_registry(pm, entry_points=False)
    set_registry(reg)
    yield reg
    set_registry(None)


# --------------------------------------------------------------------------- shared command-line helpers


def gansuite(*args) -> int:
    """Run the `gansuite` command line in-process; returns its exit code (0 when it returns normally)."""
    from gansuite_core.cli import main

    try:
        main([str(a) for a in args])
    except SystemExit as e:
        return int(e.code or 0)
    return 0


def fails(capsys, *args) -> str:
    """Run a command that must fail as a user's mistake: exit code 2 and exactly one line on stderr, no traceback."""
    capsys.readouterr()
    code = gansuite(*args)
    err = capsys.readouterr().err.strip()
    assert code == 2, f"exit code {code}, stderr: {err}"
    assert err.startswith("gansuite: error:") and "\n" not in err and "Traceback" not in err, err
    return err


def sets(options: dict) -> list[str]:
    """{'batch': 8} -> ['--set', 'batch=8']"""
    return [a for k, v in options.items() for a in ("--set", f"{k}={v}")]


def quick(app: str, **extra) -> dict:
    """The application's own `quick` settings (Application.quick), with `extra` on top: tests never copy them."""
    from gansuite_core.plugins import build_registry

    return {**build_registry().app(app).quick, **extra}


@pytest.fixture
def only_plugin(monkeypatch):
    """only_plugin("image-generation"): load just that entry point, process-wide, for this test."""
    from gansuite_core.plugins import build_registry, set_registry

    def load(*names: str):
        monkeypatch.setenv("GANSUITE_LOAD_PLUGINS", ",".join(names))
        reg = build_registry()
        set_registry(reg)
        return reg

    yield load
    set_registry(None)
