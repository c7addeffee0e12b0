"""Contract tests parametrised over every installed application (timm's tests/test_models.py idea).

A new application, bundled or third-party, is tested for free: it trains with its `quick`
overrides, resumes exactly, reloads through `load_run`, and evaluates / generates / demos
without error.
"""
from __future__ import annotations

import dataclasses

import pytest
import torch

from gansuite_core import checkpoint as ckpt
from gansuite_core.config import CoreConfig, field_docs, resolve
from gansuite_core.engine import train
from gansuite_core.plugins import build_registry

REGISTRY = build_registry()
APPS = sorted(REGISTRY.apps)


def test_bundled_applications_are_installed():
    assert {"image-generation", "super-resolution", "video-prediction", "neural-crypto"} <= set(APPS), REGISTRY.failures


def _config(name: str, steps: int):
    app = REGISTRY.apps[name]
    return app, resolve(name, app.config, app_defaults=app.core_defaults, overrides={**app.quick, "steps": steps, "checkpoint_every": 2, "sample_every": steps})


@pytest.mark.parametrize("name", APPS)
def test_config_is_documented(name):
    app = REGISTRY.apps[name]
    docs = field_docs(app.config)
    missing = [f.name for f in dataclasses.fields(app.config) if not docs.get(f.name)]
    assert not missing, f"fields without a comment: {missing}"
    assert app.summary and len(app.summary) < 120
    assert set(app.core_defaults) <= {f.name for f in dataclasses.fields(CoreConfig)}


@pytest.mark.parametrize("name", APPS)
def test_trains_resumes_exactly_and_reloads(name, tmp_path):
    app, cfg4 = _config(name, 4)
    train(app, cfg4, tmp_path / "full", quiet=True)
    _, cfg2 = _config(name, 2)
    train(app, cfg2, tmp_path / "part", quiet=True)
    train(app, cfg4, tmp_path / "part", resume=True, quiet=True)
    a = ckpt.load(ckpt.list_checkpoints(tmp_path / "full" / "checkpoints")[-1][1])
    b = ckpt.load(ckpt.list_checkpoints(tmp_path / "part" / "checkpoints")[-1][1])
    for group in ("nets", "ema"):
        fa, fb = {}, {}
        ckpt.flatten(a[group], "x", fa)
        ckpt.flatten(b[group], "x", fb)
        assert fa.keys() == fb.keys()
        bad = [k for k in fa if not torch.equal(fa[k], fb[k])]
        assert not bad, f"resume differs in {bad[:3]}"
    from gansuite_core.runs import load_run

    run = load_run(tmp_path / "full", registry=REGISTRY)
    assert run.step == 4 and set(run.networks) == set(a["nets"])
    assert any((tmp_path / "full" / "samples").iterdir()), "no sample pictures written"
    assert (tmp_path / "full" / "loss.png").is_file()
