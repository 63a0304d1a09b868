"""All fresh hold-out cases together, counted from the record: the results sections' tables in
``benchmarks/holdout/README.md``.

Each fresh hold-out was evaluated once and its table (``bench_holdout.py``'s results.md: one row
per set, budget and arm, final accuracy the mean over seeds) pasted into its "Results N" section;
the run folders are not kept. This reads those tables back for the sections in
``FRESH_RESULTS`` and prints, over the (set, budget) cases where every arm has a row: in how many
zap beats all other arms at once (issue 8's target), the same per budget, and zap against each arm
alone (higher / level / lower, and the arms' means). Accuracies are the tables' four-decimal
means, so two arms are level when their printed values are equal.

    python benchmarks/holdout/fresh_summary.py [--readme benchmarks/holdout/README.md]
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from pathlib import Path
from statistics import mean

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench_holdout import ARMS, ZAP_ARM  # noqa: E402

#: The "Results N" sections that evaluate a fresh hold-out, each once, before any model had run on
#: its sets. Left out: 8-11 (furniture, outfits, flags: a hold-out several sessions looked at),
#: 16-20, 31 and 35 (sets already evaluated, rerun with later selectors) and 26 (results 21-25's
#: sets at 128 s, their 30- and 64-s results known). Add each new fresh section here.
FRESH_RESULTS = (12, 13, 14, 15, 21, 22, 23, 24, 25, 27, 28, 29, 30, 32, 33, 34, 36, 37, 38)
README = Path(__file__).resolve().parent / "README.md"

Case = tuple[int, str, float]  # results section, set, budget


def section_tables(text: str, sections: tuple[int, ...]) -> dict[Case, dict[str, float]]:
    """Final accuracy per arm of every (section, set, budget) row of the given sections' tables
    (any table whose header starts ``set | budget | arm`` and has ``final_accuracy``)."""
    cases: dict[Case, dict[str, float]] = defaultdict(dict)
    for section in re.split(r"\n## ", text):
        number = re.match(r"Results (\d+) ", section)
        if number is None or int(number.group(1)) not in sections:
            continue
        header: list[str] | None = None
        for line in section.splitlines():
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if not line.startswith("|"):
                header = None
            elif cells[:3] == ["set", "budget", "arm"] and "final_accuracy" in cells:
                header = cells
            elif header is not None and not cells[0].startswith("-"):
                accuracy = float(cells[header.index("final_accuracy")])
                cases[(int(number.group(1)), cells[0], float(cells[1]))][cells[2]] = accuracy
    return dict(cases)


def complete(cases: dict[Case, dict[str, float]]) -> dict[Case, dict[str, float]]:
    return {case: arms for case, arms in cases.items() if all(a in arms for a in ARMS)}


def beats_all(arms: dict[str, float]) -> bool:
    return all(arms[ZAP_ARM] > value for arm, value in arms.items() if arm != ZAP_ARM)


def summary_lines(cases: dict[Case, dict[str, float]]) -> list[str]:
    full = complete(cases)
    if not full:
        return ["no complete (set, budget) case in those sections"]
    others = [a for a in ARMS if a != ZAP_ARM]
    sets = {case[1] for case in full}
    lines = [
        f"{len(full)} cases on {len(sets)} sets: zap beats {', '.join(others)} at once in "
        f"{sum(beats_all(a) for a in full.values())}"
    ]
    for budget in sorted({case[2] for case in full}):
        at = [a for case, a in full.items() if case[2] == budget]
        means = ", ".join(f"{arm} {mean(a[arm] for a in at):.3f}" for arm in ARMS)
        lines.append(f"  {budget:g} s: {sum(map(beats_all, at))} of {len(at)}; means {means}")
    zap = [a[ZAP_ARM] for a in full.values()]
    lines.append(f"zap alone against each arm (zap's mean {mean(zap):.3f}):")
    for arm in others:
        pairs = [(a[ZAP_ARM], a[arm]) for a in full.values()]
        higher, lower = sum(z > t for z, t in pairs), sum(z < t for z, t in pairs)
        lines.append(
            f"  {arm}: higher {higher}, level {len(pairs) - higher - lower}, lower {lower}; "
            f"its mean {mean(t for _, t in pairs):.3f}"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--readme", type=Path, default=README)
    args = parser.parse_args()
    if not args.readme.is_file():
        raise SystemExit(f"error: {args.readme} does not exist; pass --readme PATH")
    cases = section_tables(args.readme.read_text(), FRESH_RESULTS)
    print("\n".join(summary_lines(cases)))


if __name__ == "__main__":
    main()
