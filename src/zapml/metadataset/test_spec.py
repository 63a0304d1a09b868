from pathlib import Path

import pytest

from zapml.metadataset.spec import SpecError, load_spec, parse_spec

SPECS = Path(__file__).parent / "specs"
EXAMPLE = SPECS / "example.yaml"


def test_example_spec_parses_with_documented_values():
    spec = load_spec(EXAMPLE)
    assert [c.name for c in spec.core_datasets] == ["digits", "animal_mnist", "fashion_mnist"]
    assert spec.core_datasets[0].domain == "handwriting"  # built-in domain table
    assert [c.source for c in spec.candidates] == ["incumbents", "sobol", "random"]
    assert spec.candidates[0].get("facade") == "hyperband"
    assert spec.budget == 60.0 and spec.clock == "compute" and spec.seeds == [0]


def test_hash_ignores_name_but_not_content():
    base = {"core_datasets": ["digits"], "candidates": [{"source": "random", "n": 2}]}
    a = parse_spec({**base, "name": "a"})
    b = parse_spec({**base, "name": "b"})
    c = parse_spec({**base, "budget": 30})
    assert a.hash == b.hash
    assert a.hash != c.hash


def test_relative_paths_resolve_against_the_spec_folder(tmp_path):
    (tmp_path / "cfg").mkdir()
    spec_file = tmp_path / "s.yaml"
    spec_file.write_text("core_datasets: [./my-data]\ncandidates: [{source: yaml, paths: [cfg]}]\n")
    spec = load_spec(spec_file)
    assert spec.core_datasets[0].source == str(tmp_path / "my-data")
    assert spec.core_datasets[0].name == "my_data"  # '-' would break "{seed}-{core}" ids
    assert spec.candidates[0].get("paths") == (str(tmp_path / "cfg"),)


@pytest.mark.parametrize(
    ("bad", "word"),
    [
        ({"candidates": [{"source": "random", "n": 1}]}, "core_datasets"),
        ({"core_datasets": ["d"]}, "candidates"),
        ({"core_datasets": ["d"], "candidates": [{"source": "magic"}]}, "source"),
        ({"core_datasets": ["d"], "candidates": [{"source": "random"}]}, "'n'"),
        (
            {"core_datasets": ["d"], "candidates": [{"source": "random", "n": 1}], "density": 0},
            "density",
        ),
        (
            {"core_datasets": ["d"], "candidates": [{"source": "random", "n": 1}], "clock": "x"},
            "clock",
        ),
        (
            {"core_datasets": ["d"], "candidates": [{"source": "random", "n": 1}], "budgt": 1},
            "budgt",
        ),
        ({"core_datasets": ["d", "d"], "candidates": [{"source": "random", "n": 1}]}, "unique"),
    ],
)
def test_bad_specs_name_the_key(bad, word):
    with pytest.raises(SpecError, match=word):
        parse_spec(bad)


SHIPPED_SPEC = SPECS / "shipped.yaml"
SHIPPED_DB = Path(__file__).parent / "shipped" / "zapml-offline-v1.sqlite"


def test_a_builtin_domain_has_one_name_everywhere():
    from zapml.data.builtin import list_builtin
    from zapml.metadataset.store import Store

    registry = {info.name: info.domain for info in list_builtin()}
    spec = parse_spec({"core_datasets": list(registry), "candidates": [{"source": "random",
                                                                        "n": 1}]})  # fmt: skip
    assert {c.name: c.domain for c in spec.core_datasets} == registry
    # the shipped meta-dataset was built with these names; its spec names no domain itself
    with Store(SHIPPED_DB, create=False) as store:
        stored = store.to_metadataset(with_curves=False).domains
        build_hash = store.builds()["spec_hash"].iloc[-1]
    assert stored == {core: registry[core] for core in stored}
    shipped = load_spec(SHIPPED_SPEC)
    assert "domain:" not in SHIPPED_SPEC.read_text()
    assert shipped.hash == build_hash  # resuming the shipped build still finds its spec
    # a path is no built-in, whatever its name
    path_core = parse_spec({"core_datasets": [{"name": "digits", "path": "./digits.csv"}],
                            "candidates": [{"source": "random", "n": 1}]})  # fmt: skip
    assert path_core.core_datasets[0].domain == "unknown"


