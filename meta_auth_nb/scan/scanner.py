"""``meta-auth scan``: find Meta access tokens and app secrets in notebooks and text files.

Sits on top beside the CLI (imports the base layer, and the store and
``nbformat`` lazily). One job: say where a secret was left in a file, with a
masked preview, and optionally mask it in notebooks.

What counts as a secret
-----------------------
* **access_token**: anything shaped like a Meta token
  (:data:`~meta_auth_nb.redact.TOKEN_PATTERN`, ``EAA`` + 20 or more letters/digits);
* **app_token**: ``APP_ID|SECRET`` (:data:`~meta_auth_nb.redact.APP_TOKEN_PATTERN`);
* **app_secret**: 32 hex characters, but only next to a name that says so
  (``app_secret``, ``client_secret``, ``META_APP_SECRET``, ``AppSecret`` ...)
  or under such a JSON key, or in a widget whose description says so. A bare
  32-hex string is also an MD5 digest, a UUID without dashes, a widget model
  id: flagging all of them would make the hook useless;
* **known_secret**: any value the token store holds (tokens and app secrets of
  every profile, ``META_ACCESS_TOKEN``), whatever its shape. Also any value
  passed as ``known=`` to :func:`scan_paths`.

Where it looks
--------------
In a notebook (``*.ipynb``): every cell's source, attachments and metadata;
every output (stream text, each text-like MIME type of execute_result and
display_data, error name/value/traceback, output metadata); and the notebook
metadata, widget state (``metadata.widgets``) included. Base64 payloads of
images, PDFs and other binary MIME types are skipped (random base64 contains
``EAA...`` runs by chance). Any other file is scanned as text; binary files
(a NUL byte in the first 8 KiB, or a well-known binary suffix) and files over
the size cap are skipped. Directories are walked, skipping ``.git``,
``.venv``, ``node_modules`` and other tool folders (``.ipynb_checkpoints``
is scanned: it holds copies of notebooks).

``--fix``
---------
Only notebooks are rewritten: each found value is replaced by its masked
form (``EAAB…x7Qz``, which no pattern matches again) directly in the file's
JSON text, so everything else stays byte-for-byte the same; the result must
parse and validate with ``nbformat`` before it replaces the file (atomically).
Other files are reported but never changed: in a ``.py`` or ``.env`` file the
right fix is to move the value into the store or the environment, and
masking a ``.env`` that is deliberately kept out of git would destroy a
working secret.

Exit codes: 0 nothing found; 1 something found (also with ``--fix``: a value
that was in a file must be treated as leaked and replaced); 2 usage error
(a path that does not exist) or a file that could not be read or rewritten.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import re
import sys
import tempfile
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from dataclasses import field as _dc_field  # Finding has an attribute named 'field'
from pathlib import Path
from typing import Any, TextIO

from .._base.redact import APP_TOKEN_PATTERN, TOKEN_PATTERN, mask

__all__ = [
    "DEFAULT_MAX_BYTES",
    "Finding",
    "Match",
    "ScanReport",
    "add_arguments",
    "known_from_store",
    "main",
    "mask_text",
    "run",
    "scan_file",
    "scan_paths",
    "scan_text",
]

EXIT_CLEAN, EXIT_FOUND, EXIT_ERROR = 0, 1, 2
#: Files larger than this are skipped (reported in ``skipped``).
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
#: Folders never walked into: tools' caches and environments, not project files.
SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        "node_modules",
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".tox",
        ".nox",
        ".hypothesis",
        ".eggs",
    }
)
#: Suffixes that are binary for sure, skipped without reading them.
BINARY_SUFFIXES = frozenset(
    {
        ".png",
        ".jpg",
        ".jpeg",
        ".gif",
        ".bmp",
        ".ico",
        ".webp",
        ".tif",
        ".tiff",
        ".pdf",
        ".zip",
        ".gz",
        ".bz2",
        ".xz",
        ".zst",
        ".7z",
        ".tar",
        ".whl",
        ".egg",
        ".so",
        ".dylib",
        ".dll",
        ".exe",
        ".pyc",
        ".pyo",
        ".o",
        ".a",
        ".class",
        ".jar",
        ".parquet",
        ".feather",
        ".arrow",
        ".pkl",
        ".pickle",
        ".npy",
        ".npz",
        ".h5",
        ".hdf5",
        ".sqlite",
        ".db",
        ".xlsx",
        ".xls",
        ".docx",
        ".pptx",
        ".woff",
        ".woff2",
        ".ttf",
        ".otf",
        ".mp3",
        ".mp4",
        ".mov",
        ".avi",
        ".wav",
    }
)
_SNIFF_BYTES = 8192
#: Shortest known value looked for (as in :mod:`meta_auth_nb.redact`): shorter ones match words.
_MIN_KNOWN = 8

#: A name that says "app secret": META_APP_SECRET, app_secret, client-secret, AppSecret, "app secret".
_SECRET_NAME = re.compile(r"(?i)(?:meta[ _-]?)?(?:app|client)[ _-]?secret")
#: That name, a few separator characters on the same line (quotes, ``=``, ``:``,
#: ``"] = "``, ``", "``, JSON-escaped quotes), then 32 hex characters.
_SECRET_IN_TEXT = re.compile(
    r"(?i)(?:meta[ _-]?)?(?:app|client)[ _-]?secret[^\w\n]{0,12}?(?<![0-9a-f])([0-9a-f]{32})(?![0-9a-f])"
)
#: A maximal run of base64 characters; see :func:`_base64_blobs`.
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/=]+")
_BASE64_MIN_RUN = 256
_HEX32 = re.compile(r"(?i)(?<![0-9a-f])([0-9a-f]{32})(?![0-9a-f])")
#: A value that is a 32-hex string and nothing else (under a key/label naming a secret).
_HEX32_VALUE = re.compile(r"(?i)\s*[\"']?([0-9a-f]{32})[\"']?\s*")
#: Widget/JSON siblings whose text can name what a value is ("App secret").
_LABEL_KEYS = ("description", "placeholder", "label", "name", "tooltip", "description_tooltip", "title")

KIND_LABELS = {
    "access_token": "Meta access token",
    "app_token": "app token (APP_ID|SECRET)",
    "app_secret": "app secret",
    "known_secret": "stored secret",
}


# ---------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Match:
    """One secret in a piece of text.

    Attributes
    ----------
    start, end : int
        Span of the secret in the scanned text.
    kind : str
        ``access_token``, ``app_token``, ``app_secret`` or ``known_secret``.
    replacement : str
        The masked form; shown as the preview and written by ``--fix``.
    known : bool
        True when the value is one the store (or the caller) knows.
    value : str
        The secret itself; kept out of repr and of every output.
    """

    start: int
    end: int
    kind: str
    replacement: str
    known: bool = False
    value: str = field(default="", repr=False, compare=False)

    @property
    def preview(self) -> str:
        """The masked value, safe to print."""
        return self.replacement


def _kind_of(value: str) -> str:
    if TOKEN_PATTERN.fullmatch(value):
        return "access_token"
    if APP_TOKEN_PATTERN.fullmatch(value):
        return "app_token"
    if _HEX32.fullmatch(value):
        return "app_secret"
    return "known_secret"


def _app_token_mask(match: re.Match[str]) -> str:
    # The app id is public; only the part after the bar is a secret.
    return f"{match.group(1)}|{mask(match.group(2))}"


def _masked(value: str, kind: str) -> str:
    whole = APP_TOKEN_PATTERN.fullmatch(value) if kind == "app_token" else None
    return _app_token_mask(whole) if whole else mask(value)


def _base64_blobs(text: str) -> list[tuple[int, int]]:
    """Spans of long base64 blobs (an inline image, plotly ``bdata``) in ``text``.

    Random base64 holds ``EAA`` + 20 letters/digits now and then. A real token
    is delimited by quotes, spaces, ``=`` or ``&``, so its run of base64
    characters is short or has no ``+``/``/``; a blob's run is long and has them.
    """
    return [
        m.span()
        for m in _BASE64_RUN.finditer(text)
        if m.end() - m.start() >= _BASE64_MIN_RUN and ("+" in m.group(0) or "/" in m.group(0))
    ]


def _clean_known(known: Iterable[str | None]) -> list[str]:
    values = {k.strip() for k in known if isinstance(k, str) and len(k.strip()) >= _MIN_KNOWN}
    # Longest first, so a secret that contains another is matched whole.
    return sorted(values, key=len, reverse=True)


def scan_text(text: str, known: Iterable[str | None] = (), *, secret_context: bool = False) -> list[Match]:
    """Find secrets in a string.

    Parameters
    ----------
    text : str
        Any text.
    known : iterable of str
        Values to find whatever their shape (from the store); values shorter
        than 8 characters are ignored.
    secret_context : bool
        The text is the value of something named as an app secret (a JSON key
        ``app_secret``, a widget described "App secret"): if the whole value
        is 32 hex characters it counts, no name needed next to it. (Only the
        whole value: the same widget's ``IPY_MODEL_<hex>`` references are ids.)

    Returns
    -------
    list of Match
        Non-overlapping, in text order. Overlapping matches are merged into
        one (named after a known value first, then a token, an app token, an
        app secret).
    """
    if not isinstance(text, str) or not text:
        return []
    candidates: list[Match] = []
    for value in _clean_known(known):
        start = text.find(value)
        while start != -1:
            kind = _kind_of(value)
            candidates.append(Match(start, start + len(value), kind, _masked(value, kind), True, value))
            start = text.find(value, start + len(value))
    blobs: list[tuple[int, int]] | None = None
    for m in TOKEN_PATTERN.finditer(text):
        if blobs is None:
            blobs = _base64_blobs(text)
        if any(lo <= m.start() and m.end() <= hi for lo, hi in blobs):
            continue
        candidates.append(Match(m.start(), m.end(), "access_token", mask(m.group(0)), False, m.group(0)))
    for m in APP_TOKEN_PATTERN.finditer(text):
        candidates.append(Match(m.start(), m.end(), "app_token", _app_token_mask(m), False, m.group(0)))
    hex_matches = list(_SECRET_IN_TEXT.finditer(text))
    if secret_context and (whole := _HEX32_VALUE.fullmatch(text)):
        hex_matches.append(whole)
    for m in hex_matches:
        candidates.append(Match(m.start(1), m.end(1), "app_secret", mask(m.group(1)), False, m.group(1)))

    return _merge(text, candidates)


def _merge(text: str, candidates: list[Match]) -> list[Match]:
    """One match per overlapping group, covering all of it.

    Masking only one of two overlapping matches could leave the rest
    secret-shaped (``12345|0000EAA…``), so a group is masked whole; its kind
    is that of the first candidate in priority order (known, token, app
    token, app secret).
    """
    groups: list[list[Match]] = []
    for cand in sorted(candidates, key=lambda m: m.start):
        if groups and cand.start < max(m.end for m in groups[-1]):
            groups[-1].append(cand)
        else:
            groups.append([cand])
    merged: list[Match] = []
    for group in groups:
        if len(group) == 1:
            merged.append(group[0])
            continue
        kind = min(group, key=candidates.index).kind
        start, end = group[0].start, max(m.end for m in group)
        value = text[start:end]
        merged.append(Match(start, end, kind, _masked(value, kind), any(m.known for m in group), value))
    return merged


def mask_text(text: str, known: Iterable[str | None] = (), *, secret_context: bool = False) -> str:
    """Return ``text`` with every secret :func:`scan_text` finds replaced by its mask."""
    matches = scan_text(text, known, secret_context=secret_context)
    if not matches:
        return text
    parts: list[str] = []
    last = 0
    for m in matches:
        parts.append(text[last : m.start])
        parts.append(m.replacement)
        last = m.end
    parts.append(text[last:])
    return "".join(parts)


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


# ---------------------------------------------------------------------------
# Findings and reports
# ---------------------------------------------------------------------------
@dataclass
class Finding:
    """A secret found in a file.

    Attributes
    ----------
    path : str
        The file, as given or as found while walking a folder.
    kind : str
        See :data:`KIND_LABELS`.
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
    detail: str | None = _dc_field(default=None, repr=False, compare=False)
    value: str = _dc_field(default="", repr=False, compare=False)

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
        ``{"path", "reason"}``: ``binary`` or ``too large``.
    errors : list of dict
        ``{"path", "error"}``: missing paths, unreadable files, a notebook
        ``--fix`` could not rewrite.
    fixed_files : list of str
        Notebooks rewritten by ``--fix``.
    missing : list of str
        Paths that do not exist (a usage error).
    """

    findings: list[Finding] = field(default_factory=list)
    files_scanned: list[str] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)
    fixed_files: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 clean, 1 something found, 2 missing path or a file that could not be scanned/fixed."""
        if self.missing:
            return EXIT_ERROR
        if self.findings:
            return EXIT_FOUND
        return EXIT_ERROR if self.errors else EXIT_CLEAN

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


# ---------------------------------------------------------------------------
# Notebooks
# ---------------------------------------------------------------------------
def _binary_mime(mime: str) -> bool:
    # nbformat keeps non-text MIME types as base64, which is noise for the patterns.
    mime = mime.lower()
    if mime.startswith(("image/", "audio/", "video/", "font/")):
        return not mime.endswith(("+xml", "+json"))
    return mime in ("application/pdf", "application/octet-stream", "application/zip")


def _key_repr(key: Any) -> str:
    if isinstance(key, int):
        return f"[{key}]"
    if isinstance(key, str) and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
        return f".{key}"
    return "[" + json.dumps(str(key), ensure_ascii=False) + "]"


def _path_text(path: Sequence[Any]) -> str:
    return "".join(_key_repr(p) for p in path).lstrip(".")


def _is_mime_bundle(path: tuple[Any, ...]) -> bool:
    # cells[i].outputs[j].data and cells[i].attachments[name] map MIME types to payloads.
    if len(path) < 4 or path[0] != "cells":
        return False
    return (len(path) == 5 and path[2] == "outputs" and path[4] == "data") or (
        len(path) == 4 and path[2] == "attachments"
    )


def _labelled_secret(mapping: dict[str, Any]) -> bool:
    return any(isinstance(mapping.get(k), str) and _SECRET_NAME.search(mapping[k]) for k in _LABEL_KEYS)


def _leaves(node: Any, path: tuple[Any, ...], context: bool = False) -> Iterator[tuple[tuple[Any, ...], str, bool]]:
    """Every string of a JSON tree (keys too), with its path and whether it is named a secret."""
    if isinstance(node, str):
        yield path, node, context
    elif isinstance(node, dict):
        labelled = _labelled_secret(node)
        for key, value in node.items():
            key_text = str(key)
            yield path + (key_text,), key_text, False  # a key can hold a secret too
            if _is_mime_bundle(path) and _binary_mime(key_text):
                continue
            named = bool(_SECRET_NAME.search(key_text)) or labelled
            yield from _leaves(value, path + (key,), named)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _leaves(value, path + (index,), context)


def _read_notebook(text: str) -> Any:
    """The notebook as nbformat v4 (lists of lines joined); JSON when nbformat is absent."""
    try:
        import nbformat
    except ImportError:  # nbformat comes with Jupyter; a bare CI may lack it
        return _rejoin_lines(json.loads(text))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # capture_validation_error: an invalid notebook is still scanned, without nbformat logging.
        return nbformat.reads(text, as_version=4, capture_validation_error={})


def _rejoin_lines(nb: Any) -> Any:
    """Join multi-line strings kept as lists (sources, stream text, text MIME data), as nbformat does."""

    def join(value: Any) -> Any:
        return "".join(value) if isinstance(value, list) and all(isinstance(v, str) for v in value) else value

    for cell in nb.get("cells") or () if isinstance(nb, dict) else ():
        if not isinstance(cell, dict):
            continue
        cell["source"] = join(cell.get("source", ""))
        for output in cell.get("outputs") or ():
            if isinstance(output, dict):
                if "text" in output:
                    output["text"] = join(output["text"])
                if isinstance(output.get("data"), dict):
                    output["data"] = {k: v if k.endswith("json") else join(v) for k, v in output["data"].items()}
    return nb


def _notebook_valid(text: str) -> tuple[bool, str | None]:
    """Whether ``text`` parses and validates as a notebook (JSON check only without nbformat)."""
    try:
        import nbformat
    except ImportError:
        try:
            data = json.loads(text)
        except ValueError as exc:
            return False, f"not JSON: {exc}"
        return isinstance(data, dict) and isinstance(data.get("cells"), list), None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nb = nbformat.reads(text, as_version=nbformat.NO_CONVERT, capture_validation_error={})
            nbformat.validate(nb)
    except Exception as exc:  # nbformat raises ValidationError, NotJSONError, KeyError...
        return False, f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    return True, None


def _notebook_findings(display: str, nb: Any, known: list[str]) -> list[Finding]:
    findings: list[Finding] = []
    cells = nb.get("cells") if isinstance(nb, dict) else None
    for path, text, context in _leaves(dict(nb), ()):
        for m in scan_text(text, known, secret_context=context):
            line, column = _line_col(text, m.start)
            finding = Finding(display, m.kind, m.replacement, m.known, line, column, value=m.value)
            if len(path) >= 2 and path[0] == "cells" and isinstance(path[1], int):
                finding.cell = path[1]
                cell = cells[path[1]] if isinstance(cells, list) and path[1] < len(cells) else None
                if isinstance(cell, dict):
                    finding.cell_type = str(cell.get("cell_type") or "") or None
                if len(path) >= 4 and path[2] == "outputs" and isinstance(path[3], int):
                    finding.output = path[3]
                    outputs = cell.get("outputs") if isinstance(cell, dict) else None
                    if isinstance(outputs, list) and path[3] < len(outputs) and isinstance(outputs[path[3]], dict):
                        finding.output_type = outputs[path[3]].get("output_type")
                finding.detail = _path_text(path[4:] if finding.output is not None else path[2:]) or None
            finding.field = _path_text(path)
            findings.append(finding)
    return sorted(findings, key=Finding.sort_key)


def _masked_json(node: Any, known: list[str], context: bool = False) -> Any:
    """The JSON tree with every secret masked (the fallback of ``--fix``)."""
    if isinstance(node, str):
        return mask_text(node, known, secret_context=context)
    if isinstance(node, dict):
        labelled = _labelled_secret(node)
        return {
            mask_text(str(k), known): _masked_json(v, known, bool(_SECRET_NAME.search(str(k))) or labelled)
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_masked_json(v, known, context) for v in node]
    return node


def _fixed_notebook_text(raw: str, findings: list[Finding], known: list[str]) -> str:
    """Mask the found values in the notebook's own JSON text, keeping everything else as it was."""
    fixed = raw
    replacements = {f.value: f.preview for f in findings if f.value}
    for value in sorted(replacements, key=len, reverse=True):
        # Token, hex and app-token characters never need JSON escaping, so the
        # value appears verbatim in the file; the mask's "…" is valid in a JSON string.
        fixed = fixed.replace(value, replacements[value])
    if _notebook_findings("", _read_notebook(fixed), known):
        # Something was stored escaped (\u0045AA...): rewrite the parsed JSON instead.
        data = json.loads(raw)
        fixed = json.dumps(_masked_json(data, known), indent=1, ensure_ascii=False) + "\n"
    return fixed


def _write_atomically(path: Path, text: str, bom: bool) -> None:
    data = ("\ufeff" if bom else "") + text
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=str(path.parent))
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(data)
        try:
            os.chmod(temp, path.stat().st_mode & 0o7777)
        except OSError:
            pass  # keep the temp file's mode rather than fail the fix
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise


