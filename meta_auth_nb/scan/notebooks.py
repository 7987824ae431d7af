"""Reading a notebook's JSON for secrets, and masking them in its text (what ``--fix`` writes).

The notebook is read as the JSON it is, one cell or field at a time
(:mod:`~meta_auth_nb.scan.nbstream`, so its size does not matter), not as
``nbformat`` reads it:
``nbformat`` drops fields on reading (``metadata.signature``,
``metadata.orig_nbformat``, a cell's ``metadata.trusted``, a v3 notebook's
worksheets and their metadata, anything its schema does not know), and every
JSON parser keeps only the last of two values under the same key; a secret in
any of them is still in the file. So every string of the file's JSON is
searched, duplicate keys included. ``nbformat`` (imported lazily, when
installed) only validates what ``--fix`` would write.

Where it looks
--------------
Every cell's source, attachments and metadata; every output (stream text,
each text-like MIME type of execute_result and display_data, error
name/value/traceback, output metadata); the notebook metadata, widget state
(``metadata.widgets``) included; and every other field, known or not. Keys are
searched as well as values. Cells are numbered as ``nbformat`` numbers them
(a v3 notebook's worksheets one after the other). Base64 payloads of images,
PDFs and other binary MIME types are skipped (random base64 contains
``EAA...`` runs by chance).

Masking
-------
Each found value is replaced by its masked form (``EAAB…x7Qz``, which no
pattern matches again) directly in the notebook's JSON text, so everything
else stays byte-for-byte the same. Only when a value is stored in a form the
text replacement cannot reach (escaped in an unusual way) is the parsed
notebook masked and dumped again instead.

Reports
-------
A finding's field path names JSON keys, and a key can be the secret itself
(``{"EAA…": 1}`` in ``application/json`` data, metadata or widget state): each
key is masked before the path is written, and the written path is masked again.
"""

from __future__ import annotations

import io
import json
import re
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from .detect import SECRET_NAME, line_col, mask_text, scan_text
from .nbstream import CHUNK_CHARS, Event, notebook_events
from .report import Finding

__all__ = ["NotANotebook", "fixed_notebook_text", "notebook_findings", "notebook_valid", "read_events"]

#: Widget/JSON siblings whose text can name what a value is ("App secret").
_LABEL_KEYS = ("description", "placeholder", "label", "name", "tooltip", "description_tooltip", "title")
#: A v3 output keeps each MIME type under its own short key; these hold base64.
_V3_BINARY_KEYS = frozenset({"png", "jpeg", "pdf"})
#: A v3 output's text-like keys, kept as lists of lines.
_V3_TEXT_KEYS = ("text", "html", "latex", "svg", "javascript", "markdown")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class _Shadowing(dict[str, Any]):
    """A JSON object with a key given twice: the last value is kept (as by every parser), the others too."""

    shadowed: list[tuple[str, Any]]


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) == len(pairs):
        return obj
    kept = _Shadowing(obj)
    last = {key: index for index, (key, _) in enumerate(pairs)}
    kept.shadowed = [(key, value) for index, (key, value) in enumerate(pairs) if last[key] != index]
    return kept


def _binary_mime(mime: str) -> bool:
    # nbformat keeps non-text MIME types as base64, which is noise for the patterns.
    mime = mime.lower()
    if mime.startswith(("image/", "audio/", "video/", "font/")):
        return not mime.endswith(("+xml", "+json"))
    return mime in ("application/pdf", "application/octet-stream", "application/zip")


def _binary_payload(path: tuple[Any, ...], key: str) -> bool:
    """Whether ``key`` of the object at ``path`` holds a base64 payload.

    MIME bundles are an output's ``data`` (in cells and in Output widgets'
    state alike) and a cell's ``attachments[name]``; a v3 output has its
    ``png``/``jpeg``/``pdf`` directly.
    """
    if len(path) >= 3 and path[-3] == "outputs" and isinstance(path[-2], int) and path[-1] == "data":
        return _binary_mime(key)
    if len(path) >= 2 and path[-2] == "attachments":
        return _binary_mime(key)
    return len(path) >= 2 and path[-2] == "outputs" and isinstance(path[-1], int) and key in _V3_BINARY_KEYS


def _key_repr(key: Any, known: list[str]) -> str:
    if isinstance(key, int):
        return f"[{key}]"
    key = str(key)
    # Masked before it is quoted: JSON escaping (\" \\) could hide a secret from a later mask.
    masked = mask_text(key, known)
    if _IDENTIFIER.fullmatch(key):
        return f".{masked}"
    return "[" + json.dumps(masked, ensure_ascii=False) + "]"


