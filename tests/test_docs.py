"""The documentation stays true to the repository: the CLI reference is current, relative links and their #anchors resolve."""
from __future__ import annotations

import re
import subprocess
import sys
import unicodedata
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


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: its text lowercased, punctuation and symbols dropped, spaces to '-'."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).replace("`", "").strip().lower()  # [t](u) -> t
    return "".join(c if c in "-_" or unicodedata.category(c)[0] in "LN" else "-" if c == " " else "" for c in text)


def anchors(page: Path) -> set[str]:
    """Every anchor a page's headings make (a repeated heading gets -1, -2, ... as on GitHub)."""
    out: set[str] = set()
    count: dict[str, int] = {}
    for line in _FENCE.sub("", page.read_text()).splitlines():
        if m := re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line):
            base = slug(m.group(1))
            n = count[base] = count.get(base, -1) + 1
            out.add(base if n == 0 else f"{base}-{n}")
    return out


def broken_anchors(page: Path) -> list[str]:
    """Links of a page to #anchors (its own or another page's) that no heading there makes."""
    text = _CODE.sub("", _FENCE.sub("", page.read_text()))
    broken = []
    for target in (t.strip("<>") for t in _INLINE.findall(text) + _REFERENCE.findall(text)):
        if "#" not in target or _SCHEME.match(target):
            continue
        path, anchor = target.split("#", 1)
        where = page if not path else page.parent / unquote(path)
        if where.suffix == ".md" and where.exists() and unquote(anchor) not in anchors(where):
            broken.append(target)
    return broken


def test_slug_matches_github():
    assert slug("toy2d: two D updates per step early, 6,000 steps (2026-12-03, stop 28)") == \
        "toy2d-two-d-updates-per-step-early-6000-steps-2026-12-03-stop-28"
    assert slug("The default since 2026-12-03: `shift_predict_support=2` × 4 → σ") == "the-default-since-2026-12-03-shift_predict_support2--4--σ"


def test_anchor_check_catches_a_missing_heading(tmp_path: Path):
    (tmp_path / "b.md").write_text("# B page\n## Results (2026)\n## Results (2026)\n```\n# not a heading\n```\n")
    (tmp_path / "a.md").write_text("# A\n[ok](b.md#results-2026) [twice](b.md#results-2026-1) [self](#a) "
                                   "[gone](b.md#results) [code](b.md#not-a-heading) `[x](b.md#nope)`\n")
    assert broken_anchors(tmp_path / "a.md") == ["b.md#results", "b.md#not-a-heading"]


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_anchors_resolve(page: Path):
    broken = broken_anchors(page)
    assert not broken, f"{page.relative_to(ROOT)}: links to missing headings: {', '.join(broken)}"