# ---------------------------------------------------------------------------
# Files and folders
# ---------------------------------------------------------------------------
def _is_binary(path: Path) -> bool:
    if path.suffix.lower() in BINARY_SUFFIXES:
        return True
    with path.open("rb") as handle:
        return b"\0" in handle.read(_SNIFF_BYTES)


def scan_file(
    path: str | os.PathLike[str],
    known: Iterable[str | None] = (),
    *,
    fix: bool = False,
    report: ScanReport | None = None,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
) -> ScanReport:
    """Scan one file (a notebook or any text file) into ``report``.

    Parameters
    ----------
    path : path-like
    known : iterable of str
        Values to find whatever their shape.
    fix : bool
        Mask what is found, in notebooks only.
    report : ScanReport, optional
        Added to; a new one by default.
    max_bytes : int or None
        Skip larger files; None or 0 for no cap.
    """
    report = report if report is not None else ScanReport()
    known_list = _clean_known(known)
    file = Path(path)
    display = _safe(str(path), known_list)
    try:
        size = file.stat().st_size
        if max_bytes and size > max_bytes:
            report.skipped.append({"path": display, "reason": "too large"})
            return report
        if _is_binary(file):
            report.skipped.append({"path": display, "reason": "binary"})
            return report
        data = file.read_bytes()
    except OSError as exc:
        report.errors.append(
            {"path": display, "error": _safe(f"{type(exc).__name__}: {exc.strerror or exc}", known_list)}
        )
        return report
    bom = data.startswith(b"\xef\xbb\xbf")
    # Tokens are ASCII, so a file in another encoding is still searched correctly.
    text = data.decode("utf-8-sig", errors="replace")
    report.files_scanned.append(display)

    notebook = None
    if file.suffix.lower() == ".ipynb":
        try:
            notebook = _read_notebook(text)
        except Exception as exc:  # not JSON, not a notebook: still search it as text
            notebook = None
            report.notes.append(f"{display}: not a readable notebook ({type(exc).__name__}); scanned as text")
        if notebook is not None and not isinstance(notebook, dict):
            notebook = None
    if notebook is None:
        for m in scan_text(text, known_list):
            line, column = _line_col(text, m.start)
            report.findings.append(Finding(display, m.kind, m.replacement, m.known, line, column, value=m.value))
        return report

    findings = _notebook_findings(display, notebook, known_list)
    report.findings.extend(findings)
    if fix and findings:
        _fix_notebook(file, display, text, bom, findings, known_list, report)
    return report


