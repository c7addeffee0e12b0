"""`gansuite upscale RUN INPUT... --out DIR`: upscale your own pictures with a trained run.

Each output PNG keeps its input's file name (with a .png suffix). `--compare` also writes
NAME-compare.png: bicubic | model, and the ground truth when `--reference` gives it.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from gansuite_core import UserError
from gansuite_core.metrics.image import psnr
from gansuite_core.pictures import save_png, side_by_side

from .data import IMAGE_SUFFIXES
from .upscale import bicubic, flatten_for_display, read_picture, save_picture, upscale_any


def expand_inputs(inputs: tuple[Path, ...]) -> list[Path]:
    """Files as given; folders expand to the pictures directly inside them."""
    files: list[Path] = []
    for p in inputs:
        if p.is_dir():
            files += sorted(q for q in p.iterdir() if q.is_file() and q.suffix.lower() in IMAGE_SUFFIXES)
        elif p.is_file():
            files.append(p)
        else:
            raise UserError(f"{p}: no such file or folder")
    if not files:
        raise UserError(f"no picture found in {', '.join(map(str, inputs))}")
    return files


def find_reference(reference: Path | None, picture: Path, many: bool) -> Path | None:
    """The ground-truth file for `picture`: --reference itself, or the same name inside a --reference folder."""
    if reference is None:
        return None
    if reference.is_dir():
        matches = [q for q in reference.iterdir() if q.stem == picture.stem]
        return matches[0] if matches else None
    if many:
        raise UserError(f"--reference {reference}: with several inputs, give a folder holding pictures of the same names")
    return reference


@click.command("upscale")
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Folder for the upscaled PNGs (created if needed).")
@click.option("--compare", is_flag=True, help="Also write NAME-compare.png: bicubic | model [| reference].")
@click.option("--reference", type=click.Path(path_type=Path), help="Ground truth: a file, or a folder of same-named files.")
@click.option("--tile", default=192, show_default=True, help="Tile size in input pixels (bounds memory).")
@click.option("--overlap", default=32, show_default=True, help="Context pixels around each tile (>= receptive radius: seamless).")
@click.option("--device", default="auto", help="auto | cpu | cuda | cuda:N | mps.")
def upscale_command(run_dir: Path, inputs: tuple[Path, ...], out: Path, compare: bool, reference: Path | None,
                    tile: int, overlap: int, device: str) -> None:
    """Upscale pictures of any size and mode with a trained super-resolution run."""
    from gansuite_core.devices import resolve_device
    from gansuite_core.runs import load_run

    dev, _ = resolve_device(device)
    run = load_run(run_dir, device=dev)
    if run.app.name != "super-resolution":
        raise UserError(f"{run_dir}: a run of '{run.app.name}', not of 'super-resolution'")
    if reference is not None and not reference.exists():
        raise UserError(f"--reference {reference}: no such file or folder")
    files = expand_inputs(inputs)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise UserError(f"--out {out}: cannot create it ({e.strerror or e})") from None
    scale, net = run.config.options.scale, run.net("G")
    unreadable = []
    for path in files:
        try:
            img = read_picture(path)
        except UserError:
            unreadable.append(path)
            continue
        sr = upscale_any(net, img, scale, tile, overlap, dev)
        target = save_picture(sr, out / f"{path.stem}.png")
        click.echo(str(target))
        if compare:
            panels = [flatten_for_display(bicubic(img, scale)), flatten_for_display(sr)]
            titles = ["bicubic", "model"]
            ref_path = find_reference(reference, path, len(files) > 1)
            if ref_path is not None:
                ref = read_picture(ref_path)
                ref = ref[:sr.shape[0], :sr.shape[1]]  # a reference a few pixels larger (not mod-cropped) is fine
                if ref.shape[:2] != sr.shape[:2]:
                    raise UserError(f"--reference {ref_path}: {ref.shape[1]}x{ref.shape[0]} pixels, expected {sr.shape[1]}x{sr.shape[0]} "
                                    f"({scale}x the input)")
                ref_d, sr_d, bic_d = (flatten_for_display(a) for a in (ref, sr, bicubic(img, scale)))
                click.echo(f"  PSNR-Y vs reference: bicubic {psnr(bic_d, ref_d, scale, True):.2f} dB, "
                           f"model {psnr(sr_d, ref_d, scale, True):.2f} dB")
                panels.append(ref_d)
                titles.append("reference")
            click.echo(str(save_png(side_by_side(panels, titles), out / f"{path.stem}-compare.png")))
    if unreadable and len(unreadable) == len(files):
        raise UserError(f"no input could be read as a picture ({len(files)} file(s), e.g. {files[0]})")
    if unreadable:
        print(f"gansuite: upscale: skipped {len(unreadable)} unreadable file(s), e.g. {unreadable[0]}", file=sys.stderr)
