"""The versions table: the default, and what is said about a pinned version's Marketing API end date."""

from __future__ import annotations

from datetime import date

import pytest

from meta_auth_nb._base import settings, versions
from meta_auth_nb._base.versions import DEFAULT_GRAPH_VERSION, VERSIONS, version_notice


def test_default_is_the_newest_version_and_settings_use_it():
    assert DEFAULT_GRAPH_VERSION == "v27.0" == VERSIONS[-1].name
    assert settings.Settings().graph_version == DEFAULT_GRAPH_VERSION
    numbers = [versions.version_number(v.name) for v in VERSIONS]
    assert numbers == sorted(numbers)  # oldest first, as documented


@pytest.mark.parametrize(
    ("version", "today", "words"),
    [
        ("v25.0", date(2026, 11, 30), "end on 2027-02-23 (in 85 days)"),
        ("v25.0", date(2027, 2, 22), "(tomorrow)"),
        ("v25.0", date(2027, 2, 23), "ended on 2027-02-23"),
        ("v24.0", date(2026, 11, 30), "ended on 2026-11-10"),
        ("v19.0", date(2026, 11, 30), "no longer serves Marketing API calls"),
    ],
)
def test_notice_for_ended_and_ending_versions(version, today, words):
    notice = version_notice(version, today)
    assert notice is not None and words in notice
    assert "META_GRAPH_VERSION=v27.0" in notice and "2635" in notice


@pytest.mark.parametrize(
    ("version", "today"),
    [
        ("v25.0", date(2026, 11, 24)),  # 91 days before its end
        ("v26.0", date(2026, 11, 30)),  # no end announced
        ("v27.0", date(2030, 1, 1)),
        ("v31.0", date(2026, 11, 30)),  # newer than this table: nothing known against it
        ("latest", date(2026, 11, 30)),
    ],
)
def test_no_notice_when_nothing_is_due(version, today):
    assert version_notice(version, today) is None
