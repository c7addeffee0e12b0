"""`gansuite demo`: each bundled application briefly on embedded data, and one HTML report page."""
from __future__ import annotations

import html
import json
import sys
import time
from pathlib import Path

from typing import Any

from .app import DemoRequest, DemoResult
from .devices import resolve_device
from .errors import UserError
from .files import write_atomic


def run_demos(reg: Any, names: list[str], out: Path, device: str = "auto", quiet: bool = False) -> Path:
    """Run the demos of `names` (all that have one, alphabetically, when empty); return the report page's path."""
    if names:
        for n in names:
            if reg.app(n).demo is None:
                raise UserError(f"application {n!r} has no demo")
    else:
        names = sorted(a.name for a in reg.apps.values() if a.demo)
        if not names:
            raise UserError("no installed application has a demo")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise UserError(f"--out {out}: cannot create it ({e.strerror or e})") from None
    dev, said = resolve_device(device)
    if not quiet:
        print(f"gansuite: {said}", file=sys.stderr)
    results: list[tuple[str, DemoResult, float]] = []
    for i, name in enumerate(names, 1):
        app = reg.app(name)
        if not quiet:
            print(f"\n=== demo {i}/{len(names)}: {name} — {app.summary}", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        (out / name).mkdir(parents=True, exist_ok=True)
        result = app.demo(DemoRequest(out / name, dev, app=app, quiet=quiet, registry=reg))
        seconds = time.perf_counter() - t0
        results.append((name, result, seconds))
        if not quiet:
            print(f"=== {name}: done in {seconds:.0f} s — {result.text}", file=sys.stderr, flush=True)
    return write_report(out, results)


def write_report(out: Path, results: list[tuple[str, DemoResult, float]]) -> Path:
    sections, summary = [], {}
    for name, r, seconds in results:
        pics = "\n".join(
            f'<figure><img src="{html.escape(str(p.relative_to(out)))}" alt="{html.escape(p.stem)}"><figcaption>{html.escape(p.name)}</figcaption></figure>'
            for p in r.pictures)
        rows = "\n".join(f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(_fmt(v))}</td></tr>" for k, v in r.numbers.items())
        sections.append(f"""<section id="{html.escape(name)}">
<h2>{html.escape(r.title)}</h2>
<p>{html.escape(r.text)} <em>({seconds:.0f} s)</em></p>
<div class="pics">{pics}</div>
<table>{rows}</table>
</section>""")
        summary[name] = {"title": r.title, "seconds": round(seconds, 1), "numbers": r.numbers, "pictures": [str(p.relative_to(out)) for p in r.pictures]}
    page = out / "index.html"
    page.write_text(f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>gansuite demo</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; color: #222; }}
section {{ border-top: 1px solid #ddd; padding-top: 1em; margin-top: 1.5em; }}
.pics {{ display: flex; flex-wrap: wrap; gap: 1em; }}
figure {{ margin: 0; }} img {{ max-width: 520px; image-rendering: pixelated; border: 1px solid #eee; }}
figcaption {{ font-size: 0.8em; color: #666; }} table {{ border-collapse: collapse; margin-top: 0.8em; }}
th, td {{ text-align: left; padding: 2px 12px 2px 0; font-size: 0.9em; }} th {{ font-weight: 500; color: #555; }}
</style></head><body>
<h1>gansuite demo</h1>
<p id="image-check" data-images="pending"></p>
<p>Every application, trained briefly on embedded data on this machine. Numbers are from these short runs, not the benchmarks (see docs/benchmarks.md).</p>
{"".join(sections)}
{_CHECK_SCRIPT}
</body></html>
""")
    write_atomic(out / "results.json", json.dumps(summary, indent=2, default=str))
    return page


_CHECK_SCRIPT = """<script>
// Marks how many pictures loaded, for people and for the headless-browser test.
window.addEventListener("load", () => {
  const imgs = [...document.images];
  const ok = imgs.filter(i => i.complete && i.naturalWidth > 0).length;
  const el = document.getElementById("image-check");
  el.dataset.images = ok + "/" + imgs.length;
  if (ok < imgs.length) el.textContent = (imgs.length - ok) + " picture(s) failed to load";
});
</script>"""


def _fmt(v: object) -> str:
    return f"{v:.4g}" if isinstance(v, float) else str(v)