SHIPPED_HASH = "d3bc64ffdb89f6a4"  # builds.spec_hash of the shipped store, written by its build


def test_the_shipped_spec_hashes_and_serialises_as_its_build_recorded():
    import json
    import sqlite3

    shipped = load_spec(SHIPPED_SPEC)
    assert shipped.hash == SHIPPED_HASH
    assert shipped.budgets == (4.0,) and shipped.densities == (0.5,)
    assert (shipped.budget, shipped.density) == (4.0, 0.5)
    con = sqlite3.connect(f"{SHIPPED_DB.resolve().as_uri()}?immutable=1", uri=True)
    (stored,) = con.execute("SELECT spec_json FROM builds ORDER BY build_id DESC").fetchone()
    con.close()
    assert json.loads(json.dumps(shipped.to_dict(), default=str)) == json.loads(stored)


BASE = {"core_datasets": ["digits"], "candidates": [{"source": "random", "n": 2}]}


def test_one_budget_as_a_list_is_the_one_budget_spec():
    one = parse_spec({**BASE, "budget": 4, "density": 0.5})
    listed = parse_spec({**BASE, "budgets": [4], "density": {4: 0.5}})
    assert one.hash == listed.hash and one.to_dict() == listed.to_dict()
    assert "budgets" not in one.to_dict() and one.to_dict()["budget"] == 4.0


def test_several_budgets_parse_sorted_with_a_density_each():
    spec = parse_spec({**BASE, "budgets": [64, 4, 16], "density": {16: 0.25, 4: 0.5, 64: 0.125}})
    assert spec.budgets == (4.0, 16.0, 64.0)
    assert spec.densities == (0.5, 0.25, 0.125)
    assert (spec.budget, spec.density) == (4.0, 0.5)  # the smallest budget's
    body = spec.to_dict()
    assert body["budgets"] == [4.0, 16.0, 64.0] and "budget" not in body
    assert body["density"] == {"4": 0.5, "16": 0.25, "64": 0.125}
    keyed_as_text = {"4": 0.5, "16.0": 0.25, 64: 0.125}  # budgets are numbers, however keyed
    assert parse_spec({**BASE, "budgets": [4, 16, 64], "density": keyed_as_text}).hash == spec.hash
    assert spec.hash != parse_spec({**BASE, "budget": 4, "density": 0.5}).hash
    flat = parse_spec({**BASE, "budgets": [4, 16], "density": 0.5})
    assert flat.densities == (0.5, 0.5)
    assert flat.hash == parse_spec({**BASE, "budgets": [4, 16], "density": {4: 0.5, 16: 0.5}}).hash


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        ({"budget": 4, "budgets": [4, 16]}, "not both"),
        ({"budgets": []}, "non-empty list"),
        ({"budgets": 16}, "non-empty list"),
        ({"budgets": [4, 4]}, "twice"),
        ({"budgets": [4, -1]}, "positive seconds"),
        ({"budget": float("nan")}, "positive seconds"),
        ({"budget": 0}, "positive seconds"),
        ({"budgets": [4, 16], "density": {4: 0.5}}, "each budget once"),
        ({"budgets": [4, 16], "density": {4: 0.5, 16: 0.5, 64: 0.1}}, "each budget once"),
        ({"budgets": [4, 16], "density": {4: 0.25, 16: 0.5}}, "non-increasing"),
        ({"budgets": [4, 16], "density": {4: 0.5, 16: 0}}, r"density\[16\]"),
        ({"budgets": [4, 16], "density": 1.5}, "density"),
    ],
)
def test_bad_budgets_name_the_key_and_the_fix(extra, words):
    with pytest.raises(SpecError, match=words):
        parse_spec({**BASE, **extra})


