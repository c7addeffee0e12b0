"""`gansuite demo` writes a report page whose every picture loads in headless Chromium."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from gansuite_core.cli import main

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def loaded(page: Path, tmp: Path) -> tuple[int, int]:
    """(pictures loaded, pictures on the page) as the page's own script counted them in Chromium."""
    out = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                          "--disable-background-networking", "--disable-component-update", "--disable-sync",
                          f"--user-data-dir={tmp / 'chrome-profile'}", "--allow-file-access-from-files",
                          "--virtual-time-budget=5000", "--dump-dom", page.resolve().as_uri()],
                         capture_output=True, text=True, timeout=120)
    m = re.search(r'data-images="(\d+)/(\d+)"', out.stdout)
    assert m, f"page script did not run: {out.stderr[-500:]}"
    return int(m.group(1)), int(m.group(2))


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")
def test_demo_report_pictures_load_in_chromium(toy_registry, tmp_path, capsys):
    main(["demo", "toy-gan", "--out", str(tmp_path / "demo"), "--quiet", "--device", "cpu"])
    page = tmp_path / "demo" / "index.html"
    assert page.is_file() and (tmp_path / "demo" / "results.json").is_file()
    assert loaded(page, tmp_path) == (3, 3)
    (tmp_path / "demo" / "toy-gan" / "walk.gif").unlink()  # a missing picture must be caught
    assert loaded(page, tmp_path) == (2, 3)


def test_demo_of_an_app_without_one_is_a_one_line_error(toy_registry, tmp_path, capsys):
    with pytest.raises(SystemExit) as e:
        main(["demo", "toy-three", "--out", str(tmp_path / "d")])
    assert e.value.code == 2 and "has no demo" in capsys.readouterr().err
