"""`gansuite predict RUN VIDEO --out FILE`: the model's continuation of any clip, or its surprise scores."""
from __future__ import annotations

from pathlib import Path

import click

from gansuite_core import load_run, pick_device

from .predict import predict_video, score_video

APP = "video-prediction"


@click.command("predict")
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.argument("video", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), required=True,
              help="FILE.gif or FILE.mp4: context | ground truth | prediction (prediction alone when the video is too short); "
                   "FILE.npy: the H predicted frames, uint8 RGB (H, height, width, 3) at the video's size; "
                   "with --score, FILE.csv (and FILE.png, the plot).")
@click.option("--score", is_flag=True, help="Slide over the whole video: each frame's one-step prediction error (surprise), "
                                             "written as CSV with a plot of error over time and the worst frames.")
@click.option("--context", type=int, default=None, help="K: context frames, the video's first K (default: the run's).")
@click.option("--horizon", type=int, default=None, help="H: frames to predict (default: the run's).")
@click.option("--device", default="auto", help="auto | cpu | cuda | cuda:N | mps.")
def predict(run_dir: Path, video: Path, out: Path, score: bool, context: int | None,
            horizon: int | None, device: str) -> None:
    """Predict the frames that follow the first K frames of VIDEO (a video file or a folder of frames).

    Examples: gansuite predict runs/vp clip.mp4 --horizon 10 --out pred.gif;
    gansuite predict runs/vp camera.mp4 --score --out scores.csv
    """
    dev = pick_device(device)
    run = load_run(run_dir, app=APP, device=dev)  # one line if RUN_DIR is another application's run
    if score:
        for path in score_video(run, video, out, dev):
            click.echo(str(path))
    else:
        click.echo(str(predict_video(run, video, out, context, horizon, dev)))
