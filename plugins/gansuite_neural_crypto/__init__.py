"""gansuite plugin: neural_crypto."""
