"""`gansuite new-plugin NAME`: the package it writes installs, is found, and passes its own tests."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from gansuite_core import UserError
from gansuite_core.scaffold import write_plugin


def test_writes_an_installable_package(tmp_path):
    folder = write_plugin("my-gan", tmp_path)
    assert folder == tmp_path / "my-gan"
    files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    assert files == ["README.md", "my_gan/__init__.py", "my_gan/plugin.py", "pyproject.toml", "tests/test_plugin.py"]
    meta = tomllib.loads((folder / "pyproject.toml").read_text())
    assert meta["project"]["name"] == "my-gan"
    assert meta["project"]["entry-points"]["gansuite"] == {"my-gan": "my_gan.plugin"}
    source = (folder / "my_gan" / "plugin.py").read_text()
    assert "class MyGanConfig" in source and "$" not in source
    compile(source, "plugin.py", "exec")
    compile((folder / "tests" / "test_plugin.py").read_text(), "test_plugin.py", "exec")


@pytest.mark.parametrize("name, message", [
    ("My Plugin", "lowercase name"),
    ("9lives", "lowercase name"),
    ("a--b", "lowercase name"),
    ("gansuite_core", "already exists"),
    ("json", "already exists"),
])
def test_bad_names(tmp_path, name, message):
    with pytest.raises(UserError, match=message):
        write_plugin(name, tmp_path)


def test_refuses_a_non_empty_folder(tmp_path):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "notes.txt").write_text("mine")
    with pytest.raises(UserError, match="not empty"):
        write_plugin("taken", tmp_path)
    assert (tmp_path / "taken" / "notes.txt").read_text() == "mine"
    (tmp_path / "empty").mkdir()
    assert write_plugin("empty", tmp_path) == tmp_path / "empty"  # an empty folder is fine


def test_cli_command_and_one_line_errors(tmp_path):
    env = {**os.environ, "GANSUITE_LOAD_PLUGINS": ""}
    cmd = [sys.executable, "-m", "gansuite_core", "new-plugin"]
    out = subprocess.run(cmd + ["cli-made", "--dir", str(tmp_path)], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    assert f"created {tmp_path / 'cli-made'}" in out.stdout
    assert (tmp_path / "cli-made" / "cli_made" / "plugin.py").is_file()
    again = subprocess.run(cmd + ["cli-made", "--dir", str(tmp_path)], capture_output=True, text=True, env=env)
    assert again.returncode == 2
    assert again.stderr.strip().startswith("gansuite: error: new-plugin:") and len(again.stderr.strip().splitlines()) == 1


def test_generated_package_passes_its_own_tests(tmp_path):
    """Generate, install into a private --target folder, then run the package's pytest against it."""
    folder = write_plugin("scaffold-check", tmp_path)
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "--target", str(site), str(folder)],
                   check=True, capture_output=True)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
    env.pop("GANSUITE_LOAD_PLUGINS", None)

    listed = subprocess.run([sys.executable, "-m", "gansuite_core", "plugins", "--json"], capture_output=True, text=True,
                            env={**env, "GANSUITE_LOAD_PLUGINS": "scaffold-check"}, check=True)
    (row,) = json.loads(listed.stdout)
    assert (row["name"], row["version"], row["apps"], row["error"]) == ("scaffold-check", "0.1.0", ["scaffold-check"], None)

    tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], cwd=folder,
                           capture_output=True, text=True, env=env)
    assert tests.returncode == 0, tests.stdout[-3000:] + tests.stderr[-2000:]
    assert "3 passed" in tests.stdout