def _fix_notebook(
    file: Path, display: str, text: str, bom: bool, findings: list[Finding], known: list[str], report: ScanReport
) -> None:
    was_valid, _ = _notebook_valid(text)
    try:
        fixed = _fixed_notebook_text(text, findings, known)
    except Exception as exc:  # a notebook we cannot rewrite is reported, never half-written
        report.errors.append({"path": display, "error": f"could not mask it: {type(exc).__name__}"})
        return
    valid, problem = _notebook_valid(fixed)
    if was_valid and not valid:
        report.errors.append(
            {
                "path": display,
                "error": f"masking would leave an invalid notebook ({_safe(problem or '', known)}); not changed",
            }
        )
        return
    try:
        _write_atomically(file, fixed, bom)
    except OSError as exc:
        report.errors.append({"path": display, "error": f"could not write it: {exc.strerror or exc}"})
        return
    for finding in findings:
        finding.fixed = True
    report.fixed_files.append(display)


def _excluded(path: Path, patterns: Sequence[str]) -> bool:
    text = path.as_posix()
    return any(fnmatch.fnmatch(path.name, p) or fnmatch.fnmatch(text, p) for p in patterns)


def iter_files(paths: Iterable[str | os.PathLike[str]], exclude: Sequence[str] = ()) -> Iterator[tuple[Path, bool]]:
    """Yield ``(file, exists)`` for each path, walking folders in sorted order.

    Symlinked folders are not followed (no loops); :data:`SKIP_DIRS` and
    ``exclude`` glob patterns (matched against a name or a relative path) are
    left out.
    """
    seen: set[str] = set()
    for raw in paths:
        root = Path(raw)
        if not root.exists():
            yield root, False
            continue
        if root.is_dir():
            for folder, dirs, files in os.walk(root):
                dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not _excluded(Path(folder, d), exclude))
                for name in sorted(files):
                    file = Path(folder, name)
                    if _excluded(file, exclude) or not file.is_file():
                        continue
                    key = os.path.realpath(file)
                    if key not in seen:
                        seen.add(key)
                        yield file, True
        elif not _excluded(root, exclude):
            key = os.path.realpath(root)
            if key not in seen:
                seen.add(key)
                yield root, True


