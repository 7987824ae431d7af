"""Fixtures for the sandbox tests: a started Sandbox and real HTTP against it."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

_HERE = Path(__file__).resolve().parent
for _p in (_HERE.parents[1], _HERE):  # the repo root (package) and this folder (helpers)
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

from sandbox_helpers import OAuth  # noqa: E402

from meta_auth_nb.sandbox import Sandbox  # noqa: E402


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox() as s:
        yield s
        assert s.internal_errors == []


@pytest.fixture
def http(sb: Sandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sb.graph_url + "/v25.0", timeout=10) as client:
        yield client


@pytest.fixture
def oauth(sb: Sandbox, http: httpx.Client) -> OAuth:
    return OAuth(sb, http)
