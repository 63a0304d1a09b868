"""fresh_summary reads the results sections' tables back and counts the fresh cases."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fresh_summary  # noqa: E402

# Two fresh sections (one with a seeds column, one without, as the README's older tables) and one
# rerun section, whose win must not count. Accuracies chosen so each count is known by hand:
# s1 30 s: zap 0.8 beats 0.7 / 0.6 / 0.5; s1 64 s: zap 0.6 level with the Adam recipe's 0.6;
# s2 30 s: zap 0.4 below all; s3 30 s lacks the Lite0 arm (incomplete, left out).
README = """# Hold-out

## Results 12 (a date): the first fresh hold-out

| set | budget | arm | pipeline | seeds | final_accuracy | final_nauc | alc | won |
|---|---|---|---|---|---|---|---|---|
| s1 | 30 | zap | p [a] | 2/2 | 0.8000 | 0.9 | 0.5 | * |
| s1 | 30 | default | p [b] | 2/2 | 0.7000 | 0.9 | 0.5 |  |
| s1 | 30 | mobilenet128_adam | p [c] | 2/2 | 0.6000 | 0.9 | 0.5 |  |
| s1 | 30 | lite0_64_sgd | p [d] | 2/2 | 0.5000 | 0.9 | 0.5 |  |
| s1 | 64 | zap | p [a] | 2/2 | 0.6000 | 0.9 | 0.5 | * |
| s1 | 64 | default | p [b] | 2/2 | 0.5000 | 0.9 | 0.5 |  |
| s1 | 64 | mobilenet128_adam | p [c] | 2/2 | 0.6000 | 0.9 | 0.5 | * |
| s1 | 64 | lite0_64_sgd | p [d] | 2/2 | 0.5000 | 0.9 | 0.5 |  |

## Results 13 (a date): the second, an older table

| set | budget | arm | pipeline | final_accuracy | final_nauc | alc | won |
|---|---|---|---:|---:|---:|---:|---|
| s2 | 30 | zap | p | 0.4000 | 0.9 | 0.5 |  |
| s2 | 30 | default | p | 0.5000 | 0.9 | 0.5 | * |
| s2 | 30 | mobilenet128_adam | p | 0.5000 | 0.9 | 0.5 | * |
| s2 | 30 | lite0_64_sgd | p | 0.4500 | 0.9 | 0.5 |  |
| s3 | 30 | zap | p | 0.9000 | 0.9 | 0.5 | * |
| s3 | 30 | default | p | 0.1000 | 0.9 | 0.5 |  |
| s3 | 30 | mobilenet128_adam | p | 0.1000 | 0.9 | 0.5 |  |

## Results 16 (a date): s2 again (not a fresh hold-out)

| set | budget | arm | pipeline | final_accuracy | final_nauc | alc | won |
|---|---|---|---|---|---|---|---|
| s2 | 30 | zap | p | 0.9000 | 0.9 | 0.5 | * |
| s2 | 30 | default | p | 0.1000 | 0.9 | 0.5 |  |
| s2 | 30 | mobilenet128_adam | p | 0.1000 | 0.9 | 0.5 |  |
| s2 | 30 | lite0_64_sgd | p | 0.1000 | 0.9 | 0.5 |  |
"""


def test_tables_are_read_per_section_set_and_budget() -> None:
    cases = fresh_summary.section_tables(README, (12, 13))
    assert set(cases) == {(12, "s1", 30.0), (12, "s1", 64.0), (13, "s2", 30.0), (13, "s3", 30.0)}
    assert cases[(13, "s2", 30.0)] == {
        "zap": 0.4, "default": 0.5, "mobilenet128_adam": 0.5, "lite0_64_sgd": 0.45
    }  # fmt: skip
    assert set(fresh_summary.complete(cases)) == {
        (12, "s1", 30.0), (12, "s1", 64.0), (13, "s2", 30.0)
    }  # fmt: skip


def test_summary_counts_wins_levels_and_means_by_hand() -> None:
    lines = fresh_summary.summary_lines(fresh_summary.section_tables(README, (12, 13)))
    assert lines[0].startswith("3 cases on 2 sets: zap beats ") and lines[0].endswith(" in 1")
    # 30 s: s1 won, s2 lost; zap's mean (0.8 + 0.4) / 2, the default's (0.7 + 0.5) / 2
    assert lines[1].startswith("  30 s: 1 of 2; means zap 0.600, default 0.600")
    assert lines[2].startswith("  64 s: 0 of 1; means zap 0.600")
    assert lines[3] == "zap alone against each arm (zap's mean 0.600):"
    assert lines[4] == "  default: higher 2, level 0, lower 1; its mean 0.567"
    assert lines[5] == "  mobilenet128_adam: higher 1, level 1, lower 1; its mean 0.567"
    assert lines[6] == "  lite0_64_sgd: higher 2, level 0, lower 1; its mean 0.483"


def test_a_rerun_section_is_not_counted() -> None:
    assert fresh_summary.summary_lines(fresh_summary.section_tables(README, (12,)))[0].endswith(
        " in 1"
    )
    assert 16 not in fresh_summary.FRESH_RESULTS
    with_rerun = fresh_summary.section_tables(README, (12, 13, 16))
    assert fresh_summary.summary_lines(with_rerun)[0].startswith("4 cases on 2 sets")


def test_the_script_reads_a_readme_and_refuses_a_missing_one(tmp_path: Path) -> None:
    script = Path(fresh_summary.__file__)
    readme = tmp_path / "README.md"
    readme.write_text(README.replace("Results 13", "Results 14"))  # 14 is fresh too
    done = subprocess.run(
        [sys.executable, str(script), "--readme", str(readme)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("3 cases on 2 sets")
    missing = subprocess.run(
        [sys.executable, str(script), "--readme", str(tmp_path / "none.md")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert missing.returncode != 0 and "does not exist" in missing.stderr
