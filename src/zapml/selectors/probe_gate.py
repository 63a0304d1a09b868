"""Probe or not: which shipped selector ``zap fit`` and ``zap recommend`` rank with.

For the final objective two selectors ship: ``shipped/final`` reads the four trivial
meta-features, ``shipped/final-probe`` also the probe features (LogME, kNN, linear probe, ... on
frozen features of a sample of the training images) of ``recipe.SHIPPED_PROBE_BACKBONES``. The
probe selector ranks better (leave-one-core-dataset-out regret, README "The probe selector"), but
the probe pass is paid from the run's budget, so it is worth it only when it costs a small share
of that budget.
The gate estimates the pass's counted compute seconds from the data's shape alone (the compute
clock's counts of each backbone's extraction and of the scores, before any image is read; on the
wall clock also ``PROBE_UNCOUNTED_WALL_SECONDS`` per backbone) and probes when the estimate is at
most ``PROBE_BUDGET_SHARE`` of the budget.

An explicit ``--selector`` and a selector refitted on the user's history (``zap selector
update``) are used as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from zapml.metadataset.objectives import check_objective
from zapml.metadataset.probe_settings import DEFAULT_MAX_SAMPLES, DEFAULT_SIDE

if TYPE_CHECKING:
    from zapml.data import Dataset
    from zapml.runtime.calibration import WallConversion

#: Probe when the estimated probe pass costs at most this share of the budget (0: never). Chosen by
#: leave-one-core-dataset-out on the shipped store (objective final): each held-out task's choice
#: by the probe selector is scored at the budget minus the task's counted probe cost (the last
#: prediction its run made by then), the trivial selector's at the full budget, for shares 0,
#: 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 1, by a rule fixed before looking: the lowest regret over all
#: budgets, shares within 0.002 of it tied and the tie going to the smaller share. On the
#: 15,046-run store with MobileNetV2's probe features (0.70 compute-s a task, 0.37-1.09), the
#: probe selector fitting final accuracy (forty-fifth session), 0.02 is lowest (0.1454) with 0.05
#: within the margin (0.1458; 0.1: 0.1485; never: 0.1517; 0.2: 0.2407), so 0.02: it probes every
#: case at 64 and 256 s and none at 4 and 16 s. The rule kept 0.02 on the 15,068- and 15,090-run
#: stores (forty-seventh session: 0.05 lowest, 0.1315 and 0.1339, with 0.02 within the margin,
#: 0.1325 and 0.1341). Fitting NAUC (forty-fourth session) it was 0.05
#: (0.1456). With the four backbones' features (4.67 compute-s) it was 0.05 up to the 13,384-run
#: store, then 0, 0.2 on the 14,662-run one, 0 from the 14,686-run to the 15,002-run one and 0.02
#: on the 15,046-run one, each later move decided by a few ten-thousandths of regret (each store's
#: reading: docs/benchmarks/store-steps.md).
PROBE_BUDGET_SHARE = 0.02
#: Wall seconds per backbone the gate adds on the wall clock for what the compute clock does not
#: count: building the network and loading its weights, which the pass does before the run's
#: deadline is planned (the fit would pay timm's import later anyway, so this is a margin rather
#: than an exact cost). Measured on the 2-core development machine, 2 threads: MobileNetV2 built
#: cold (timm imported) 1.8 s idle and 3.2 s with two other busy processes, warm 0.1 s; the rest of
#: the pass its counted estimate covers (1.03-1.11 wall-s idle against 1.15 counted, animal_mnist).
#: Without it a 20-wall-s `zap fit` on that machine under load (0.47 compute-s per wall-s, 9.45
#: compute-s) probed on the counted 0.37 compute-s alone and left too little deadline to save.
PROBE_UNCOUNTED_WALL_SECONDS = 1.0
#: The shipped probe-feature selectors (scripts/train_shipped_selector.py --features all). Final
#: only: under ALC the probe features did not lower leave-one-core-dataset-out regret even with
#: the probe pass free (0.053 against 0.044 on trivial features, seed 0).
SHIPPED_PROBE_SELECTORS: dict[str, Path] = {
    "final": Path(__file__).parent / "shipped" / "final-probe"
}


#: the classes of the zoo's pretrained heads: the source classes LEEP and NCE read
IMAGENET_CLASSES = 1000


@dataclass(frozen=True)
class SelectorPick:
    """The selector folder to rank with (None: no selector, the default pipeline) and a line
    for the user on why (empty when nothing was decided here)."""

    selector_dir: Path | None
    note: str = ""


def gate_can_probe() -> bool:
    """Whether the gate ever picks the probe selector: a share of 0 turns it off."""
    return PROBE_BUDGET_SHARE > 0


def shipped_probe_selector_dir(objective: str) -> Path | None:
    path = SHIPPED_PROBE_SELECTORS.get(check_objective(objective))
    return path if path is not None and (path / "manifest.json").is_file() else None


def estimate_probe_seconds(
    train: Dataset,
    backbones: Sequence[str],
    side: int = DEFAULT_SIDE,
    max_samples: int = DEFAULT_MAX_SAMPLES,
) -> float:
    """Counted compute seconds ``query_metafeatures`` will charge for probing ``train`` with
    ``backbones``: each backbone's extraction on the sample (``extraction_seconds``) and its
    scores (``scores_seconds``), counted on untrained networks with the extraction's head."""
    from zapml.metafeatures.extraction import extraction_seconds, log2_side
    from zapml.metafeatures.probe_features import (
        ProbeSettings,
        sample_shape,
        scores_seconds,
        stratified_subsample,
    )
    from zapml.runtime.costs import CLOCK_VERSION
    from zapml.runtime.preprocess import input_size
    from zapml.selectors.cost_features import network_facts
    from zapml.zoo import get_spec

    chosen = stratified_subsample(train.labels, max_samples, ProbeSettings().seed)
    labels = np.asarray(train.labels)[chosen]
    images = train.images
    hw = input_size((int(images.shape[1]), int(images.shape[2])), log2_side(side))
    total = 0.0
    for name in backbones:
        pretrained = get_spec(name).pretrained
        profile, dims = network_facts(name, hw, CLOCK_VERSION, None if pretrained else 0)
        total += extraction_seconds(profile, len(chosen), int(images.shape[3]))
        sources = IMAGENET_CLASSES if pretrained else 0  # LEEP and NCE read the pretrained head
        total += scores_seconds(sample_shape(labels, dims, sources))
    return total


