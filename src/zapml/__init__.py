"""zapml: zero-shot AutoML with pretrained models."""

__version__ = "0.1.0"
