"""Picks build commands: unmeasured first choices grouped, each sent to the spec that plans it."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_picks_commands as picks  # noqa: E402


def _records() -> pd.DataFrame:
    # two seeds name 27d506828b0c on 1-a at 4 s (one pair); 0-b's 4-s pick had run (observed);
    # 0123456789ab is no pipeline of any picks folder (a made-up id, so adding picks to the folders
    # cannot plan it)
    rows = [
        ("1-a@4", 4.0, "27d506828b0c", False),
        ("1-a@4", 4.0, "27d506828b0c", False),
        ("0-c@4", 4.0, "27d506828b0c", False),
        ("0-b@4", 4.0, "27d506828b0c", True),
        ("0-b@64", 64.0, "27d506828b0c", False),
        ("0-b@256", 256.0, "27d506828b0c", False),
        ("0-b@256", 256.0, "3da4cc81021b", False),
        ("2-d@64", 64.0, "0123456789ab", False),
    ]
    return pd.DataFrame(rows, columns=["task_id", "budget", "top_pipeline", "top_observed"])


def test_unmeasured_pairs_are_grouped_by_budget_and_pipeline_once_each():
    groups = picks.unmeasured_pairs(_records())
    assert groups == {
        (4.0, "27d506828b0c"): ["0-c", "1-a"],
        (64.0, "27d506828b0c"): ["0-b"],
        (256.0, "27d506828b0c"): ["0-b"],
        (256.0, "3da4cc81021b"): ["0-b"],
        (64.0, "0123456789ab"): ["2-d"],
    }


def test_each_group_goes_to_the_first_spec_that_plans_its_pipeline_at_its_budget():
    # by the shipped specs' folders: 27d506828b0c is in v2-picks4-16 (4, 16 s), v2-picks64 and
    # v2-picks256b; the default 3da4cc81021b in v2-picks256 (first by file name) and v2-picks4-16
    groups = picks.unmeasured_pairs(_records())
    lines, unplanned = picks.commands(groups, picks.picks_specs(picks.SPECS), "S.sqlite", 2)
    tail = "--db S.sqlite --force --budget {} --workers 2 --no-progress --pipeline {} {}"
    expected = [
        ("v2-picks4-16", tail.format(4, "27d506828b0c", "--task 0-c --task 1-a")),
        ("v2-picks64", tail.format(64, "27d506828b0c", "--task 0-b")),
        ("v2-picks256b", tail.format(256, "27d506828b0c", "--task 0-b")),
        ("v2-picks256", tail.format(256, "3da4cc81021b", "--task 0-b")),
    ]
    assert len(lines) == len(expected)
    for line, (spec, rest) in zip(lines, expected, strict=True):
        assert line.startswith("zap metadataset build ") and line.endswith(rest)
        assert Path(line.split()[3]).name == f"{spec}.yaml"
    assert unplanned == {(64.0, "0123456789ab"): ["2-d"]}


def test_seeds_siblings_are_not_picks_specs():
    names = [spec.path.name for spec in picks.picks_specs(picks.SPECS)]
    assert names == sorted(names) and "v2-picks4-16.yaml" in names
    assert not [name for name in names if name.endswith("-seeds.yaml")]


def test_a_missing_records_file_is_named_with_the_records_beside_it(tmp_path, monkeypatch, capsys):
    (tmp_path / "final-trivial-10cells-s0.pkl").write_bytes(b"")
    missing = tmp_path / "final.pkl"
    monkeypatch.setattr(sys, "argv", ["bench_picks_commands.py", str(missing), "--db", "x"])
    with pytest.raises(SystemExit) as stop:
        picks.main()
    assert stop.value.code == 2
    error = capsys.readouterr().err
    assert f"no records file {missing}" in error
    assert "final-trivial-10cells-s0.pkl" in error
