"""Running the repository's notebooks in a real kernel (nbclient), against the sandbox, offline.

Every kernel gets a private config folder, keyring's "fail" backend (so a
saved token stays in the kernel's memory and the developer's keyring is
never touched), no ``META_*`` setting except those a test passes, and the
sandbox autopilot, which plays the attendee at the login panel.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import nbformat
import pytest

from meta_auth_nb.cli.demo import kernel_env, notebook_client
from tests.notebook.conftest import keyring_backend, magics, shell, store  # noqa: F401  (in-process fixtures)

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
CELL_TIMEOUT = 120


def load(name: str, extra_cells: Iterable[str] = ()) -> nbformat.NotebookNode:
    """``notebooks/<name>``, with ``extra_cells`` appended (a test's own checks, never saved back)."""
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nb.cells.extend(nbformat.v4.new_code_cell(source) for source in extra_cells)
    return nb


def execute(
    nb: nbformat.NotebookNode,
    workdir: Path,
    *,
    env: Mapping[str, str] | None = None,
    autopilot: str | None = "alice",
    store_widget_state: bool = False,
) -> nbformat.NotebookNode:
    """Execute ``nb`` top to bottom in a fresh kernel running in ``workdir``; returns it with its outputs.

    Raises nbclient's ``CellExecutionError`` when a cell fails; ``nb`` then
    holds the outputs up to the failure.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    client = notebook_client(nb, workdir, timeout=CELL_TIMEOUT, store_widget_state=store_widget_state)
    client.execute(env=kernel_env(workdir / "config", autopilot=autopilot, extra=env))
    return nb


def code_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [cell for cell in nb.cells if cell.cell_type == "code"]


def cell_text(cell: nbformat.NotebookNode) -> str:
    """Everything a code cell showed, as text: streams, text/plain, text/html, errors."""
    parts = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            parts.append(output.text)
        elif output.output_type == "error":
            parts.append(f"{output.ename}: {output.evalue}")
        else:
            data = output.get("data", {})
            parts.extend(str(data[mime]) for mime in ("text/plain", "text/html") if mime in data)
    return "\n".join(parts)


def cell_with(nb: nbformat.NotebookNode, snippet: str, *, exact: bool = False) -> nbformat.NotebookNode:
    """The first code cell whose source contains ``snippet`` (is ``snippet``, with ``exact``)."""
    for cell in code_cells(nb):
        if (cell.source.strip() == snippet) if exact else (snippet in cell.source):
            return cell
    raise AssertionError(f"no code cell {'is' if exact else 'contains'} {snippet!r}")


@pytest.fixture(scope="module")
def module_tmp(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("notebooks")
