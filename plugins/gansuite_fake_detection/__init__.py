"""fake-detection: telling real images from generated ones (a gansuite plugin)."""
