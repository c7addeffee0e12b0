"""The documentation stays true to the repository: the CLI reference is current, relative links resolve."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md")])

_FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.S | re.M)  # fenced code blocks
_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1", re.S)  # inline code spans
_INLINE = re.compile(r"!?\[[^\]]*\]\(\s*(<[^>]*>|[^\s)]+)(?:\s+\"[^\"]*\"|\s+'[^']*')?\s*\)")  # [text](target "title")
_REFERENCE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)", re.M)  # [id]: target
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")  # http:, https:, mailto:, ...


def relative_links(text: str) -> list[str]:
    """Link targets of a Markdown text that point at files: no URLs, no pure #anchors, anchors stripped."""
    text = _CODE.sub("", _FENCE.sub("", text))  # code is not a link, e.g. `d["x"](y)`
    out = []
    for target in _INLINE.findall(text) + _REFERENCE.findall(text):
        target = target.strip("<>")
        if not target or target.startswith("#") or _SCHEME.match(target):
            continue
        out.append(unquote(target.split("#", 1)[0].split("?", 1)[0]))
    return out


def test_link_parser_ignores_urls_anchors_and_code():
    text = ("[a](plugins.md#hooks) [b](https://x.org/y.md) [c](#top) ![d](img/p.png \"t\")\n"
            "`[e](nope.md)`\n```\n[f](nope.md)\n```\n[g]: bench/g.md\n")
    assert relative_links(text) == ["plugins.md", "img/p.png", "bench/g.md"]


def test_cli_reference_is_current():
    # A fresh process: the generator loads only the bundled plugins, which an interpreter that has
    # already built the process-wide registry (with toy2d, or test plugins) would not do.
    done = subprocess.run([sys.executable, str(ROOT / "docs" / "make_cli_reference.py"), "--check"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, (done.stderr.strip().splitlines() or ["(no message)"])[-1]


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_relative_links_resolve(page: Path):
    broken = []
    for target in relative_links(page.read_text()):
        base = ROOT if target.startswith("/") else page.parent
        if not (base / target.lstrip("/")).exists():
            broken.append(target)
    assert not broken, f"{page.relative_to(ROOT)}: links to missing files: {', '.join(broken)}"
