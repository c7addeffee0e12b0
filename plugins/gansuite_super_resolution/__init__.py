"""gansuite plugin: super_resolution."""
