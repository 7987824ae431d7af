"""The insights progress bar as a notebook shows it (a ``tqdm.notebook`` widget): full and green, or short and red."""

from __future__ import annotations

import pytest

from meta_auth_nb.graph.drivers.progress import ProgressBar
from meta_auth_nb.graph.insights.state import InsightsProgress

notebook_tqdm = pytest.importorskip("tqdm.notebook").tqdm


def shown(bar: ProgressBar, *looks: InsightsProgress):
    for look in looks:
        bar(look)
    bar.close()
    _, meter, words = bar._bar.container.children
    return meter, words.value.replace("\u2007", " ")  # tqdm spaces its words with figure spaces


def test_a_whole_pull_ends_full_and_green():
    meter, words = shown(
        ProgressBar(make=notebook_tqdm),
        InsightsProgress(0, 3, 0, reason="starting"),
        InsightsProgress(2, 3, 800),
        InsightsProgress(3, 3, 1_680),
    )
    assert (meter.value, meter.max, meter.bar_style) == (3, 3, "success")
    assert "3/3" in words and "1,680 rows" in words and "missing" not in words


def test_a_pull_with_a_slice_missing_ends_short_of_full_and_red():
    meter, words = shown(
        ProgressBar(make=notebook_tqdm),
        InsightsProgress(1, 3, 560),
        InsightsProgress(3, 3, 1_120, failed=1, reason="incomplete"),
    )
    assert (meter.value, meter.max, meter.bar_style) == (2, 3, "danger")
    assert "2/3" in words and "1,120 rows, 1 slice missing; incomplete" in words and words.count("missing") == 1


def test_the_bar_waits_for_a_plan_and_takes_the_room_its_words_leave():
    bar = ProgressBar(make=notebook_tqdm)
    bar(InsightsProgress(0, 0, 0, reason="checking the ids"))
    assert bar._bar is None  # no bar with no total: it would stay a sliver at "100%"
    bar(InsightsProgress(0, 4, 0))
    container = bar._bar.container
    meter = container.children[1]
    assert container.layout.width == "100%" and meter.layout.flex and meter.layout.min_width == "12em"
    bar(InsightsProgress(1, 6, 10, reason="a slice was split in two"))  # a split: the maximum follows
    assert meter.max == 6 and meter.value == 1
    bar.close()


def test_the_counts_in_words_agree_with_the_bar():
    look = InsightsProgress(3, 3, 1_120, failed=1, reason="waiting")
    assert (look.arrived, look.counted) == (2, "2/3 slices, 1,120 rows, 1 slice missing")
    assert str(look) == "2/3 slices, 1,120 rows, 1 slice missing; waiting"
    assert InsightsProgress(5, 5, 10, failed=2).tally == "10 rows, 2 slices missing"
