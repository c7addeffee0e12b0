"""synthetic-records: synthetic patient tables with a conditional tabular GAN (a gansuite plugin)."""