def known_from_store() -> tuple[list[str], str | None]:
    """Every token and app secret the token store can serve here.

    Returns
    -------
    values : list of str
    problem : str or None
        Why the store could not be read (the scan then uses patterns only).
    """
    values: list[str] = []
    try:
        from ..store import TokenStore

        store = TokenStore()
        names = store.profiles()
    except Exception as exc:  # StoreError, keyring/dbus errors, a broken config dir: never stop a leak scan
        return values, f"the token store could not be read ({type(exc).__name__})"
    problems: list[str] = []
    for name in names:
        try:
            profile = store.load(name)
        except Exception as exc:  # one unreadable profile must not hide the others
            problems.append(f"{name}: {type(exc).__name__}")
            continue
        values.append(profile.token.get_secret_value())
        if profile.app_secret:
            values.append(profile.app_secret)
    return values, ("some profiles could not be read: " + ", ".join(problems)) if problems else None


def scan_paths(
    paths: Iterable[str | os.PathLike[str]],
    known: Iterable[str | None] | None = None,
    *,
    use_store: bool = True,
    fix: bool = False,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
    exclude: Sequence[str] = (),
) -> ScanReport:
    """Scan files and folders for Meta tokens and app secrets.

    Parameters
    ----------
    paths : iterable of path-like
        Files and folders (walked).
    known : iterable of str, optional
        Extra values to find whatever their shape (the test seam, or secrets
        a caller holds).
    use_store : bool
        Also find every token and app secret of the token store.
    fix : bool
        Mask what is found in notebooks (see the module notes).
    max_bytes : int or None
        Skip larger files; None or 0 for no cap.
    exclude : sequence of str
        Glob patterns of files/folders to leave out.

    Returns
    -------
    ScanReport
    """
    report = ScanReport()
    values = list(known or ())
    if use_store:
        stored, problem = known_from_store()
        values.extend(stored)
        if problem:
            report.notes.append(f"{problem}; looking for token-shaped values only")
    known_list = _clean_known(values)
    for file, exists in iter_files(paths, exclude):
        if not exists:
            report.missing.append(str(file))
            report.errors.append({"path": _safe(str(file), known_list), "error": "no such file or folder"})
            continue
        scan_file(file, known_list, fix=fix, report=report, max_bytes=max_bytes)
    return report


