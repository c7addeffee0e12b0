"""`gansuite predict RUN VIDEO --out FILE`: the model's continuation of any clip."""
from __future__ import annotations

from pathlib import Path

import click


@click.command("predict")
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.argument("video", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), required=True,
              help="FILE.gif or FILE.mp4: context | ground truth | prediction (prediction alone when the video is too short); "
                   "FILE.npy: the H predicted frames, uint8 RGB (H, height, width, 3) at the video's size.")
@click.option("--context", type=int, default=None, help="K: context frames, the video's first K (default: the run's).")
@click.option("--horizon", type=int, default=None, help="H: frames to predict (default: the run's).")
@click.option("--device", default="auto", help="auto | cpu | cuda | cuda:N | mps.")
def predict(run_dir: Path, video: Path, out: Path, context: int | None, horizon: int | None, device: str) -> None:
    """Predict the frames that follow the first K frames of VIDEO (a video file or a folder of frames).

    Example: gansuite predict runs/vp clip.mp4 --horizon 10 --out pred.gif
    """
    from gansuite_core.devices import resolve_device
    from gansuite_core.errors import UserError
    from gansuite_core.runs import load_run

    from .use import predict_video

    dev, _ = resolve_device(device)
    run = load_run(run_dir, device=dev)
    if run.app.name != "video-prediction":
        raise UserError(f"run {run_dir}: is a run of '{run.app.name}', not 'video-prediction'")
    click.echo(str(predict_video(run, video, out, context, horizon, dev)))
