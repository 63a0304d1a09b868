"""The HTML benchmark report: one self-contained file whose tables hold values worked out by hand,
whose plots are inline PNGs, and which a real headless Chromium (Debian ``chromium``) loads,
lays out and paints: the dumped DOM has the tables and images, the screenshot is not blank."""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from zapml.evaluation.html import REPORT_NAME, render_html, save_html_report

#: three held-out groups x two tasks, at budgets 4 and 16. Oracle 1 and random 0 on every row,
#: so a selector's normalised regret is 1 - its mean chosen value; single best 0.5, so its gap
#: closed is (mean - 0.5) / 0.5. "steady" on task i picks 0.5 + i/100 at 4 and 0.6 + i/100 at
#: 16: means 0.525 and 0.625, 0.575 overall -> regret 0.475, 0.375, 0.425; gap closed 0.150.
#: The last name holds markup, which the page must show as text, never as tags.
ODD = "<b>odd&name</b>"
CHOICE = {
    "perfect": lambda i, budget: 1.0,
    "coin": lambda i, budget: 0.0,
    "steady": lambda i, budget: (0.5 if budget == 4 else 0.6) + i / 100,
    ODD: lambda i, budget: (0.3 if budget == 4 else 0.7) + 2 * i / 100,
}
SELECTORS = [*CHOICE, "oracle"]
#: CD diagram, overall box plot, per-group panels, regret against budget
N_PLOTS = 4


def synthetic_records(n_groups: int = 3, budgets: tuple[float, ...] = (4.0, 16.0)) -> pd.DataFrame:
    rows = []
    for i in range(2 * n_groups):
        for budget in budgets:
            task = {"seed": 0, "held_out": f"group{i // 2}", "task_id": f"t{i}@{budget:g}",
                    "budget": budget, "oracle_alc": 1.0, "random_alc": 0.0,
                    "single_best_alc": 0.5, "objective": "final"}  # fmt: skip
            for name, pick in [*CHOICE.items(), ("oracle", lambda i, b: 1.0)]:
                rows.append({**task, "selector": name, "chosen_alc": pick(i, budget)})
    return pd.DataFrame(rows)


class _Tables(HTMLParser):
    """Every table of a page as rows of cell texts, its caption, and every image source."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.captions: list[str] = []
        self.images: list[str] = []
        self._cell: list[str] | None = None
        self._in_caption = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "caption":
            self._in_caption = True
            self.captions.append("")
        elif tag == "img":
            self.images.append(dict(attrs).get("src") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "caption":
            self._in_caption = False

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        elif self._in_caption:
            self.captions[-1] += data


def parse(page: str) -> _Tables:
    parser = _Tables()
    parser.feed(page)
    return parser


def _table(parsed: _Tables, caption: str) -> dict[str, dict[str, str]]:
    """The table whose caption starts with ``caption``: first-column name -> header -> cell."""
    (index,) = [k for k, c in enumerate(parsed.captions) if c.startswith(caption)]
    header, *rows = parsed.tables[index]
    return {row[0]: dict(zip(header, row, strict=True)) for row in rows}


def _assert_png_uris(sources: list[str]) -> None:
    assert len(sources) == N_PLOTS
    for src in sources:
        prefix, _, payload = src.partition(",")
        assert prefix == "data:image/png;base64"
        assert base64.b64decode(payload)[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    """The synthetic records' report, drawn once (its plots take most of a test's time)."""
    return save_html_report(synthetic_records(), tmp_path_factory.mktemp("html") / "out")


def test_page_tables_hold_values_by_hand_and_every_plot_is_inline(report):
    assert report.name == REPORT_NAME and [p.name for p in report.parent.iterdir()] == [REPORT_NAME]
    page = report.read_text(encoding="utf-8")
    links = re.findall(r"\b(?:src|href)\s*=\s*[\"']?([^\"'\s>]*)", page)
    assert len(links) == N_PLOTS and all(link.startswith("data:") for link in links)
    assert "http://" not in page and "https://" not in page
    parsed = parse(page)
    _assert_png_uris(parsed.images)
    summary = _table(parsed, "every selector")
    assert set(summary) == set(SELECTORS)  # the odd name arrives as text
    assert summary["steady"]["norm. regret"] == "0.425"
    assert summary["steady"]["gap closed vs SB"] == "0.150"
    assert summary["perfect"]["norm. regret"] == "0.000"
    assert summary["coin"]["norm. regret"] == "1.000"
    assert summary["steady"]["mean final NAUC"] == "0.5750"  # objective read from the records
    assert _table(parsed, "budget 4 ")["steady"]["norm. regret"] == "0.475"
    assert _table(parsed, "budget 16 ")["steady"]["norm. regret"] == "0.375"
    # perfect wins all 12 rows (rank 1), coin loses all (rank 4)
    ranks = _table(parsed, "average rank")
    assert ranks["perfect"]["avg rank"] == "1.00" and ranks["coin"]["avg rank"] == "4.00"
    assert set(_table(parsed, "pairwise")) == set(CHOICE)
    groups = _table(parsed, "normalised regret per held-out group")
    # group1 holds tasks 2 and 3: steady picks .52 .53 at 4 and .62 .63 at 16 -> regret .425
    assert set(groups) == {"group0", "group1", "group2"} and groups["group1"]["steady"] == "0.425"
    assert "<b>odd" not in page and "&lt;b&gt;odd&amp;name" in page


def test_few_tasks_and_one_budget_say_why_and_leave_out_the_budget_section(tmp_path):
    records = synthetic_records(n_groups=2, budgets=(4.0,))  # 4 tasks: too few for the tests
    page = render_html(records, about={"meta-dataset": "hand-made"})
    parsed = parse(page)
    assert "Skipped: 4 held-out task(s)" in page and "at least 5" in page
    assert len(parsed.images) == 2  # box plot and per-group panels; no CD diagram, no budgets
    assert 'id="budgets"' not in page and "hand-made" in page
    with pytest.raises(ValueError, match="No benchmark records"):
        render_html(records.iloc[:0])


CHROMIUM = shutil.which("chromium")
#: a cold headless Chromium starts in about a second here; a minute means it hung
CHROMIUM_TIMEOUT_S = 60


def _chromium(*args: str, profile: Path) -> str:
    assert CHROMIUM is not None
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
               f"--user-data-dir={profile}", *args]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=CHROMIUM_TIMEOUT_S)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.mark.skipif(
    CHROMIUM is None,
    reason="Debian package 'chromium' is not installed (scripts/setup.sh installs it as root: "
    "apt-get install --no-install-recommends chromium)",
)
def test_chromium_loads_the_page_and_paints_tables_and_plots(report, tmp_path):
    from PIL import Image

    shot = tmp_path / "shot.png"
    page = report.resolve().as_uri()
    # one start does both: the DOM after load on stdout, the painted page as a PNG
    dom = parse(_chromium("--dump-dom", f"--screenshot={shot}", "--window-size=1200,2000", page,
                          profile=tmp_path / "profile"))  # fmt: skip
    summary = _table(dom, "every selector")  # as Chromium parsed and built it
    assert set(summary) == set(SELECTORS) and summary["steady"]["norm. regret"] == "0.425"
    _assert_png_uris(dom.images)
    pixels = np.asarray(Image.open(shot).convert("RGB"), dtype=np.int64)
    assert pixels.shape == (2000, 1200, 3)
    # a blank or failed page is one colour; text, tables and plots give many and a spread
    assert pixels.std() > 20
    colours = (pixels[..., 0] << 16) | (pixels[..., 1] << 8) | pixels[..., 2]
    assert len(np.unique(colours)) > 100
