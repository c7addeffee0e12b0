"""gansuite plugin: image_generation."""
