"""The plugin door: entry points loaded one by one, broken plugins reported and skipped."""
from __future__ import annotations

import json
import sys
from importlib import metadata
from pathlib import Path

import pytest

from gansuite_core.cli import main
from gansuite_core.plugins import build_registry, describe, new_manager, set_registry

sys.path.insert(0, str(Path(__file__).parent / "fake_plugins"))

FAKE = {
    "good": "good_plugin",
    "broken-import": "import_error_plugin",
    "broken-register": "register_error_plugin",
    "typo": "typo_hook_plugin",
}


@pytest.fixture
def fake_entry_points(monkeypatch):
    eps = [metadata.EntryPoint(name, module, "gansuite") for name, module in FAKE.items()]
    real = metadata.entry_points

    def entry_points(**kw):
        return eps if kw.get("group") == "gansuite" else real(**kw)

    monkeypatch.setattr(metadata, "entry_points", entry_points)
    monkeypatch.delenv("GANSUITE_LOAD_PLUGINS", raising=False)
    monkeypatch.delenv("GANSUITE_STRICT_PLUGINS", raising=False)
    yield
    set_registry(None)


def test_broken_plugins_are_reported_and_skipped(fake_entry_points, capsys):
    reg = build_registry()
    assert set(reg.apps) == {"good-app"}
    failed = {f.plugin: f for f in reg.failures}
    assert set(failed) == {"broken-import", "broken-register", "typo"}
    assert "a_module_that_does_not_exist" in failed["broken-import"].error
    assert "my registration is broken" in failed["broken-register"].error
    assert "gansuite_register_aps" in failed["typo"].error
    err = capsys.readouterr().err
    assert err.count("warning: plugin") == 3
    rows = {r["name"]: r for r in describe(reg)}
    assert rows["good"]["apps"] == ["good-app"] and "gansuite_register_apps" in rows["good"]["hooks"]
    assert rows["broken-import"]["error"].startswith("import: ") and rows["broken-register"]["error"].startswith("register: ")


def test_cli_keeps_working_and_lists_failures(fake_entry_points, capsys):
    set_registry(None)
    main(["plugins", "--json"])
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["good"]["error"] is None and rows["broken-import"]["error"].startswith("import")
    set_registry(None)
    main(["hello-good"])
    assert "hello from good" in capsys.readouterr().out


def test_strict_mode_makes_a_broken_plugin_fatal(fake_entry_points, monkeypatch):
    monkeypatch.setenv("GANSUITE_STRICT_PLUGINS", "1")
    with pytest.raises(RuntimeError, match="broken-import"):
        build_registry()


def test_load_only_the_named_plugins(fake_entry_points, monkeypatch):
    monkeypatch.setenv("GANSUITE_LOAD_PLUGINS", "good")
    reg = build_registry()
    assert set(reg.apps) == {"good-app"} and reg.failures == []
    monkeypatch.setenv("GANSUITE_LOAD_PLUGINS", "")
    assert build_registry().apps == {}


def test_duplicate_application_name_is_reported(capsys):
    from toyapps import ToyPlugin

    pm = new_manager()
    pm.register(ToyPlugin(), name="first")
    pm.register(ToyPlugin(), name="second")
    reg = build_registry(pm, entry_points=False)
    assert {a.plugin for a in reg.apps.values()} == {"second"} or {a.plugin for a in reg.apps.values()} == {"first"}
    assert any("already registered" in f.error for f in reg.failures)


def test_bad_application_config_is_rejected_at_registration():
    from dataclasses import dataclass

    from gansuite_core import Application, hookimpl

    @dataclass(frozen=True)
    class Clash:
        steps: int = 3  # shadows a core option

    class P:
        @hookimpl
        def gansuite_register_apps(self, register):
            register(Application("clash", "x", Clash, dict, dict))

    pm = new_manager()
    pm.register(P(), name="p")
    reg = build_registry(pm, entry_points=False)
    assert not reg.apps and "shadow core options" in reg.failures[0].error
