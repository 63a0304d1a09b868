"""User-facing errors. The CLI prints these as one message (no traceback) and exits with code 2.

Every message names the problem (file, parameter, value) and how to fix it.
"""


class ZapError(Exception):
    """Base class for errors caused by the user's input or environment, not by a zapml bug."""


class DataError(ZapError, ValueError):
    """A dataset cannot be read or is unusable as given."""


class ZooError(ZapError):
    """A backbone cannot be found or its weights cannot be loaded."""


class PipelineError(ZapError, ValueError):
    """A pipeline configuration is invalid."""


class ArtifactError(ZapError):
    """A saved model, selector or meta-dataset is missing, tampered with or from another version."""