def _safe(text: str, known: Iterable[str | None] = ()) -> str:
    # Paths and error texts are printed: mask anything secret-shaped in them too.
    return mask_text(text, known)


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------
def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``scan`` options to ``parser`` (used by ``meta-auth scan``)."""
    parser.add_argument("paths", nargs="+", metavar="PATH", help="notebooks, text files or folders (walked)")
    parser.add_argument(
        "--fix", action="store_true", help="mask what is found in notebooks (other files are only reported)"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON document instead of text")
    parser.add_argument(
        "--no-store", action="store_true", help="do not read the token store; look for token-shaped values only"
    )
    parser.add_argument(
        "--max-bytes",
        type=int,
        default=DEFAULT_MAX_BYTES,
        metavar="N",
        help=f"skip files larger than N bytes (default {DEFAULT_MAX_BYTES}; 0: no cap)",
    )
    parser.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="leave out files or folders matching GLOB (repeatable)",
    )


def _emit(text: str, stream: TextIO) -> None:
    try:
        print(text, file=stream)
    except UnicodeEncodeError:  # a console that cannot show "…" gets "?" instead
        encoding = getattr(stream, "encoding", None) or "ascii"
        print(text.encode(encoding, "replace").decode(encoding), file=stream)


def render(report: ScanReport, *, fix: bool = False) -> str:
    """The human-readable report (masked previews only)."""
    lines: list[str] = []
    for f in report.findings:
        label = KIND_LABELS.get(f.kind, f.kind) + (
            " (known to the token store)" if f.known and f.kind != "known_secret" else ""
        )
        if f.cell is None and f.field is None:
            head = f"{f.path}:{f.line}:{f.column}"
        else:
            head = f"{f.path}: {f.location()}"
        status = ""
        if fix and f.fixed:
            status = " [masked]"
        elif fix:
            status = " [not changed: only notebooks are rewritten]" if f.field is None else " [not changed]"
        lines.append(f"{head}: {label} {f.preview}{status}")
    if report.findings:
        files = len({f.path for f in report.findings})
        lines.append(
            f"meta-auth scan: {len(report.findings)} secret(s) in {files} file(s). Treat them as leaked if a file "
            "was ever shared or committed: revoke the token (%meta_logout --revoke) or reset the app secret, "
            "then keep secrets in the token store (%meta_login) or the environment."
        )
        if not fix:
            lines.append("Run `meta-auth scan --fix PATH` to mask them in notebooks.")
    elif not report.errors and not report.missing:
        lines.append(f"meta-auth scan: no Meta tokens or app secrets in {len(report.files_scanned)} file(s).")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Run ``meta-auth scan`` with parsed arguments; returns the exit code."""
    report = scan_paths(
        args.paths,
        use_store=not getattr(args, "no_store", False),
        fix=bool(getattr(args, "fix", False)),
        max_bytes=getattr(args, "max_bytes", DEFAULT_MAX_BYTES) or None,
        exclude=getattr(args, "exclude", None) or (),
    )
    if getattr(args, "json", False):
        _emit(json.dumps(report.to_dict(), indent=2, ensure_ascii=False), sys.stdout)
        return report.exit_code
    text = render(report, fix=bool(getattr(args, "fix", False)))
    if text:
        _emit(text, sys.stdout)
    for note in report.notes:
        _emit(f"meta-auth scan: {note}", sys.stderr)
    for skipped in report.skipped:
        if skipped["reason"] == "too large":
            _emit(f"meta-auth scan: skipped {skipped['path']} (larger than --max-bytes)", sys.stderr)
    for error in report.errors:
        _emit(f"meta-auth scan: {error['path']}: {error['error']}", sys.stderr)
    return report.exit_code


def build_parser() -> argparse.ArgumentParser:
    """The parser of the standalone command (``python -m meta_auth_nb.scan``)."""
    parser = argparse.ArgumentParser(
        prog="meta-auth scan",
        description="Find Meta access tokens and app secrets in notebooks and text files.",
        epilog="Exit status: 0 nothing found, 1 secrets found, 2 usage error or a file that could not be scanned.",
    )
    add_arguments(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Standalone entry point; returns the exit code (2 for usage errors)."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit_:  # argparse exits 2 on usage errors, 0 on --help
        return int(exit_.code or 0) if not isinstance(exit_.code, str) else EXIT_ERROR
    return run(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