def pick_selector_dir(
    selector: str | Path | None,
    objective: str,
    train: Dataset,
    budget: float | None,
    clock: str = "compute",
    conversion: WallConversion | None = None,
) -> SelectorPick:
    """The selector to rank with for ``train`` at ``budget`` seconds of ``clock``: an explicit or
    history-refitted one as is; else the shipped probe selector when its probe pass fits in
    ``PROBE_BUDGET_SHARE`` of the budget in compute seconds (a wall budget converted by this
    machine's calibration, measured only here, when the gate needs it), else (and always when the
    share is 0) the trivial one."""
    from zapml.history.paths import user_selector_dir
    from zapml.runtime.calibration import compute_budget
    from zapml.selectors.choice import resolve_selector_dir, shipped_selector_dir
    from zapml.selectors.query import probe_backbones
    from zapml.selectors.registry import load_selector

    probe_dir = shipped_probe_selector_dir(objective)
    if selector is not None or user_selector_dir(objective) or probe_dir is None:
        return SelectorPick(resolve_selector_dir(selector, objective))
    trivial_dir = shipped_selector_dir(objective)
    if budget is None or not gate_can_probe():
        return SelectorPick(trivial_dir)
    compute_seconds = compute_budget(budget, clock, conversion).seconds
    backbones = probe_backbones(load_selector(probe_dir).metafeature_names_)
    cost = estimate_probe_seconds(train, backbones)
    what = f"probe pass of {', '.join(backbones)}: est. {cost:.3g} compute-s"
    if clock == "wall":  # the wall deadline also pays what the compute clock does not count
        building = len(backbones) * PROBE_UNCOUNTED_WALL_SECONDS
        cost += building * compute_seconds / budget  # at this machine's ratio
        what += f" and {building:g} wall-s to build the network(s)"
    limit = PROBE_BUDGET_SHARE * compute_seconds
    if cost <= limit:
        note = f"{what}, within {PROBE_BUDGET_SHARE:.0%} of the budget: the probe selector ranks"
        return SelectorPick(probe_dir, note)
    note = (
        f"{what}, over {PROBE_BUDGET_SHARE:.0%} of the budget ({limit:.3g}): not probing, the "
        "trivial-feature selector ranks"
    )
    return SelectorPick(trivial_dir, note)
