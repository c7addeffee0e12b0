"""Write a folder of photographs the way a user's folder looks, for `--set data=FOLDER` (no download).

Why it exists: the image-generation docs promise that any folder of images works (mixed sizes and
aspect ratios, JPEG and PNG, grayscale, RGBA, a broken file skipped and counted), and the 128-px
FastGAN benchmark needs such a folder that anyone can rebuild offline, bit for bit. The pictures
are random crops of the colour photographs shipped inside scikit-image (`skimage.data`), so they
are our own data: a model trained on them shows what the loader and the 128-px path do, not how
well a GAN generalises to unseen photographs.

    python examples/make_photo_folder.py --out runs/photos            # 300 crops + 3 odd files
    gansuite train image-generation --out runs/ig128 --set data=runs/photos --set model=fastgan --set size=128
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from PIL import Image
from skimage import data as skdata

# Colour photographs in skimage.data that need no download (`cat` is `chelsea` again; left out).
PHOTOS = ("astronaut", "coffee", "chelsea", "rocket", "hubble_deep_field", "immunohistochemistry", "retina")


def crop(photo: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A random crop (30-90 % of the shorter side, aspect ratio 0.6-1.7), resized so its longer side is 160-400 px."""
    h, w = photo.shape[:2]
    side = rng.uniform(0.3, 0.9) * min(h, w)
    aspect = float(np.exp(rng.uniform(np.log(0.6), np.log(1.7))))  # width / height
    ch, cw = min(h, round(side / np.sqrt(aspect))), min(w, round(side * np.sqrt(aspect)))
    top, left = int(rng.integers(0, h - ch + 1)), int(rng.integers(0, w - cw + 1))
    im = Image.fromarray(photo[top:top + ch, left:left + cw])
    longer = int(rng.integers(160, 401))
    scale = longer / max(ch, cw)
    return np.asarray(im.resize((max(1, round(cw * scale)), max(1, round(ch * scale))), Image.Resampling.LANCZOS))


def make_folder(out: Path, n: int = 300, seed: int = 0) -> dict[str, int]:
    """`n` crops spread evenly over PHOTOS (JPEG or PNG, some in a subfolder) plus one grayscale PNG,
    one RGBA PNG and one truncated JPEG. Returns counts by kind."""
    rng = np.random.default_rng(seed)
    photos = [getattr(skdata, name)() for name in PHOTOS]
    (out / "holiday").mkdir(parents=True, exist_ok=True)
    counts = {"jpeg": 0, "png": 0, "odd": 3}
    for i in range(n):
        name = PHOTOS[i % len(PHOTOS)]
        img = Image.fromarray(crop(photos[i % len(PHOTOS)], rng))
        folder = out / "holiday" if i % 5 == 0 else out  # the loader searches subfolders too
        if rng.random() < 0.7:
            img.save(folder / f"{name}_{i:04d}.jpg", quality=int(rng.integers(75, 96)))
            counts["jpeg"] += 1
        else:
            img.save(folder / f"{name}_{i:04d}.png")
            counts["png"] += 1
    Image.fromarray(crop(skdata.camera(), rng)).save(out / "camera_gray.png")  # mode L
    rgba = Image.fromarray(crop(skdata.astronaut(), rng)).convert("RGBA")
    alpha = np.full(rgba.size[::-1], 255, np.uint8)
    alpha[: alpha.shape[0] // 3] = 0  # the top third transparent: the loader composites it over white
    rgba.putalpha(Image.fromarray(alpha))
    rgba.save(out / "astronaut_rgba.png")
    good = out / "holiday" / "broken.jpg"
    Image.fromarray(crop(photos[0], rng)).save(good, quality=90)
    good.write_bytes(good.read_bytes()[:600])  # a transfer cut short: unreadable, skipped and counted
    return counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=Path("runs/photos"), help="folder to write (created)")
    ap.add_argument("--n", type=int, default=300, help="number of photo crops (plus 3 odd files)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    if args.n < 1:
        ap.error(f"--n must be at least 1, got {args.n}")
    counts = make_folder(args.out, args.n, args.seed)
    print(f"wrote {args.out}: {counts['jpeg']} JPEG + {counts['png']} PNG crops of {', '.join(PHOTOS)}; "
          "plus 1 grayscale PNG, 1 RGBA PNG, 1 truncated JPEG")


if __name__ == "__main__":
    main()