def test_yaml_candidates_hash_by_content_not_location(tmp_path):
    from zapml.space import default_pipeline

    specs = []
    for where in ("here", "there"):
        folder = tmp_path / where / "cfg"
        folder.mkdir(parents=True)
        default_pipeline().to_yaml(folder / "a.yaml")
        spec_file = tmp_path / where / "s.yaml"
        spec_file.write_text(
            "core_datasets: [digits]\ncandidates: [{source: yaml, paths: [cfg]}]\n"
        )
        specs.append(load_spec(spec_file))
    assert specs[0].hash == specs[1].hash
    default_pipeline().replace(lr=0.1).to_yaml(tmp_path / "there" / "cfg" / "a.yaml")
    assert load_spec(tmp_path / "there" / "s.yaml").hash != specs[0].hash


def test_grid_source_parses_into_hashable_axes():
    spec = parse_spec(
        {
            "core_datasets": ["digits"],
            "candidates": [
                {"source": "grid", "axes": {"log2_max_size": [5, 6],
                                            "opt": [{"optimizer": "Adam", "lr": 0.001}]}}
            ],
        }
    )  # fmt: skip
    axes = spec.candidates[0].get("axes")
    assert axes == (("log2_max_size", (5, 6)), ("opt", ((("lr", 0.001), ("optimizer", "Adam")),)))
    assert len(spec.hash) == 16 and hash(spec.candidates[0])
    with pytest.raises(SpecError, match="axes"):
        parse_spec({"core_datasets": ["digits"], "candidates": [{"source": "grid"}]})


def test_focus_tasks_per_core_parses_and_changes_the_hash_only_when_given():
    multi = {**BASE, "budgets": [4, 16, 64], "density": {4: 0.5, 16: 0.2, 64: 0.2}}
    plain = parse_spec(multi)
    assert plain.focus_tasks_per_core == () and "focus_tasks_per_core" not in plain.to_dict()
    focused = parse_spec({**multi, "focus_tasks_per_core": {"64": 2}})
    assert focused.focus_tasks_per_core == ((64.0, 2),)
    assert focused.to_dict()["focus_tasks_per_core"] == {"64": 2}
    assert focused.hash != plain.hash
    assert parse_spec({**multi, "focus_tasks_per_core": {64.0: 2}}).hash == focused.hash


@pytest.mark.parametrize(
    ("focus", "words"),
    [({32: 1}, "not one of the spec's budgets"), ({64: 0}, r"focus_tasks_per_core\[64\]"),
     ({64: 1.5}, "int >= 1"), ([64, 1], "map budgets to task counts")],
)  # fmt: skip
def test_bad_focus_names_the_key(focus, words):
    multi = {**BASE, "budgets": [4, 64], "density": {4: 0.5, 64: 0.2}}
    with pytest.raises(SpecError, match=words):
        parse_spec({**multi, "focus_tasks_per_core": focus})


def test_extends_takes_the_parent_keys_and_replaces_the_given_ones_whole(tmp_path):
    (tmp_path / "parent.yaml").write_text(
        "name: parent\ncore_datasets: [digits, lfw]\ntasks_per_core: 3\ntest_per_class: 7\n"
        "candidates: [{source: random, n: 5}, {source: sobol, n: 2}]\nbudgets: [4, 16]\n"
    )
    (tmp_path / "child.yaml").write_text(
        "extends: parent.yaml\nname: child\ncandidates: [{source: random, n: 1, seed: 9}]\n"
    )
    child = load_spec(tmp_path / "child.yaml")
    written_out = parse_spec(
        {
            "name": "child",
            "core_datasets": ["digits", "lfw"],
            "tasks_per_core": 3,
            "test_per_class": 7,
            "candidates": [{"source": "random", "n": 1, "seed": 9}],  # the list is replaced
            "budgets": [4, 16],
        }
    )
    assert child == written_out and child.hash == written_out.hash


def test_extends_refuses_a_parent_elsewhere_or_a_cycle(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "p.yaml").write_text("core_datasets: [digits]\n")
    (tmp_path / "far.yaml").write_text(
        "extends: sub/p.yaml\ncandidates: [{source: random, n: 1}]\n"
    )
    with pytest.raises(SpecError, match="same folder"):
        load_spec(tmp_path / "far.yaml")
    (tmp_path / "a.yaml").write_text("extends: b.yaml\n")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\n")
    with pytest.raises(SpecError, match="extends it back"):
        load_spec(tmp_path / "a.yaml")


