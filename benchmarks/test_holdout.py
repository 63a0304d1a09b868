"""The hold-out sets' plans and split rules, the recipe YAMLs, and the benchmark's table logic.
Checks that read a Debian package skip, naming it, where it is not installed."""

from __future__ import annotations

import json
import shutil
import sys
import threading
from collections import Counter
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent / "holdout"))
import bench_holdout  # noqa: E402
import holdout_sets  # noqa: E402
import prepare  # noqa: E402
import recipes  # noqa: E402
from holdout_sets import Item  # noqa: E402
from plan_checks import assert_leak_free_plan, skip_unless_installed  # noqa: E402

from zapml.space import Pipeline, default_pipeline  # noqa: E402

needs = skip_unless_installed


# ------------------------------------------------------------------------------- split rules


def test_split_groups_is_seeded_and_keeps_both_sides():
    groups = [f"g{i}" for i in range(10)]
    test = holdout_sets.split_groups(groups, "key")
    assert test == holdout_sets.split_groups(list(reversed(groups)), "key")  # order-free
    assert len(test) == 3 and test < set(groups)  # round(0.3 * 10)
    assert len(holdout_sets.split_groups(["a", "b"], "k")) == 1  # never all groups
    assert holdout_sets.split_groups(["a", "b", "c"], "k", fraction=0.01) != set()
    with pytest.raises(ValueError, match="at least 2 groups"):
        holdout_sets.split_groups(["a", "a"], "k")


def test_unique_icons_drops_shared_pictures_and_repeats_within_a_faction():
    icons = [
        ("egypt", "units/a", Path("e1")),
        ("egypt", "units/b", Path("e2")),  # same picture as e1: a repeat, dropped
        ("egypt", "units/c", Path("e3")),  # also in norsemen: no faction, dropped
        ("norsemen", "units/d", Path("n1")),
        ("norsemen", "units/e", Path("n2")),
    ]
    pictures = {"e1": "x", "e2": "x", "e3": "shared", "n1": "shared", "n2": "y"}
    kept = holdout_sets.unique_icons(icons, lambda p: pictures[str(p)])
    assert [str(p) for _, _, p in kept] == ["e1", "n2"]


def test_evenly_spaced_spreads_views_over_the_turntable():
    views = [Path(f"v{i}") for i in range(32)]
    assert [p.name for p in holdout_sets.evenly_spaced(views, 4)] == ["v0", "v8", "v16", "v24"]
    assert holdout_sets.evenly_spaced(views[:3], 10) == views[:3]


# ------------------------------------------------------------------------------------- plans


def check_plan(items: list[Item], classes: int, low: int, high: int) -> None:
    """A usable, leak-free plan of ``low``-``high`` images, the same twice."""
    assert_leak_free_plan(items, classes)
    assert low <= len(items) <= high


def test_cards_plan_splits_by_deck_family_and_leaves_out_openclipart_decks():
    needs("cards")
    items = holdout_sets.plan_cards()
    check_plan(items, classes=13, low=500, high=800)
    decks = {i.source.parent.name for i in items}
    assert len(decks) == 12 and not decks & set(holdout_sets.CARD_DECKS_LEFT_OUT)
    oxygen = {i.split for i in items if i.source.parent.name.startswith("svg-oxygen")}
    assert len(oxygen) == 1  # the three oxygen variants sit on one side
    assert Counter(i.label for i in items)["ace"] == 4 * 12


def test_freedroid_plan_splits_by_item():
    needs("freedroid")
    items = holdout_sets.plan_freedroid()
    check_plan(items, classes=7, low=300, high=1500)
    assert {i.label for i in items} >= {"weapons", "armours", "addons"}


def test_megaglest_plan_splits_by_unit_without_particles_or_repeats():
    needs("megaglest")
    items = holdout_sets.plan_megaglest()
    check_plan(items, classes=7, low=250, high=600)
    assert not [i for i in items if "particle" in i.source.stem]
    digests = [holdout_sets.pixel_digest(i.source) for i in items]
    assert len(set(digests)) == len(digests)


def test_render_card_crops_to_the_card_for_drawn_and_embedded_decks():
    needs("cards")
    if shutil.which("rsvg-convert") is None:
        pytest.skip("rsvg-convert is not installed (Debian librsvg2-bin)")
    root = holdout_sets.CARD_ROOT
    drawn = prepare.render_card(root / "svg-standard" / "standard.svgz", "queen_heart")
    embedded = prepare.render_card(root / "svg-konqi-modern" / "konqi.svgz", "queen_heart")
    for card in (drawn, embedded):
        assert card.mode == "RGB" and card.height == prepare.CARD_HEIGHT
        assert 0.5 < card.width / card.height < 0.9  # a portrait card, not a wide canvas
        assert card.getextrema() != ((255, 255), (255, 255), (255, 255))  # not blank


# ----------------------------------------------------------------------------------- recipes