def _path_text(path: Sequence[Any], known: list[str]) -> str:
    """A JSON path for people, e.g. ``cells[3].outputs[0].data["text/html"]``, with every secret masked."""
    return mask_text("".join(_key_repr(p, known) for p in path).lstrip("."), known)


def _labelled_secret(mapping: dict[str, Any]) -> bool:
    return any(isinstance(mapping.get(k), str) and SECRET_NAME.search(mapping[k]) for k in _LABEL_KEYS)


def _leaves(node: Any, path: tuple[Any, ...], context: bool = False) -> Iterator[tuple[tuple[Any, ...], str, bool]]:
    """Every string of a JSON tree (keys and shadowed duplicates too), its path, whether it is named a secret."""
    if isinstance(node, str):
        yield path, node, context
    elif isinstance(node, dict):
        labelled = _labelled_secret(node)
        for key, value in [*node.items(), *getattr(node, "shadowed", ())]:
            key_text = str(key)
            yield (*path, key_text), key_text, False  # a key can hold a secret too
            if _binary_payload(path, key_text):
                continue
            named = bool(SECRET_NAME.search(key_text)) or labelled
            yield from _leaves(value, (*path, key), named)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _leaves(value, (*path, index), context)


def _rejoin_cell(cell: Any) -> Any:
    """Join a cell's multi-line strings kept as lists (source, stream text, text MIME data), as nbformat does."""

    def join(value: Any) -> Any:
        return "".join(value) if isinstance(value, list) and all(isinstance(v, str) for v in value) else value

    if not isinstance(cell, dict):
        return cell
    for key in ("source", "input"):
        if key in cell:
            cell[key] = join(cell[key])
    for output in cell.get("outputs") or ():
        if not isinstance(output, dict):
            continue
        for key in _V3_TEXT_KEYS:
            if key in output:
                output[key] = join(output[key])
        if isinstance(output.get("data"), dict):
            output["data"] = {k: v if k.endswith("json") else join(v) for k, v in output["data"].items()}
    return cell


def read_events(read: Callable[[int], str], *, chunk: int = CHUNK_CHARS) -> Iterator[Event]:
    """A notebook's JSON, read from ``read`` one cell or field at a time, every duplicate key kept.

    Parameters
    ----------
    read : callable
        ``read(n)``, as a text file's.
    chunk : int
        Characters read at a time.

    Raises
    ------
    ValueError
        For text that is not JSON (while iterating).
    """
    return notebook_events(read, chunk=chunk, object_pairs_hook=_json_object)


class NotANotebook(ValueError):
    """Valid JSON that is not shaped like a notebook (it is scanned as text instead)."""


def _is_cell(path: tuple[Any, ...]) -> bool:
    v4 = len(path) == 2 and path[0] == "cells"
    return v4 or (len(path) == 4 and path[0] == "worksheets" and path[2] == "cells")


def notebook_valid(text: str) -> tuple[bool, str | None]:
    """Whether ``text`` parses and validates as a notebook.

    Parameters
    ----------
    text : str
        A notebook's JSON text.

    Returns
    -------
    valid : bool
        Validated by nbformat; without nbformat, JSON with a ``cells`` list.
    problem : str or None
        Why not (it may quote the text: mask it before showing it).
    """
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


def _leaf_findings(
    display: str, path: tuple[Any, ...], text: str, context: bool, known: list[str], cell: tuple[int, int, Any] | None
) -> Iterator[Finding]:
    """Findings in one string of the notebook; ``cell`` is (number, length of its path, the cell) when in one."""
    for m in scan_text(text, known, secret_context=context):
        line, column = line_col(text, m.start)
        finding = Finding(display, m.kind, m.replacement, m.known, line, column, value=m.value)
        if cell is not None:
            finding.cell, depth, content = cell
            rest = path[depth:]
            if isinstance(content, dict):
                finding.cell_type = str(content.get("cell_type") or "") or None
            if len(rest) >= 2 and rest[0] == "outputs" and isinstance(rest[1], int):
                finding.output = rest[1]
                outputs = content.get("outputs") if isinstance(content, dict) else None
                if isinstance(outputs, list) and rest[1] < len(outputs) and isinstance(outputs[rest[1]], dict):
                    finding.output_type = outputs[rest[1]].get("output_type")
                rest = rest[2:]
            finding.detail = _path_text(rest, known) or None
        finding.field = _path_text(path, known)
        yield finding


