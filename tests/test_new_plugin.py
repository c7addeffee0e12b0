"""`gansuite new-plugin NAME`: the package it writes has the agreed layout, installs, is found, and
passes its own command-line tests (listed, learns, resumes exactly, one-line errors, its command,
`gansuite check-plugin`)."""
from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from gansuite_core import UserError
from gansuite_core.scaffold import write_plugin

ROOT = Path(__file__).resolve().parents[1]
CHECK_LAYOUT = Path("/work/shared/tools/check_layout.py")
MODULES = ["__init__.py", "commands.py", "config.py", "data.py", "demo.py", "evaluation.py", "game.py", "generate.py",
           "losses.py", "models.py", "pictures.py", "plugin.py"]
PUBLIC = {"gansuite_core", "gansuite_core.metrics", "gansuite_core.pictures"}
PLUGIN_TESTS = 11  # tests the generated tests/test_plugin.py holds, parametrised cases counted: all must run and pass


def test_writes_the_agreed_layout(tmp_path):
    folder = write_plugin("my-gan", tmp_path)
    assert folder == tmp_path / "gansuite-my-gan"
    files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    assert files == sorted(["README.md", "pyproject.toml", "tests/test_plugin.py", *(f"gansuite_my_gan/{m}" for m in MODULES)])
    meta = tomllib.loads((folder / "pyproject.toml").read_text())
    assert meta["project"]["name"] == "gansuite-my-gan"
    assert meta["project"]["entry-points"]["gansuite"] == {"my-gan": "gansuite_my_gan.plugin"}
    for path in folder.rglob("*"):
        if path.is_file():
            assert not re.search(r"__(NAME|DIST|MODULE|CLASS)__", path.read_text()), f"{path}: placeholder left"
    for path in (folder / "gansuite_my_gan").glob("*.py"):
        tree = ast.parse(path.read_text())  # also: it is valid Python
        imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level == 0 and n.module}
        imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        private = sorted(m for m in imported if m.startswith("gansuite_core") and m not in PUBLIC)
        assert not private, f"{path.name} imports {private}: a plugin uses only gansuite_core's public API"
        if path.name == "plugin.py":  # registration only: the hooks and nothing else defined here
            defs = [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
            assert defs == ["gansuite_register_apps", "gansuite_register_commands"], defs
    assert "class MyGanConfig" in (folder / "gansuite_my_gan" / "config.py").read_text()
    ast.parse((folder / "tests" / "test_plugin.py").read_text())


@pytest.mark.skipif(not CHECK_LAYOUT.is_file(), reason="the shared layout checker is not on this machine")
def test_passes_the_layout_checker(tmp_path):
    folder = write_plugin("layout-probe", tmp_path)
    out = subprocess.run([sys.executable, str(CHECK_LAYOUT), str(folder)], cwd=ROOT, capture_output=True, text=True)
    mine = [line for line in out.stdout.splitlines() if str(folder) in line]
    assert not mine, mine
    assert "plugin packages checked" in out.stdout, out.stdout + out.stderr


@pytest.mark.parametrize("name, message", [
    ("My Plugin", "lowercase name"),
    ("9lives", "lowercase name"),
    ("a--b", "lowercase name"),
    ("gansuite-foo", "without the 'gansuite-' prefix"),
    ("image-generation", "already"),  # a bundled plugin: its module gansuite_image_generation exists
])
def test_bad_names(tmp_path, name, message):
    with pytest.raises(UserError, match=message):
        write_plugin(name, tmp_path)
    assert not any(tmp_path.iterdir())


def test_refuses_a_non_empty_folder(tmp_path):
    (tmp_path / "gansuite-taken").mkdir()
    (tmp_path / "gansuite-taken" / "notes.txt").write_text("mine")
    with pytest.raises(UserError, match="not empty"):
        write_plugin("taken", tmp_path)
    assert [p.name for p in (tmp_path / "gansuite-taken").iterdir()] == ["notes.txt"]
    (tmp_path / "gansuite-empty").mkdir()
    assert write_plugin("empty", tmp_path) == tmp_path / "gansuite-empty"  # an empty folder is fine


def test_generated_package_passes_its_own_tests(tmp_path):
    """`gansuite new-plugin` on the command line, then install the package into a private --target folder
    (never the venv: no stale site-packages state between runs) and run the package's own pytest against it."""
    env = {**os.environ, "GANSUITE_LOAD_PLUGINS": "", "OMP_NUM_THREADS": "1"}
    cmd = [sys.executable, "-m", "gansuite_core", "new-plugin", "scaffold-check", "--dir", str(tmp_path)]
    made = subprocess.run(cmd, capture_output=True, text=True, env=env)
    assert made.returncode == 0, made.stderr
    folder = tmp_path / "gansuite-scaffold-check"
    assert f"created {folder}" in made.stdout and (folder / "gansuite_scaffold_check" / "plugin.py").is_file()

    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "--target", str(site), str(folder)],
                   check=True, capture_output=True)
    env = {**os.environ, "OMP_NUM_THREADS": "1",
           "PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
    for key in ("GANSUITE_LOAD_PLUGINS", "GANSUITE_NO_ENTRY_POINTS", "PYTEST_ADDOPTS", "PYTEST_XDIST_WORKER"):
        env.pop(key, None)
    tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], cwd=folder,
                           capture_output=True, text=True, env=env)
    assert tests.returncode == 0, tests.stdout[-4000:] + tests.stderr[-2000:]
    assert re.search(rf"\b{PLUGIN_TESTS} passed\b", tests.stdout) and "skipped" not in tests.stdout, tests.stdout[-2000:]