def test_the_recipe_neighbourhood_spec_runs_on_v2s_tasks():
    from zapml.metadataset.tasks import tasks_from_spec

    v2, local = load_spec(SPECS / "v2.yaml"), load_spec(SPECS / "v2-recipe-local.yaml")
    assert tasks_from_spec(local) == tasks_from_spec(v2)  # same ids, classes, sizes, seeds
    assert local.candidates != v2.candidates and local.hash != v2.hash


def _shipped_copy(tmp_path: Path) -> Path:
    """A copy of the shipped v2 store to plan specs against (planning registers their tasks)."""
    import shutil

    from zapml.selectors.recipe import SHIPPED_METADATASET

    db = tmp_path / "v2.sqlite"
    shutil.copy(SHIPPED_METADATASET, db)
    return db


def _planned_at(db: Path, spec_name: str, budget: float) -> list:
    """The cells a shipped spec plans at ``budget`` on the store ``db``, as a build would."""
    from zapml.metadataset.builder import BuildReport, gather_candidates, register_tasks, spec_plan
    from zapml.metadataset.executors import make_executor
    from zapml.metadataset.store import open_store

    spec = load_spec(SPECS / spec_name)
    with open_store(db) as store:
        tasks = register_tasks(store, spec)
        report = BuildReport(db=db, build_id=0, spec_hash=spec.hash)
        ids = gather_candidates(store, spec, tasks, make_executor("local", 0, None), None, report)
    return [c for c in spec_plan(spec, tasks, ids) if c.budget == budget]


def _stored_by(db: Path, spec_files: tuple[str, ...], budget: float) -> set[tuple]:
    """(cell_key, task_id, pipeline_id, seed) of the runs at ``budget`` that the builds of these
    shipped specs stored, read by the builds' names (a block's cells, whatever else ran there)."""
    import sqlite3

    names = [load_spec(SPECS / f).name for f in spec_files]
    marks = ", ".join("?" * len(names))
    with sqlite3.connect(db) as con:
        return set(con.execute(
            "SELECT cell_key, task_id, pipeline_id, seed FROM runs JOIN builds USING (build_id) "
            f"WHERE budget = ? AND name IN ({marks})", (budget, *names)))  # fmt: skip


def test_the_sparse64_seeds_spec_plans_every_stored_sparse_64s_cell(tmp_path):
    # v2's sparse 64-s level was stopped part-way when it was focused; the spec restating that
    # plan must hold every sparse 64-s run the shipped store has, so that building it adds their
    # second seeds and the missing cells, never a third pipeline set
    import sqlite3

    db = _shipped_copy(tmp_path)
    # the 64-s runs of tasks outside the focused block that this plan's builds made (v2-twins.yaml
    # adds its own pipelines to a third task per core dataset)
    sparse_spec = load_spec(SPECS / "v2-sparse64-seeds.yaml")
    builders = (load_spec(SPECS / "v2.yaml").name, sparse_spec.name)
    with sqlite3.connect(db) as con:
        sparse = {k for (k,) in con.execute(
            "SELECT cell_key FROM runs WHERE budget = 64 AND task_id IN (SELECT task_id FROM runs"
            " WHERE budget = 64 GROUP BY task_id HAVING COUNT(DISTINCT pipeline_id) < 10)"
            " AND build_id IN (SELECT build_id FROM builds WHERE name IN (?, ?))", builders
        )}  # fmt: skip
    from zapml.metadataset.tasks import tasks_from_spec

    at64 = _planned_at(db, "v2-sparse64-seeds.yaml", 64)
    tasks = tasks_from_spec(sparse_spec)
    assert len(at64) == 2 * 3 * len(tasks)  # density 0.06 of 48 pipelines: 3 a task, 2 seeds
    assert len(sparse) >= 200 and sparse <= {c.key for c in at64}


