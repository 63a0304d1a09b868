"""The ``--device`` option that ``zap fit`` and ``zap metadataset build`` share."""

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
