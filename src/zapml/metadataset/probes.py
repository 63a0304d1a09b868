"""``fill_probe_features``: the probe meta-features of a store's tasks, computed only where missing.

Each task is materialised from its stored ``TaskSpec`` and scored by
``zapml.metafeatures.compute_probe_features``, one backbone at a time (a backbone's scores depend
on its own features and the shared seeded sample only, so one backbone at a time gives the values
a call with all of them gives, and each value's counted seconds are its own backbone's). A task's
new values are stored in one transaction: a killed run loses at most the task in flight, and
running it again computes only the (task, backbone) pairs whose names are not all stored, and
stores only the names that were missing (a backbone's extraction is the unit of work: its scores
come together).

The sample settings (side, sample size, seed) and the scores' version (``PROBE_SCORES_VERSION``)
are recorded in the store's ``meta`` table: names do not carry them, so values computed with other
settings must not be mixed into one column. ``recompute=True`` drops every stored probe feature
first and computes them again under the current settings (a crash then leaves a partly filled
store that a run without it completes).
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zapml.errors import ArtifactError
from zapml.metadataset.driver import build_lock, stop_on_sigterm
from zapml.metadataset.probe_settings import (
    DEFAULT_BACKBONES,
    DEFAULT_MAX_SAMPLES,
    DEFAULT_SIDE,
)
from zapml.metadataset.progress import BuildProgress
from zapml.metadataset.store import Store, open_store
from zapml.metadataset.tasks import TaskSpec, materialise
from zapml.metafeatures.extraction import compute_probe_features
from zapml.metafeatures.probe_features import (
    PROBE_SCORES,
    PROBE_SCORES_VERSION,
    ProbeSettings,
    pair_feature_name,
)
from zapml.zoo import get_spec

#: ``meta`` key holding the settings the store's probe features were computed with
SETTINGS_KEY = "probe_settings"


@dataclass
class ProbeReport:
    """What one ``fill_probe_features`` run did."""

    db: Path
    tasks: int = 0  # tasks with a spec in the store
    done: int = 0  # tasks that got new features in this run
    skipped: int = 0  # tasks whose requested features were all stored already
    unmaterialisable: list[str] = field(default_factory=list)  # tasks imported without a spec
    features_added: int = 0
    compute_seconds: float = 0.0  # counted seconds (extractions and scores) charged in this run
    dropped: int = 0  # stored features deleted first (``recompute``)
    seconds: float = 0.0  # wall-clock seconds of this run

    def to_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["db"] = str(self.db)
        return out


def backbone_feature_names(backbone: str) -> list[str]:
    """The names ``compute_probe_features`` gives ``backbone``: every score, LEEP and NCE only
    with a pretrained (ImageNet) head (see ``extraction``)."""
    pretrained = get_spec(backbone).pretrained
    return [
        pair_feature_name(s.name, backbone)
        for s in PROBE_SCORES
        if pretrained or not s.needs_source_probs
    ]


def fill_probe_features(
    db: str | Path,
    backbones: Sequence[str] = DEFAULT_BACKBONES,
    *,
    side: int = DEFAULT_SIDE,
    max_samples: int = DEFAULT_MAX_SAMPLES,
    progress: bool = True,
    wait: bool = False,
    recompute: bool = False,
) -> ProbeReport:
    """Compute and store the probe features of ``backbones`` for every task of store ``db``
    that lacks some of them; safe to kill and rerun. It may run while a build grows ``db`` (it
    writes only task features, see ``driver``); while another fill writes ``db`` it refuses at
    once, or with ``wait=True`` starts when that one ends. ``recompute`` first deletes every
    stored probe feature (of any backbone) and the settings they were computed with."""
    db = Path(db)
    if not db.is_file():
        raise ArtifactError(f"Meta-dataset store '{db}' does not exist; build it first.")
    names = {b: backbone_feature_names(b) for b in backbones}  # an unknown backbone fails here
    settings = _settings_record(side, max_samples)
    report = ProbeReport(db=db)
    start = time.perf_counter()
    with build_lock(db, wait=wait, writer="probe"), open_store(db) as store, stop_on_sigterm():
        if recompute:
            report.dropped = store.drop_task_features((SETTINGS_KEY,))
        _check_settings(store, settings)
        todo = _missing_backbones(store, names, report)
        with BuildProgress(len(todo), enabled=progress, unit="tasks") as bar:
            for task, missing, have in todo:
                _fill_task(store, task, missing, have, side, max_samples, settings, report)
                bar.advance()
    report.seconds = time.perf_counter() - start
    return report


def _settings_record(side: int, max_samples: int) -> str:
    record = {
        "side": side,
        "max_samples": max_samples,
        "seed": ProbeSettings().seed,
        "scores_version": PROBE_SCORES_VERSION,
    }
    return json.dumps(record, sort_keys=True)


def _check_settings(store: Store, settings: str) -> None:
    stored = store.meta_value(SETTINGS_KEY)
    if stored is not None and stored != settings:
        raise ArtifactError(
            f"The probe features in '{store.path}' were computed with {stored}; this run asks "
            f"for {settings}. Feature names do not carry these settings, so the two cannot share "
            "a store: pass the stored --side and --max-samples, or --recompute to replace every "
            "stored probe feature (a scores_version change needs that), or probe a copy."
        )


def _missing_backbones(
    store: Store, names: dict[str, list[str]], report: ProbeReport
) -> list[tuple[TaskSpec, list[str], set[str]]]:
    """Each task lacking features, with its backbones that have at least one name not stored
    (in the given order) and the names it has."""
    stored = store.task_feature_names()
    specs = store.task_specs()
    report.unmaterialisable = [t for t in store.task_ids() if t not in specs]
    report.tasks = len(specs)
    todo = []
    for task_id, spec in specs.items():
        have = stored.get(task_id, set())
        missing = [b for b, wanted in names.items() if not set(wanted) <= have]
        if missing:
            todo.append((spec, missing, have))
    report.skipped = report.tasks - len(todo)
    return todo


def _fill_task(
    store: Store, task: TaskSpec, backbones: list[str], have: set[str], side: int,
    max_samples: int, settings: str, report: ProbeReport,
) -> None:  # fmt: skip
    """Compute ``backbones``' features of ``task`` and store the names it does not ``have``
    (stored values stay as they are: same settings, same values, their own timestamps)."""
    split = materialise(task)
    values: dict[str, float] = {}
    seconds: dict[str, float] = {}
    for backbone in backbones:
        row, spent = compute_probe_features(split, [backbone], side=side, max_samples=max_samples)
        new = {name: v for name, v in row.items() if name not in have}
        values.update(new)
        seconds.update(dict.fromkeys(new, spent))
        report.compute_seconds += spent
    store.add_task_features(task.id, values, seconds, meta={SETTINGS_KEY: settings})
    report.done += 1
    report.features_added += len(values)