def test_the_focus256_seeds_spec_adds_a_seed_to_every_stored_focused_256s_cell(tmp_path):
    # the second task per core dataset got its 256-s cells from v2-focus256.yaml; the sibling
    # spec with two repeats must plan exactly those cells again with seed 1, never another draw
    # (v2-picks256.yaml's later cells on those tasks are its own block, read by build name)
    db = _shipped_copy(tmp_path)
    v2_tasks = {c.task_id for c in _planned_at(db, "v2.yaml", 256)}
    block = _stored_by(db, ("v2-focus256.yaml", "v2-focus256-seeds.yaml"), 256)
    stored = {(task, pipeline, seed) for _, task, pipeline, seed in block if task not in v2_tasks}
    planned = _planned_at(db, "v2-focus256-seeds.yaml", 256)
    focused = {(c.task_id, c.pipeline_id, c.seed) for c in planned}
    focused = {cell for cell in focused if cell[0] not in v2_tasks}
    assert len(v2_tasks) == 12 and len(stored) >= 6 * 12
    seed0 = {cell for cell in stored if cell[2] == 0}
    assert {(t, p, 0) for t, p, _ in focused} == seed0
    assert focused == seed0 | {(t, p, 1) for t, p, _ in seed0}


def test_the_picks64_seeds_spec_plans_each_picks64_cell_again_with_seed_1(tmp_path):
    # v2-picks64.yaml's cells were built pair by pair from a plan of its pipelines on every task
    # (160 pairs, then 75, 34, 8, 7, 7 and 2 more for the selectors retrained on the 13,704-,
    # 13,799-, 14,405-, 14,832-, 14,956- and 15,002-run stores, the 14,956 one's with a tenth
    # pipeline, 5d4e71aa2368, which the LOCO records of the 14,832- and 14,956-run selectors picked
    # at 64 s on three digits tasks; and 11, the 15,068-run selectors' in-sample pick on the
    # clipart tasks); the sibling with two repeats must plan those same pairs with
    # seeds 0 and 1, so its seed-0 cells are the stored ones (skipped), and each stored pair has its
    # seed 1 run
    db = _shipped_copy(tmp_path)
    stored = {(key, t, p) for key, t, p, _ in _stored_by(db, ("v2-picks64.yaml",), 64)}
    seeds = _stored_by(db, ("v2-picks64-seeds.yaml",), 64)
    planned = _planned_at(db, "v2-picks64-seeds.yaml", 64)
    once = _planned_at(db, "v2-picks64.yaml", 64)
    pipelines = {p for _, _, p in stored}
    assert len(stored) == 160 + 75 + 34 + 8 + 7 + 7 + 2 + 11
    assert len(pipelines) == 10 == len({c.pipeline_id for c in once})
    assert len(planned) == 2 * len(once) and {c.seed for c in planned} == {0, 1}
    assert {key for key, _, _ in stored} <= {c.key for c in planned if c.seed == 0}
    assert {c.key for c in once} == {c.key for c in planned if c.seed == 0}
    seed1 = {(c.task_id, c.pipeline_id) for c in planned if c.seed == 1}
    assert {(t, p) for _, t, p in stored} <= seed1
    assert {s for *_, s in seeds} == {1} and len(seeds) == len(stored)
    assert {(t, p) for _, t, p, _ in seeds} == {(t, p) for _, t, p in stored}


def test_the_twins_spec_keeps_the_focused_tasks_and_pairs_each_twin_by_the_simple_model(tmp_path):
    # v2-twins.yaml widens the 64-s focus from 2 to 3 tasks per core dataset: its plan must hold
    # every 64-s cell the recipe and arms blocks stored for its pipelines on the first two (a new
    # task draw would compare the twins on other tasks), and its four MobileNetV2 128 px Adam
    # pipelines must differ pairwise only in the simple model
    import json
    import sqlite3

    db = _shipped_copy(tmp_path)
    at64 = _planned_at(db, "v2-twins.yaml", 64)
    ids = {c.pipeline_id for c in at64}
    tasks = {c.task_id for c in at64}
    with sqlite3.connect(db) as con:
        configs = {
            p: json.loads(c)
            for p, c in con.execute("SELECT pipeline_id, config_json FROM pipelines")
            if p in ids
        }
        # the focused tasks by their 10+ pipelines at 64 s, counted without the later picks64
        # blocks, whose cells raised some third tasks past 10
        later = [load_spec(SPECS / f).name for f in ("v2-picks64.yaml", "v2-picks64-seeds.yaml")]
        stored = {k for (k, p) in con.execute("SELECT cell_key, pipeline_id FROM runs WHERE "
            "budget = 64 AND task_id IN (SELECT task_id FROM runs JOIN builds USING (build_id) "
            "WHERE budget = 64 AND name NOT IN (?, ?) GROUP BY task_id "
            "HAVING COUNT(DISTINCT pipeline_id) >= 10)", later) if p in ids}  # fmt: skip
    # v2-cards.yaml's two focused tasks have 10+ pipelines at 64 s too; v2-twins.yaml's core
    # datasets are v2.yaml's twelve
    stored = {k for k in stored if k.split("|")[0] in tasks}
    assert len(ids) == 6 and len(tasks) == 3 * 12 and len(at64) == 6 * 36 * 2
    assert len(stored) == 6 * 24 * 2 and stored <= {c.key for c in at64}

    def without_simple_model(config: dict) -> str:
        rest = {k: v for k, v in config.items() if k not in ("first_simple_model", "simple_model")}
        return json.dumps(rest, sort_keys=True)

    adam = [c for c in configs.values() if c.get("optimizer") == "Adam"]
    pairs: dict[str, set[bool]] = {}
    for config in adam:
        pairs.setdefault(without_simple_model(config), set()).add(config["first_simple_model"])
    assert len(adam) == 4 and list(pairs.values()) == [{True, False}] * 2


