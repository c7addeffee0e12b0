"""`gansuite upscale`: enlarge your own pictures, with a bundled model or a trained run.

    gansuite upscale photo.jpg folder/ --model x4 --out up/     # the models shipped in the package (x2, x4, x4-mixed)
    gansuite upscale runs/sr4 photo.jpg --out up/               # your own run

Each output PNG keeps its input's file name (with a .png suffix). `--compare` also writes
NAME-compare.png: bicubic | model, and the ground truth when `--reference` gives it (and, for a bundled
pair or a routed run, prints its router's P(aliased)). `--shrunk-by aliased|antialiased` tells a pair how the pictures
were made instead of letting its router guess. A file that cannot be read or upscaled is named and
skipped; the exit code is 2 at the end if any was.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click
import torch

from gansuite_core import UserError, load_run, pick_device, pick_precision
from gansuite_core.metrics.image import psnr
from gansuite_core.pictures import save_png, side_by_side

from .bundled import BUNDLED, load_bundled
from .data import IMAGE_SUFFIXES, to_tensor
from .models import RoutedPair, SelfEnsemble
from .upscale import bicubic, colour_of, flatten_for_display, read_picture, save_picture, upscale_any

PRECISIONS = {"fp32": None, "fp16": torch.float16, "bf16": torch.bfloat16}
SHRUNK_BY = {"auto": None, "antialiased": 0.0, "aliased": 1.0}  # --shrunk-by: the pair's fixed P(aliased), or None: its router


def expand_inputs(inputs: tuple[Path, ...]) -> list[Path]:
    """Files as given; folders expand to the pictures directly inside them. Two inputs with one name are refused."""
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
    seen: dict[str, Path] = {}
    for f in files:
        if f.stem in seen:
            raise UserError(f"{f} and {seen[f.stem]}: both would be written as {f.stem}.png; rename one")
        seen[f.stem] = f
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


def choose_model(inputs: tuple[Path, ...], model: str | None, dev: torch.device) -> tuple[torch.nn.Module, int, list[Path]]:
    """(generator on `dev`, scale, the picture files): the bundled model, or the run given first.
    The pictures are listed before any model is loaded, so a mistyped path fails at once."""
    if model is not None:
        files = expand_inputs(inputs)
        net, meta = load_bundled(model)
        return net.to(dev), int(meta["architecture"]["scale"]), files
    first = inputs[0]
    if not (first / "config.toml").is_file():
        raise UserError(f"{first}: not a run directory; give a super-resolution run first, "
                        f"or --model {'|'.join(BUNDLED)} for a bundled model")
    if len(inputs) < 2:
        raise UserError(f"upscale {first}: give the pictures to upscale after the run")
    files = expand_inputs(inputs[1:])
    run = load_run(first, app="super-resolution", device=dev)
    return run.net("G"), run.config.options.scale, files


def compare_pictures(img, sr, scale: int, ref_path: Path | None, out: Path, stem: str) -> Path:
    """NAME-compare.png: bicubic | model [| reference], with PSNR-Y printed when the reference is given."""
    panels, titles = [flatten_for_display(bicubic(img, scale)), flatten_for_display(sr)], ["bicubic", "model"]
    if ref_path is not None:
        ref = read_picture(ref_path)[:sr.shape[0], :sr.shape[1]]  # a reference a few pixels larger (not mod-cropped) is fine
        if ref.shape[:2] != sr.shape[:2]:
            raise UserError(f"--reference {ref_path}: {ref.shape[1]}x{ref.shape[0]} pixels, expected {sr.shape[1]}x{sr.shape[0]} "
                            f"({scale}x the input)")
        ref_d = flatten_for_display(ref)
        click.echo(f"  PSNR-Y vs reference: bicubic {psnr(panels[0], ref_d, scale, True):.2f} dB, "
                   f"model {psnr(panels[1], ref_d, scale, True):.2f} dB")
        panels.append(ref_d)
        titles.append("reference")
    return save_png(side_by_side(panels, titles), out / f"{stem}-compare.png")


@click.command("upscale")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--model", help=f"Use a model bundled with the package: {' or '.join(BUNDLED)} (then every INPUT is a picture or folder).")
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Folder for the upscaled PNGs (created if needed).")
@click.option("--compare", is_flag=True, help="Also write NAME-compare.png: bicubic | model [| reference].")
@click.option("--reference", type=click.Path(path_type=Path), help="Ground truth: a file, or a folder of same-named files.")
@click.option("--tile", default=192, show_default=True, help="Tile size in input pixels (bounds memory for large photos).")
@click.option("--overlap", default=32, show_default=True, help="Context pixels around each tile (>= receptive radius: seamless).")
@click.option("--device", default="auto", help="auto | cpu | cuda | cuda:N | mps.")
@click.option("--precision", default="fp32", show_default=True,
              help="fp32 | fp16 | bf16 | auto (half precision on a GPU, auto: bf16 where the GPU has it, else fp16; the CPU runs fp32).")
@click.option("--ensemble", is_flag=True, help="Average the model over the 8 flips and turns of each picture (EDSR+): "
              "+0.01 to +0.05 dB PSNR-Y for the bundled x2 and x4, +0.03 to +0.2 for x4-mixed (which loses 0.03 on OpenCV pyrDown "
              "pictures) in docs/benchmarks.md; 8 times slower.")
@click.option("--shrunk-by", default="auto", show_default=True,
              help="With --model x2|x4 or a routed run (two specialists): how the small pictures were made, if you know: antialiased (PIL, "
                   "MATLAB, OpenCV INTER_AREA, most photo tools), aliased (OpenCV INTER_CUBIC/LINEAR/NEAREST, or any picture "
                   "sharpened after shrinking), or auto (the model's router guesses per picture).")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def upscale_command(inputs: tuple[Path, ...], model: str | None, out: Path, compare: bool, reference: Path | None,
                    tile: int, overlap: int, device: str, precision: str, ensemble: bool, shrunk_by: str, quiet: bool) -> None:
    """Upscale pictures of any size and mode: [RUN] INPUT... (files or folders), or INPUT... --model x2|x4|x4-mixed."""
    from tqdm import tqdm

    if precision not in (*PRECISIONS, "auto"):
        raise UserError(f"--precision {precision}: expected one of {', '.join(PRECISIONS)}, auto")
    if tile < 1 or overlap < 0:
        raise UserError(f"--tile {tile} --overlap {overlap}: expected tile >= 1 and overlap >= 0")
    if reference is not None and not reference.exists():
        raise UserError(f"--reference {reference}: no such file or folder")
    dev = pick_device(device)
    if precision == "auto":
        precision = "fp32" if dev.type == "cpu" else pick_precision("auto", dev)  # the CPU upscales in fp32 (below)
    half = PRECISIONS[precision]
    if half is not None and dev.type == "cpu":
        print(f"gansuite: upscale: --precision {precision} is for GPUs; running in fp32 on the CPU", file=sys.stderr)
        half = None
    if shrunk_by not in SHRUNK_BY:
        raise UserError(f"--shrunk-by {shrunk_by}: expected one of {', '.join(SHRUNK_BY)}")
    net, scale, files = choose_model(inputs, model, dev)
    pair = net if isinstance(net, RoutedPair) else None
    if SHRUNK_BY[shrunk_by] is not None:
        if pair is None:
            raise UserError(f"--shrunk-by {shrunk_by}: only for a model with two specialists (--model x2 or x4, or a routed run)")
        net = pair.fixed(torch.tensor([SHRUNK_BY[shrunk_by]], device=dev))

    def picture_net(img) -> tuple[torch.nn.Module, torch.Tensor | None]:  # a pair left to its router: P once per picture
        if pair is None or SHRUNK_BY[shrunk_by] is not None:
            return (SelfEnsemble(net) if ensemble else net), None
        with torch.no_grad():
            weight = pair.weight(to_tensor(colour_of(img))[None].to(dev))  # (1,): what upscale_rgb would compute
        fixed = pair.fixed(weight)
        return (SelfEnsemble(fixed) if ensemble else fixed), weight

    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise UserError(f"--out {out}: cannot create it ({e.strerror or e})") from None
    failed: list[Path] = []
    for path in tqdm(files, unit="picture", disable=quiet or len(files) < 2, file=sys.stderr, dynamic_ncols=True):
        try:
            img = read_picture(path)
            used, weight = picture_net(img)
            sr = upscale_any(used, img, scale, tile, overlap, dev, half)
        except UserError as e:  # a bad file is named and skipped; the others go on
            if len(files) == 1:
                raise
            tqdm.write(f"gansuite: upscale: skipped {e}", file=sys.stderr)
            failed.append(path)
            continue
        click.echo(str(save_picture(sr, out / f"{path.stem}.png")))
        if compare:
            if weight is not None:  # what the router made of this picture
                unsure = 0.25 < float(weight) < 0.75  # a blend: the router could not tell (docs/super-resolution.md)
                click.echo(f"  router: P(aliased) {float(weight):.2f}" + ("; unsure: if you know how the picture was made, "
                           "say --shrunk-by (aliased for OpenCV without antialiasing or sharpened after shrinking)" if unsure else ""))
            click.echo(str(compare_pictures(img, sr, scale, find_reference(reference, path, len(files) > 1), out, path.stem)))
    if failed:
        raise UserError(f"upscale: {len(failed)} of {len(files)} file(s) skipped: {', '.join(str(p) for p in failed[:3])}"
                        f"{' ...' if len(failed) > 3 else ''}")

