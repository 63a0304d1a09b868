"""The ``--device`` options: where ``zap fit`` and ``zap metadataset build`` compute, and which
device's wall -> compute ratio ``zap recommend`` and ``zap calibrate`` use."""

from __future__ import annotations

from typing import Annotated

import typer

DeviceOption = Annotated[
    str,
    typer.Option(
        help="Where the network computes: cpu, cuda, cuda:N or auto (a GPU when there is one). "
        "The compute clock charges a GPU run what it charges a CPU run; runs record the device."
    ),
]
TargetDeviceOption = Annotated[
    str,
    typer.Option(
        "--device",
        help="The device the run will compute on (cpu, cuda, cuda:N, auto): a wall-clock budget "
        "is converted to compute seconds with that device's measured ratio.",
    ),
]