def notebook_findings(display: str, events: Iterable[Event], known: list[str]) -> list[Finding]:
    """Every secret in a notebook, located by cell, output and JSON field.

    Parameters
    ----------
    display : str
        The path to put in each finding (already masked).
    events : iterable of Event
        The notebook as :func:`read_events` reads it.
    known : list of str
        Values to find whatever their shape (see
        :func:`~meta_auth_nb.scan.detect.clean_known`).

    Returns
    -------
    list of Finding
        In file order (:meth:`Finding.sort_key`). Cells are numbered as
        ``nbformat`` numbers them (a v3 notebook's worksheets one after the other).

    Raises
    ------
    NotANotebook
        The JSON is not shaped like a notebook: an object with ``cells`` (v4)
        or ``worksheets`` (v3) as a list, or an ``nbformat`` number.
    ValueError
        The text is not JSON.
    """
    findings: list[Finding] = []
    opened: dict[tuple[Any, ...], str] = {}
    top_keys: set[str] = set()
    worksheet_cells = 0
    for kind, path, value in events:
        if kind == "open":
            opened[path] = value
        elif kind == "key":
            top_keys.update(path[:1] if len(path) == 1 else ())
            findings.extend(_leaf_findings(display, path, value, False, known, None))  # a key can hold a secret
        elif _is_cell(path):
            number = path[1] if len(path) == 2 else worksheet_cells
            worksheet_cells += len(path) == 4
            cell = (number, len(path), _rejoin_cell(value))
            for leaf_path, text, context in _leaves(value, path):
                findings.extend(_leaf_findings(display, leaf_path, text, context, known, cell))
        else:
            named = bool(path) and bool(SECRET_NAME.search(str(path[-1])))
            for leaf_path, text, context in _leaves(value, path, named):
                findings.extend(_leaf_findings(display, leaf_path, text, context, known, None))
    listed = opened.get(("cells",)) == "[" or opened.get(("worksheets",)) == "["
    if opened.get(()) != "{" or not (listed or "nbformat" in top_keys):
        raise NotANotebook("not shaped like a notebook")
    return sorted(findings, key=Finding.sort_key)


def _masked_json(node: Any, known: list[str], context: bool = False) -> Any:
    """The JSON tree with every secret masked (the fallback of ``--fix``; duplicate keys are dropped)."""
    if isinstance(node, str):
        return mask_text(node, known, secret_context=context)
    if isinstance(node, dict):
        labelled = _labelled_secret(node)
        return {
            mask_text(str(k), known): _masked_json(v, known, bool(SECRET_NAME.search(str(k))) or labelled)
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_masked_json(v, known, context) for v in node]
    return node


def _json_forms(value: str) -> list[str]:
    """How ``value`` can be written inside a JSON string, as it is and with non-ASCII escaped."""
    return list(dict.fromkeys(json.dumps(value, ensure_ascii=a)[1:-1] for a in (False, True)))


def fixed_notebook_text(raw: str, findings: list[Finding], known: list[str]) -> str:
    """The notebook's text with the found values masked, everything else kept as it was.

    Parameters
    ----------
    raw : str
        The notebook's JSON text (without a BOM).
    findings : list of Finding
        What :func:`notebook_findings` found in it.
    known : list of str
        The known values the scan looked for.

    Returns
    -------
    str
        The masked text; check it with :func:`notebook_valid` before writing it.

    Raises
    ------
    Exception
        When the text cannot be parsed again (the caller reports it).
    """
    fixed = raw
    replacements = {f.value: f.preview for f in findings if f.value}
    for value in sorted(replacements, key=len, reverse=True):
        # The value as the file's JSON writes it (a secret with a quote or a backslash is escaped
        # there); the mask likewise ("…" is valid in a JSON string).
        mask = json.dumps(replacements[value], ensure_ascii=False)[1:-1]
        for form in _json_forms(value):
            fixed = fixed.replace(form, mask)
    if notebook_findings("", read_events(io.StringIO(fixed).read), known):
        # Something was stored escaped in another way (\u0045AA...): rewrite the parsed JSON instead.
        data = json.loads(raw)
        fixed = json.dumps(_masked_json(data, known), indent=1, ensure_ascii=False) + "\n"
    return fixed
