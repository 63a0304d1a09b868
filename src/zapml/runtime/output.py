"""Output folders written atomically: a run's artifacts go to a temporary folder next to the
target, which is renamed into place only once everything is written. An error or Ctrl-C while
training or saving never leaves a half-written or damaged output folder; an existing folder is
replaced only with ``overwrite`` and only after the new run succeeded."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from zapml.errors import ArtifactError


class OutputFolder:
    """The target folder and the temporary folder the artifacts are written to first.

    ``prepare`` checks the target before any training (a file in the way, a non-empty folder
    without ``overwrite``, an unwritable parent) and creates the temporary folder, which proves
    the parent writable; ``commit`` renames it into place; ``discard`` removes it."""

    def __init__(self, target: Path, overwrite: bool) -> None:
        self.target = target
        self.overwrite = overwrite
        self.staging: Path | None = None

    def prepare(self) -> Path:
        target = self.target
        if target.exists() and not target.is_dir():
            raise ArtifactError(
                f"Output path {str(target)!r} is an existing file, not a folder; "
                "choose a folder path for --output."
            )
        if target.is_dir() and any(target.iterdir()) and not self.overwrite:
            raise ArtifactError(
                f"Output folder {str(target)!r} exists and is not empty; pass --overwrite "
                "(fit(..., overwrite=True)) to replace it once the new run succeeded, or "
                "choose another folder."
            )
        parent = target.absolute().parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=parent))
        except OSError as err:
            raise ArtifactError(
                f"Cannot write the output folder {str(target)!r} ({err.strerror or err}); "
                "choose a folder you can write to."
            ) from None
        _make_readable(staging)
        self.staging = staging
        return staging

    def commit(self) -> None:
        """Move the written artifacts into place (replacing the old folder, if any)."""
        assert self.staging is not None
        target = self.target
        old: Path | None = None
        if target.is_dir():
            if any(target.iterdir()):
                # Keep the old folder until the new one is in place: a failure in between
                # leaves it next to the target instead of losing it.
                old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=self.staging.parent))
                os.replace(target, old / "previous")
            else:
                target.rmdir()
        os.replace(self.staging, target)
        self.staging = None
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def discard(self) -> None:
        if self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
            self.staging = None


def _make_readable(folder: Path) -> None:
    """mkdtemp makes a private (0700) folder; the output should get the usual permissions."""
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(folder, 0o777 & ~mask)


def check_output_dir(target: str | Path, *, overwrite: bool = False) -> None:
    """Refuse, before any work, an output path ``fit`` would refuse after training: a file in the
    way, a non-empty folder without ``overwrite``, a parent that cannot be written."""
    folder = OutputFolder(Path(target), overwrite)
    folder.prepare()
    folder.discard()
