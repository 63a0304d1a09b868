"""The objectives a meta-dataset can score pipelines by; a selector is trained for one of them.

- ``final``: the test NAUC of the model kept at the end of the budget (the run's last prediction),
  what a practitioner with a budget gets. NAUC (2 AUC - 1) rather than accuracy: it is 0 at chance
  whatever the number of classes (accuracy's chance level is 1/C, so a mean over tasks of 2 to 100
  classes would weigh tasks by their class count), and it is what AutoDL's learning curve scores,
  so ``final`` and ``alc`` measure the same quantity, at the end and over the whole budget.
  It is the measure every selector is *judged* by for this objective; the shipped ``final``
  selector is *trained* on final accuracy (``ACCURACY``, a measure of the same runs that no
  selector is judged by; see ``selectors.recipe`` for the leave-one-core-dataset-out figures that
  decided it).
- ``alc``: AutoDL's area under that learning curve, ZAP's setting (and every meta-dataset's and
  selector's before objectives existed).

This is the one list of objective names; everything else (CLI options, loaders, artifacts) reads it.
"""

from __future__ import annotations

import difflib

from zapml.errors import PipelineError

OBJECTIVES: tuple[str, ...] = ("final", "alc")
#: final test accuracy of the model kept at the end: a training target, not an objective
ACCURACY = "accuracy"
#: what a meta-dataset can hold per run: the objectives, then the training targets
MEASURES: tuple[str, ...] = (*OBJECTIVES, ACCURACY)
#: what `zap fit`, `recommend`, `selector train` and `benchmark` optimise unless told otherwise
DEFAULT_OBJECTIVE = "final"
#: what a selector artifact or meta-dataset without an objective was trained on / holds
LEGACY_OBJECTIVE = "alc"
#: the run field (``RunRecord`` attribute, long-table column) each measure reads
MEASURE_FIELDS: dict[str, str] = {"final": "final_nauc", "alc": "alc", ACCURACY: "final_accuracy"}
OBJECTIVE_TEXT: dict[str, str] = {
    "final": "final test NAUC of the model kept at the end of the budget",
    "alc": "ALC, AutoDL's area under the learning curve",
}


def check_objective(name: str) -> str:
    """``name`` when it is an objective; else a ``PipelineError`` with the closest name and the
    list (it is a ``ValueError`` too, for library callers)."""
    return _checked_name(
        name, OBJECTIVES, "objective",
        f"The objectives are: {', '.join(OBJECTIVES)} (final: {OBJECTIVE_TEXT['final']}; "
        f"alc: {OBJECTIVE_TEXT['alc']}).",
    )  # fmt: skip


def check_measure(name: str) -> str:
    """``name`` when a meta-dataset can hold it (an objective or a training target); else a
    ``PipelineError`` with the closest measure and the list."""
    return _checked_name(
        name, MEASURES, "measure",
        f"The measures are the objectives ({', '.join(OBJECTIVES)}) and the training target "
        f"{ACCURACY!r} (final test accuracy).",
    )  # fmt: skip


def _checked_name(name: str, allowed: tuple[str, ...], kind: str, listing: str) -> str:
    if name in allowed:
        return name
    close = difflib.get_close_matches(str(name).strip().lower(), allowed, n=1, cutoff=0.4)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    raise PipelineError(f"Unknown {kind} {name!r}.{hint} {listing}")


def describe(objective: str) -> str:
    """``'final (final test NAUC of ...)'``: how output lines name an objective; any other name
    is the measure an imported meta-dataset declares (e.g. an ASlib scenario's PAR10)."""
    if objective not in OBJECTIVES:
        return f"{objective} (the meta-dataset's declared measure)"
    return f"{objective} ({OBJECTIVE_TEXT[objective]})"


def objective_for(declared: str, asked: str) -> str:
    """The objective a command scores a meta-dataset by: ``asked`` (checked) for zapml's own
    meta-datasets; for one that declares its own measure (``declared`` not in ``OBJECTIVES``),
    that measure, since it holds no other, whether ``asked`` is the default or the measure."""
    if declared in OBJECTIVES:
        return check_objective(asked)
    if asked in (DEFAULT_OBJECTIVE, declared):
        return declared
    raise PipelineError(
        f"This meta-dataset holds one measure, {declared!r} (it declares its own values), not "
        f"the {asked!r} objective. Leave --objective out, or pass --objective {declared}."
    )
