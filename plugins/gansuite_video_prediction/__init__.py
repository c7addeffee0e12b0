"""gansuite plugin: video_prediction."""
