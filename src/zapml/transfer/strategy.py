"""Share or search, for one dataset, with the grouping kept across sessions (Algorithm 1 as
``zap fit --strategy transfer`` runs it).

The grouper's state is a JSON file in the user's cache (``default_state_path``); every decision
rewrites it atomically, so a crash leaves the previous state. A new dataset is represented,
grouped, and then either reuses its group's pipeline or, when it opens a group, the caller's
``search`` finds one, which the group keeps for later members. A dataset already in the state
(same fingerprint) reuses its group's pipeline without being represented again.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from zapml.errors import ArtifactError
from zapml.space import Pipeline
from zapml.transfer.grouping import GroupingDecision, SequentialGrouper
from zapml.transfer.representation import BenchmarkRepresentation

#: Folder of the grouping state under zapml's cache root (``ZAPML_CACHE`` or ~/.cache/zapml).
STATE_FOLDER = "transfer"
STATE_FILE = "grouping.json"


def default_state_path() -> Path:
    from zapml.data.cache import cache_root

    return cache_root() / STATE_FOLDER / STATE_FILE


def load_grouper(path: Path) -> SequentialGrouper:
    """The grouping stored at ``path``; a fresh one with the paper's settings when it is absent."""
    if not path.exists():
        return SequentialGrouper()
    try:
        return SequentialGrouper.from_json(path.read_text())
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ArtifactError(
            f"the Tr-AutoML grouping state {path} cannot be read ({error}); delete it to start "
            "a new grouping, or pass another --transfer-state"
        ) from error


def save_grouper(grouper: SequentialGrouper, path: Path) -> None:
    """Write to a temporary file beside ``path`` and rename it over, so readers and a crash
    never see half a state."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".grouping-", dir=path.parent)
    with os.fdopen(handle, "w") as out:
        out.write(grouper.to_json())
    os.replace(temporary, path)


@dataclass(frozen=True)
class TransferChoice:
    """The pipeline to run and why: ``decision`` is None when the dataset was already grouped
    (``group_id`` says where); ``searched`` when a new group's search found the pipeline."""

    pipeline: Pipeline
    group_id: int
    searched: bool
    decision: GroupingDecision | None
    explanation: tuple[str, ...]


def encode_pipeline(pipeline: Pipeline) -> str:
    """A group's pipeline as the grouping state stores it (its full configuration, as JSON)."""
    return json.dumps(pipeline.to_dict(), sort_keys=True)


def decode_pipeline(text: str) -> Pipeline:
    return Pipeline(json.loads(text))


def known_choice(grouper: SequentialGrouper, dataset_id: str) -> TransferChoice | None:
    """The choice for a dataset the state already holds, or None for a new one."""
    for group in grouper.groups:
        if group.pipeline and any(m.dataset_id == dataset_id for m in group.members):
            line = (
                f"dataset {dataset_id} is already in group {group.group_id}: reusing its pipeline"
            )
            return TransferChoice(
                decode_pipeline(group.pipeline), group.group_id, False, None, (line,)
            )
    return None


def choose_by_transfer(
    grouper: SequentialGrouper,
    representation: BenchmarkRepresentation,
    search: Callable[[], Pipeline],
) -> TransferChoice:
    """Group ``representation`` and share its group's pipeline, or ``search`` for a new group
    and attach the result. The caller saves the grouper afterwards."""
    decision = grouper.assign(representation)
    if decision.shared:
        assert decision.pipeline is not None  # a group's pipeline is attached when it opens
        pipeline = decode_pipeline(decision.pipeline)
    else:
        pipeline = search()
        grouper.attach_pipeline(decision.group_id, encode_pipeline(pipeline))
    lines = explain(decision)
    return TransferChoice(pipeline, decision.group_id, not decision.shared, decision, lines)


def explain(decision: GroupingDecision) -> tuple[str, ...]:
    """Which cluster the MAP chose (log posteriors), the sharing test's figures, the outcome."""
    empty = f"a new group {decision.empty_log_posterior:.2f}"
    nonempty = [c for c in decision.candidates if c.group_id is not None]
    best = max(nonempty, key=lambda c: c.log_posterior, default=None)
    posterior = (
        f"log posterior: best existing group {best.group_id} {best.log_posterior:.2f}, {empty}"
        if best is not None
        else f"log posterior: no groups yet, {empty}"
    )
    lines = [posterior]
    if decision.test is not None:
        test = decision.test
        verdict = "rejects sharing" if test.rejected else "accepts sharing"
        lines.append(
            f"Hotelling test vs group {decision.map_group_id}: F = {test.statistic:.3g}, "
            f"threshold F_{test.alpha:g}({test.dims}, {test.denominator_dof}) = "
            f"{test.threshold:.3g}, p = {test.p_value:.3g}: {verdict}"
        )
    elif decision.map_group_id is None:
        lines.append("the MAP cluster is an empty one: no group is close enough to share")
    lines.append(
        f"shared group {decision.group_id}'s pipeline (no search)"
        if decision.shared
        else f"opened group {decision.group_id}: searching a pipeline for it"
    )
    return tuple(lines)