@pytest.mark.parametrize("spec_name", ["v2-picks64", "v2-picks256", "v2-picks256b", "v2-picks4-16"])
def test_each_picks_spec_file_is_named_by_the_pipeline_id_it_plans(tmp_path, spec_name):
    # the picks specs' builds are run with `--pipeline ID` read off these file names, so a file
    # whose config hashes to another id would build nothing (or another pipeline) without a word
    spec = load_spec(SPECS / f"{spec_name}.yaml")
    db = _shipped_copy(tmp_path)
    named = {path.stem.rsplit("-", 1)[1] for path in (SPECS / spec_name).glob("*.yaml")}
    for budget in spec.budgets:
        planned = _planned_at(db, f"{spec_name}.yaml", budget)
        assert {c.pipeline_id for c in planned} == named


def test_the_picks256b_block_runs_its_picks_only_on_the_stored_256s_tasks(tmp_path):
    # v2-picks256b.yaml plans its four pipelines at 256 s on every task; its builds ran only the
    # LOCO records' unmeasured first choices, all on tasks that already had 256-s runs, so the
    # 256-s level keeps its 24 tasks and every stored cell of the block is a seed-0 cell of the plan
    import sqlite3

    db = _shipped_copy(tmp_path)
    block = {(key, t) for key, t, _, _ in _stored_by(db, ("v2-picks256b.yaml",), 256)}
    with sqlite3.connect(db) as con:
        tasks = {t for (t,) in con.execute("SELECT DISTINCT task_id FROM runs WHERE budget = 256")}
    planned = _planned_at(db, "v2-picks256b.yaml", 256)
    assert len(block) >= 20 and len(tasks) == 24 and {t for _, t in block} <= tasks
    assert {key for key, _ in block} <= {c.key for c in planned if c.seed == 0}
    assert len(planned) == 4 * len({c.task_id for c in planned})


def _assert_block_and_seeds_builds_hold_seeds_0_and_1(
    db: Path, specs: tuple[str, str], budget: float, pairs: set[tuple[str, str]] | None = None
) -> set[tuple]:
    """A picks block built with seed 0 and its ``-seeds`` sibling (the same plan, two repeats):
    the sibling's seed-0 plan is the block's, and every run of a block pair at ``budget`` is one
    of the two builds', seeds 0 and 1 exactly. ``pairs`` ((task, pipeline)) limits the check to
    those block pairs (a sibling built for some of them so far). Returns the block's stored runs
    (of those pairs)."""
    import sqlite3

    def kept(runs: set[tuple]) -> set[tuple]:
        return {r for r in runs if pairs is None or (r[1], r[2]) in pairs}

    block = kept(_stored_by(db, specs[:1], budget))
    both = kept(_stored_by(db, specs, budget))
    planned = _planned_at(db, specs[1], budget)
    assert {c.key for c in planned if c.seed == 0} == {
        c.key for c in _planned_at(db, specs[0], budget)
    }
    assert {key for key, *_ in both} <= {c.key for c in planned}
    block_pairs = {(t, p) for _, t, p, _ in block}
    with sqlite3.connect(db) as con:
        runs = [(t, p, s) for t, p, s in con.execute(
            "SELECT task_id, pipeline_id, seed FROM runs WHERE budget = ?", (budget,)
        ) if (t, p) in block_pairs]  # fmt: skip
    assert sorted(runs) == sorted({(t, p, s) for _, t, p, s in both})
    assert sorted(runs) == sorted((t, p, s) for t, p in block_pairs for s in (0, 1))
    return block