def test_committed_recipes_match_the_code_and_the_issue():
    arms = recipes.recipe_pipelines()
    for arm, pipe in arms.items():
        assert Pipeline.from_yaml(recipes.recipe_path(arm)) == pipe, f"rerun recipes.py ({arm})"
    assert arms["default"] == default_pipeline()
    adam, lite = arms["mobilenet128_adam"], arms["lite0_64_sgd"]
    assert (adam.architecture, adam["log2_max_size"], adam["optimizer"], adam["lr"]) == (
        "mobilenetv2_100",
        7,
        "Adam",
        1e-3,
    )
    assert (lite.architecture, lite["log2_max_size"], lite["optimizer"]) == (
        "efficientnet_lite0",
        6,
        "SGD",
    )
    assert (lite["lr"], lite["momentum"]) == (0.01, 0.9)
    assert adam["batch_size"] == lite["batch_size"] == default_pipeline()["batch_size"]


# ------------------------------------------------------------------------------- benchmark


def test_zap_arm_runs_without_pipeline_and_recipes_with_theirs():
    zap = bench_holdout.Run("cards", 30.0, 1, "zap").command(Path("/d"), Path("/o"))
    recipe = bench_holdout.Run("cards", 30.0, 1, "lite0_64_sgd").command(Path("/d"), Path("/o"))
    assert "--pipeline" not in zap and zap[zap.index("--clock") + 1] == "compute"
    assert recipe[recipe.index("--pipeline") + 1].endswith("lite0_64_sgd.yaml")
    assert recipe[recipe.index("-o") + 1] == "/o/cards/b30/s1/lite0_64_sgd"


def cell(*accuracies: float, pipeline: str = "p") -> bench_holdout.Cell:
    results = [{"final_accuracy": a, "final_nauc": a, "alc": a / 2} for a in accuracies]
    return bench_holdout.Cell(results=results, pipelines=[pipeline])


def test_summary_counts_cases_where_zap_beats_every_other_arm():
    arms = ["zap", "default", "r1"]
    cells = {
        ("a", 30.0, "zap"): cell(0.8, 0.6, pipeline="z"),  # mean 0.7 beats both
        ("a", 30.0, "default"): cell(0.6, 0.6, pipeline="d"),
        ("a", 30.0, "r1"): cell(0.69, 0.69, pipeline="r"),
        ("b", 30.0, "zap"): cell(0.5, 0.5, pipeline="d"),  # the default's own pipeline: a tie
        ("b", 30.0, "default"): cell(0.5, 0.5, pipeline="d"),
        ("b", 30.0, "r1"): cell(0.1, 0.1, pipeline="r"),
        ("c", 30.0, "zap"): cell(0.9),  # a seed missing: not counted
        ("c", 30.0, "default"): cell(0.1, 0.1),
        ("c", 30.0, "r1"): cell(0.1, 0.1),
    }
    summary = bench_holdout.zap_summary(cells, arms, seeds=2)
    assert "in 1 of 2 (set, budget) cases" in summary
    assert "in 1 of them zap ran another arm's own pipeline" in summary
    assert bench_holdout.winners(cells, "b", 30.0) == ["default", "zap"]
    rows = bench_holdout.table_rows(cells, arms, seeds=2)
    first = rows[0]
    assert (first["arm"], first["final_accuracy"], first["alc"], first["won"]) == (
        "zap",
        "0.7000",
        "0.3500",
        "*",
    )
    assert [r["seeds"] for r in rows if r["set"] == "c"] == ["1/2", "2/2", "2/2"]


def test_head_to_head_counts_zap_against_each_arm_alone():
    arms = ["zap", "default", "r1"]
    cells = {
        ("a", 30.0, "zap"): cell(0.8, 0.6),  # 0.7: above the default, below r1
        ("a", 30.0, "default"): cell(0.5, 0.5),
        ("a", 30.0, "r1"): cell(0.9, 0.7),
        ("a", 64.0, "zap"): cell(0.4, 0.4),  # 0.4: equal to the default, above r1
        ("a", 64.0, "default"): cell(0.3, 0.5),
        ("a", 64.0, "r1"): cell(0.2, 0.2),
        ("b", 30.0, "zap"): cell(0.9),  # a seed missing: not a case
        ("b", 30.0, "default"): cell(0.1, 0.1),
        ("b", 30.0, "r1"): cell(0.1, 0.1),
    }
    assert bench_holdout.complete_cases(cells, arms, seeds=2) == [("a", 30.0), ("a", 64.0)]
    lines = bench_holdout.head_to_head(cells, arms, seeds=2).splitlines()
    # means over the two cases, by hand: zap (0.7 + 0.4) / 2, default (0.5 + 0.4) / 2,
    # r1 (0.8 + 0.2) / 2
    assert lines == [
        "zap alone against each arm over 2 cases (zap's mean 0.5500):",
        "  default: zap higher in 1, equal in 1, lower in 0; default's mean 0.4500",
        "  r1: zap higher in 1, equal in 0, lower in 1; r1's mean 0.5000",
    ]
    assert bench_holdout.head_to_head(cells, ["zap"], seeds=2) == ""


