"""What a scan found: one :class:`Finding` per secret, one :class:`ScanReport` per run, and its exit code.

Plain records, safe to print or dump as JSON: they carry masked previews,
never a secret (the value a finding stands for is kept out of repr and of
:meth:`Finding.to_dict`).

Exit codes: 0 nothing found in everything that was to be read; 1 something
found (also with ``--fix``: a value that was in a file must be treated as
leaked and replaced); 2 usage error (a path that does not exist) or a file
that could not be read or rewritten; 3 nothing found, but some files were not
read (larger than ``--max-bytes``), so the scan cannot vouch for them.
Files of a binary format (images, archives) are not text and do not count.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

__all__ = ["BINARY", "EXIT_CLEAN", "EXIT_ERROR", "EXIT_FOUND", "EXIT_UNREAD", "Finding", "ScanReport"]

EXIT_CLEAN, EXIT_FOUND, EXIT_ERROR, EXIT_UNREAD = 0, 1, 2, 3
#: The ``reason`` of a skipped file of a binary format (not text: it does not change the exit code).
BINARY = "binary"


# ``dataclasses.field`` in full below: Finding has an attribute named ``field``.
@dataclass
class Finding:
    """A secret found in a file.

    Attributes
    ----------
    path : str
        The file, as given or as found while walking a folder.
    kind : str
        See :data:`~meta_auth_nb.scan.detect.KIND_LABELS`.
    preview : str
        The masked value (never the secret).
    known : bool
        The value is one the store knows.
    line, column : int
        1-based, within the file (text files) or within the field (notebooks).
    cell : int or None
        Index in ``nb.cells`` (0-based, as in nbformat), or None.
    cell_type : str or None
    output : int or None
        Index in the cell's ``outputs``, or None.
    output_type : str or None
    field : str or None
        Where in the notebook JSON, e.g. ``cells[3].outputs[0].text`` or
        ``metadata.widgets["application/vnd.jupyter.widget-state+json"].state["…"].state.value``.
    fixed : bool
        Masked in the file by ``--fix``.
    """

    path: str
    kind: str
    preview: str
    known: bool = False
    line: int = 1
    column: int = 1
    cell: int | None = None
    cell_type: str | None = None
    output: int | None = None
    output_type: str | None = None
    field: str | None = None
    fixed: bool = False
    #: The part of ``field`` below the cell/output, e.g. ``data["text/html"]`` (for :meth:`location`).
    detail: str | None = dataclasses.field(default=None, repr=False, compare=False)
    value: str = dataclasses.field(default="", repr=False, compare=False)

    def location(self) -> str:
        """Where, for people: ``cell 3 (code), output 0 (stream) text, line 2``."""
        if self.cell is not None:
            where = f"cell {self.cell}" + (f" ({self.cell_type})" if self.cell_type else "")
            if self.output is not None:
                where += f", output {self.output}" + (f" ({self.output_type})" if self.output_type else "")
            if self.detail:
                where += f" {self.detail}" if self.output is not None else f", {self.detail}"
            return f"{where}, line {self.line}"
        if self.field is not None:
            return f"{self.field}, line {self.line}"
        return f"line {self.line}, column {self.column}"

    def sort_key(self) -> tuple[Any, ...]:
        """File order: cells in order (source before outputs), notebook metadata last."""
        cell = self.cell if self.cell is not None else float("inf")
        output = self.output if self.output is not None else -1
        return (self.path, cell, output, self.field or "", self.line, self.column)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, without the value."""
        return {
            "path": self.path,
            "kind": self.kind,
            "known": self.known,
            "preview": self.preview,
            "cell": self.cell,
            "cell_type": self.cell_type,
            "output": self.output,
            "output_type": self.output_type,
            "field": self.field,
            "line": self.line,
            "column": self.column,
            "fixed": self.fixed,
        }


@dataclass
class ScanReport:
    """Everything one scan saw.

    Attributes
    ----------
    findings : list of Finding
    files_scanned : list of str
    skipped : list of dict
        ``{"path", "reason"}``: ``binary`` (a binary format, not text) or
        ``too large`` (larger than ``--max-bytes``: not read).
    errors : list of dict
        ``{"path", "error"}``: missing paths, unreadable files, a notebook
        ``--fix`` could not rewrite.
    fixed_files : list of str
        Notebooks rewritten by ``--fix``.
    missing : list of str
        Paths that do not exist (a usage error).
    notes : list of str
        Things worth saying that are not errors (an unreadable store, a
        ``.ipynb`` scanned as text).
    """

    findings: list[Finding] = dataclasses.field(default_factory=list)
    files_scanned: list[str] = dataclasses.field(default_factory=list)
    skipped: list[dict[str, str]] = dataclasses.field(default_factory=list)
    errors: list[dict[str, str]] = dataclasses.field(default_factory=list)
    fixed_files: list[str] = dataclasses.field(default_factory=list)
    missing: list[str] = dataclasses.field(default_factory=list)
    notes: list[str] = dataclasses.field(default_factory=list)

    @property
    def unread(self) -> list[dict[str, str]]:
        """The skipped files that may hold text: not read, so not vouched for."""
        return [skipped for skipped in self.skipped if skipped.get("reason") != BINARY]

    @property
    def exit_code(self) -> int:
        """0 clean, 1 something found, 2 missing path or a file that could not be scanned/fixed, 3 files not read."""
        if self.missing:
            return EXIT_ERROR
        if self.findings:
            return EXIT_FOUND
        if self.errors:
            return EXIT_ERROR
        return EXIT_UNREAD if self.unread else EXIT_CLEAN

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` document (no secret in it)."""
        return {
            "version": 1,
            "exit_code": self.exit_code,
            "findings": [f.to_dict() for f in self.findings],
            "files_scanned": len(self.files_scanned),
            "files_with_findings": sorted({f.path for f in self.findings}),
            "fixed_files": list(self.fixed_files),
            "skipped": list(self.skipped),
            "errors": list(self.errors),
            "missing": list(self.missing),
        }