# the pipeline v2-picks256b-seeds.yaml ran beyond the block's pairs (both seeds, fortieth
# session), and on how many of the 256-s tasks
EXTENDED_256B, EXTENDED_256B_TASKS = "f9adfd774ff3", 18


def test_the_picks256b_seeds_spec_gives_every_picks256b_pair_its_second_seed(tmp_path):
    # v2-picks256b.yaml's 25 pairs were built with seed 0; v2-picks256b-seeds.yaml (the same plan,
    # two repeats) built seed 1 for each in the thirty-eighth session (and for the 2 pairs of the
    # forty-third right after their seed 0), and no other build ran these pairs at 256 s: each
    # has exactly seeds 0 and 1, one run each, from these two builds.
    # The seeds spec then ran EXTENDED_256B on 256-s tasks the block had left out, both seeds
    import sqlite3

    specs = ("v2-picks256b.yaml", "v2-picks256b-seeds.yaml")
    db = _shipped_copy(tmp_path)
    block_pairs = {(t, p) for _, t, p, _ in _stored_by(db, specs[:1], 256)}
    block = _assert_block_and_seeds_builds_hold_seeds_0_and_1(db, specs, 256, block_pairs)
    assert len({(t, p) for _, t, p, _ in block}) == 25 + 2
    beyond = {
        (t, p, s) for _, t, p, s in _stored_by(db, specs[1:], 256) if (t, p) not in block_pairs
    }
    tasks = {t for t, _, _ in beyond}
    assert len(tasks) == EXTENDED_256B_TASKS
    assert beyond == {(t, EXTENDED_256B, s) for t in tasks for s in (0, 1)}
    with sqlite3.connect(db) as con:
        runs = con.execute("SELECT task_id, pipeline_id, seed FROM runs WHERE budget = 256")
        again = [(t, p, s) for t, p, s in runs if (t, p, s) in beyond]
        level = {t for (t,) in con.execute("SELECT DISTINCT task_id FROM runs WHERE budget = 256")}
    assert len(again) == len(beyond) and len(level) == 24 and tasks <= level


# v2-picks256-seeds.yaml's pipelines, every one with all its tasks seeded, and its pairs in all:
# the whole v2-picks256.yaml block
SEEDED_256, SEEDED_256_PAIRS = (
    {
        "6a8cd27e1bd8",
        "0d954455201b",
        "24c354c0d871",
        "1f8644aefed2",
        "3da4cc81021b",
        "fabd4e3d7e2f",
    },
    (24 + 24 + 21 + 22 + 22 + 21),
)


def test_the_picks256_seeds_spec_gives_the_pipelines_it_ran_every_picks256_task_s_second_seed(
    tmp_path,
):
    # v2-picks256.yaml's 134 pairs were built with seed 0, the store's last one-seed cells;
    # v2-picks256-seeds.yaml gave seed 1 pipeline by pipeline (thirty-ninth to forty-first
    # sessions): every block pair has exactly seeds 0 and 1, from these two builds
    db = _shipped_copy(tmp_path)
    specs = ("v2-picks256.yaml", "v2-picks256-seeds.yaml")
    reached = {(t, p) for _, t, p, _ in _stored_by(db, specs[1:], 256)}
    block = _assert_block_and_seeds_builds_hold_seeds_0_and_1(db, specs, 256, reached)
    all_pairs = {(t, p) for _, t, p, _ in _stored_by(db, specs[:1], 256)}

    def tasks(pairs: set[tuple[str, str]], pipeline: str) -> set[str]:
        return {t for t, p in pairs if p == pipeline}

    complete = {p for _, p in reached if tasks(reached, p) == tasks(all_pairs, p)}
    assert complete == SEEDED_256 and len(reached) == len(block) == SEEDED_256_PAIRS
    assert reached == all_pairs and len(all_pairs) == 134