def test_equal_test_image_counts_are_level_whatever_the_float_sums():
    """The kanji runs at 128 compute-s: 116 + 115 and 118 + 113 correct of 120 test images per
    seed give the same mean, 0.9625, but the float means differ in the last bit."""
    arms = ["zap", "default", "r1"]
    zap_seeds, r1_seeds = (116 / 120, 115 / 120), (118 / 120, 113 / 120)
    assert sum(zap_seeds) / 2 != sum(r1_seeds) / 2  # the trap
    cells = {
        ("k", 128.0, "zap"): cell(*zap_seeds),
        ("k", 128.0, "default"): cell(0.5, 0.5),
        ("k", 128.0, "r1"): cell(*r1_seeds),
    }
    assert bench_holdout.winners(cells, "k", 128.0) == ["r1", "zap"]
    assert "in 0 of 1 (set, budget) cases" in bench_holdout.zap_summary(cells, arms, seeds=2)
    lines = bench_holdout.head_to_head(cells, arms, seeds=2).splitlines()
    assert lines[2] == "  r1: zap higher in 0, equal in 1, lower in 0; r1's mean 0.9625"


def test_pipeline_label_names_freeze_and_id_so_neighbours_differ(tmp_path):
    for name, freeze in (("recipe", 0.0), ("neighbour", 0.3)):
        folder = tmp_path / name
        folder.mkdir()
        values = {"architecture": "mobilenetv2_100", "log2_max_size": 7, "optimizer": "Adam"}
        values |= {"lr": 0.001, "freeze_portion": freeze}
        (folder / "pipeline.yaml").write_text(yaml.safe_dump(values))
        (folder / "result.json").write_text(json.dumps({"pipeline_id": f"id-{name}"}))
    recipe = bench_holdout.describe_pipeline(tmp_path / "recipe")
    neighbour = bench_holdout.describe_pipeline(tmp_path / "neighbour")
    assert recipe == "mobilenetv2_100 128px Adam lr 0.001 [id-recipe]"
    assert neighbour == "mobilenetv2_100 128px Adam lr 0.001 freeze 30% [id-neighbour]"


def test_summary_claims_no_win_when_zap_runs_alone():
    cells = {("a", 30.0, "zap"): cell(0.8, 0.6)}
    summary = bench_holdout.zap_summary(cells, ["zap"], seeds=2)
    assert "beats" not in summary and "no comparison" in summary


def test_collect_runs_jobs_at_once_and_keeps_the_runs_order(monkeypatch, tmp_path):
    runs = [bench_holdout.Run("cards", 30.0, seed, "zap") for seed in (0, 1)]
    second_started = threading.Event()

    def fake_run_one(run, data_root, out, timeout):
        if run.seed == 1:
            second_started.set()
            return {"status": "ok", "final_accuracy": 0.5}
        # The first run only finishes once the second has started: with one job at a time
        # this wait would time out and the run would report that it ran alone.
        together = second_started.wait(timeout=10)
        return {"status": "ok", "final_accuracy": 0.9 if together else 0.0}

    monkeypatch.setattr(bench_holdout, "run_one", fake_run_one)
    monkeypatch.setattr(bench_holdout, "describe_pipeline", lambda folder: "p")
    cells, rows = bench_holdout.collect(runs, tmp_path, tmp_path, None, jobs=2)
    assert [(r["seed"], r["final_accuracy"]) for r in rows] == [(0, 0.9), (1, 0.5)]
    assert cells[("cards", 30.0, "zap")].mean("final_accuracy") == pytest.approx(0.7)
    with pytest.raises(SystemExit):
        bench_holdout.parse_args(["--jobs", "0"])


def test_the_constant_answer_floor_is_the_most_frequent_test_class_share(tmp_path):
    # 3 + 5 + 2 test images: always answering "b" scores 5 of 10; a tie goes to the first name
    info = {"test": {"c": 2, "b": 5, "a": 3}}
    assert prepare.constant_answer_floor(info) == ("b", 5, 10)
    assert prepare.constant_answer_floor({"test": {"y": 4, "x": 4}}) == ("x", 4, 8)
    assert prepare.describe_floor(info) == "0.500 (b, 5 of 10)"
    for name, test in (("one", {"b": 5, "a": 3, "c": 2}), ("two", {"p": 1, "q": 3})):
        (tmp_path / name).mkdir()
        (tmp_path / name / prepare.MANIFEST).write_text(json.dumps({"test": test}))
    assert bench_holdout.floors(tmp_path, ["one", "two"]) == (
        "always answering the most frequent test class scores: "
        "one 0.500 (b, 5 of 10); two 0.750 (q, 3 of 4)"
    )
