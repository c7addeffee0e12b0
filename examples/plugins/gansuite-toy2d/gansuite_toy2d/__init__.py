"""gansuite-toy2d: an example third-party gansuite plugin (the application `toy2d`)."""

__version__ = "0.1.0"