def test_the_picks4_16_block_ran_only_unmeasured_pairs_and_its_seeds_spec_adds_seed_1(tmp_path):
    # v2-picks4-16.yaml's builds ran the LOCO records' first choices that no run had covered at 4
    # and 16 s (128 and 156 pairs, then 23 and 30 for the selector retrained on the 14,405 runs,
    # 14 and 41 for the one retrained on the 14,832, 9 and 7 for the one retrained on the 14,956,
    # with the 14,832-run one's picks 908054bbc267 and 6a8cd27e1bd8 added to the spec's folder,
    # 13 and 5 for the one retrained on the 15,002),
    # and v2-picks4-16-seeds.yaml gave each of them a second seed:
    # every run of a block pair at that budget is one of these two builds', seeds 0 and 1 exactly
    db = _shipped_copy(tmp_path)
    specs = ("v2-picks4-16.yaml", "v2-picks4-16-seeds.yaml")
    for budget, pairs in ((4, 128 + 23 + 14 + 9 + 13), (16, 156 + 30 + 41 + 7 + 5)):
        block = _assert_block_and_seeds_builds_hold_seeds_0_and_1(db, specs, budget)
        assert len(block) >= pairs and {s for *_, s in block} == {0}


def _cards_tasks() -> list:
    """The 13 tasks of the `cards` core dataset as the planner sees them (id and core only)."""
    from types import SimpleNamespace

    return [SimpleNamespace(id=f"{seed}-cards", core="cards") for seed in range(13)]


def test_the_cards_spec_draws_v2s_plan_over_the_cards_tasks_alone():
    # a thirteenth core dataset in v2.yaml would change the stored tasks' stratified draw, so
    # v2-cards.yaml keeps everything of v2's plan but the core datasets (and two seeds a cell)
    from collections import Counter

    from zapml.metadataset.builder import spec_plan

    v2, cards = load_spec(SPECS / "v2.yaml"), load_spec(SPECS / "v2-cards.yaml")
    assert [c.name for c in cards.core_datasets] == ["cards"] and cards.seeds == [0, 1]
    assert (cards.candidates, cards.budgets, cards.densities) == (
        v2.candidates, v2.budgets, v2.densities)  # fmt: skip
    assert cards.focus_tasks_per_core == v2.focus_tasks_per_core == ((64.0, 2), (256.0, 1))
    plan = spec_plan(cards, _cards_tasks(), [f"p{i:02d}" for i in range(48)])  # v2's 48
    # by hand, per seed: 13 tasks x round(0.5 x 48) at 4 s, 13 x round(0.2 x 48) at 16 s; v2's
    # focus: 2 tasks x round(0.2 x 48) at 64 s, 1 task x round(0.125 x 48) at 256 s
    per_seed = Counter(c.budget for c in plan if c.seed == 0)
    assert per_seed == {4.0: 312, 16.0: 130, 64.0: 20, 256.0: 6}
    assert len(plan) == 2 * sum(per_seed.values())
    pairs = {b: {(c.task_id, c.pipeline_id) for c in plan if c.budget == b} for b in per_seed}
    assert pairs[256.0] <= pairs[64.0] <= pairs[16.0] <= pairs[4.0]  # nested, as v2's


def test_the_cards64_spec_plans_the_corners_four_pipelines_on_every_cards_task():
    from zapml.metadataset.builder import _static_candidates, spec_plan

    spec = load_spec(SPECS / "v2-cards64.yaml")
    ids = [p.id for cand in spec.candidates for p in _static_candidates(cand)]
    # the default, its 128-px twin, the Adam recipe, the probe selector's clipart pick at 64 s
    assert sorted(ids) == ["0d954455201b", "24c354c0d871", "3974307e08e4", "3da4cc81021b"]
    plan = spec_plan(spec, _cards_tasks(), ids)
    assert {c.budget for c in plan} == {64.0} and len(plan) == 13 * 4 * 2
