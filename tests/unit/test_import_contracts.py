"""The import-linter contracts have no holes: one forbidden import planted in a copy of the package breaks each.

Every case copies the package (with pyproject.toml and the contract types in
tools/) to a temporary folder, adds one import, and runs ``lint-imports``
there: it must fail and name the contract. The copy without a plant passes,
so a failure is the plant's doing. Among the plants are the holes the
earlier contracts let through (store importing the sandbox, a new Graph
module importing httpx, ``socket`` and ``urllib.request`` in the Graph core,
a third-party package missing from a list, ``scan`` importing ``auth``,
``frames`` importing ``scan``).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"

LAYERS = "Layers import only downward"
SCANNER = "The scanner reads the token store only"
STDLIB = "The base layer imports only the standard library"
GRAPH_IO = "The Graph core does no I/O"
SANDBOX_ALONE = "The sandbox imports nothing from the client"
SANDBOX_STARTERS = "Only the modules that start the sandbox"
CYCLES = "No import cycles among sibling modules"

#: (contract broken, module that gets the import, the import). A module that does not exist is created.
PLANTS = [
    (LAYERS, "store/memory.py", "from ..auth import verdict"),  # upward
    (LAYERS, "frames.py", "from .scan import detect"),  # frames | scan
    (LAYERS, "graph/policy.py", "from ..store import memory"),  # store | graph
    (LAYERS, "notebook/render.py", "from ..cli import common"),  # cli | notebook
    (SCANNER, "scan/report.py", "from ..auth import verdict"),
    (STDLIB, "_base/urls.py", "import idna"),  # third-party, and on no list
    (GRAPH_IO, "graph/pager_extra.py", "import httpx"),  # a new module of the core
    (GRAPH_IO, "graph/policy.py", "import socket"),
    (GRAPH_IO, "graph/policy.py", "from urllib.request import urlopen"),
    (GRAPH_IO, "graph/insights/tidy.py", "import anyio"),
    (GRAPH_IO, "graph/insights/slices.py", "from ..drivers import transport"),  # the core importing a driver
    (SANDBOX_ALONE, "sandbox/clock.py", "from meta_auth_nb._version import __version__"),
    (SANDBOX_STARTERS, "store/memory.py", "from ..sandbox import Sandbox"),
    (SANDBOX_STARTERS, "auth/headless.py", "from ..sandbox.scenarios import SCENARIOS"),
    (CYCLES, "_base/urls.py", "from . import settings"),  # settings imports urls
]


def _copy(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "meta_auth_nb", tmp_path / "meta_auth_nb", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "tools", tmp_path / "tools", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _lint(where: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"], cwd=where, capture_output=True, text=True, check=False
    )


def _verdicts(report: str) -> dict[str, str]:
    """Contract name -> KEPT or BROKEN, from the summary (where a long name wraps onto a second line)."""
    summary = report.split("dependencies.", 1)[1].split("Contracts:", 1)[0]
    text = " ".join(line for line in summary.split("\n") if line.strip("- "))
    return {name.strip(): verdict for name, verdict in re.findall(r"(.+?) (KEPT|BROKEN)", " ".join(text.split()))}


@pytest.mark.slow
def test_the_package_as_it_is_keeps_every_contract(tmp_path):
    done = _lint(_copy(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    verdicts = _verdicts(done.stdout)
    assert set(verdicts.values()) == {"KEPT"}
    for contract in {plant[0] for plant in PLANTS}:  # every contract the plants break is there, and kept
        assert [name for name in verdicts if name.startswith(contract)], (contract, verdicts)


@pytest.mark.slow
@pytest.mark.parametrize(("contract", "module", "line"), PLANTS, ids=[f"{c[:12]}:{m}:{i}" for c, m, i in PLANTS])
def test_one_planted_import_breaks_the_contract(tmp_path, contract, module, line):
    copy = _copy(tmp_path)
    target = copy / "meta_auth_nb" / module
    before = target.read_text(encoding="utf-8") if target.exists() else '"""A planted module."""\n'
    target.write_text(before + f"\n{line}  # planted\n", encoding="utf-8")
    done = _lint(copy)
    assert done.returncode != 0, done.stdout
    broken = [name for name, verdict in _verdicts(done.stdout).items() if verdict == "BROKEN"]
    assert [name for name in broken if name.startswith(contract)], (broken, done.stdout)
    details = done.stdout.split("Broken contracts", 1)[1]
    assert Path(module).stem in details  # the report names the module that imports


@pytest.mark.slow
def test_the_graph_core_may_still_parse_urls(tmp_path):
    """``urllib.request`` is forbidden in the core, ``urllib.parse`` (no I/O) is not: the contract reads statements."""
    copy = _copy(tmp_path)
    target = copy / "meta_auth_nb" / "graph" / "policy.py"
    target.write_text(target.read_text(encoding="utf-8") + "\nfrom urllib import parse  # planted\n", encoding="utf-8")
    done = _lint(copy)
    assert done.returncode == 0, done.stdout
