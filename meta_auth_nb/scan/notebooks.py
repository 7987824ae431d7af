"""Reading a notebook's JSON for secrets, and masking them in its text (what ``--fix`` writes).

The notebook is read as the JSON it is, not as ``nbformat`` reads it:
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

import json
import re
import warnings
from collections.abc import Iterator, Sequence
from typing import Any

from .detect import SECRET_NAME, line_col, mask_text, scan_text
from .report import Finding

__all__ = ["fixed_notebook_text", "is_notebook", "notebook_findings", "notebook_valid", "read_notebook"]

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


def read_notebook(text: str) -> Any:
    """Parse a notebook's text as JSON, every field and duplicate key kept.

    Parameters
    ----------
    text : str
        The file's content (without a BOM).

    Returns
    -------
    Any
        The JSON, with multi-line strings kept as lists of lines (sources,
        stream text, text MIME data) joined as ``nbformat`` joins them. Not
        necessarily a notebook: see :func:`is_notebook`.

    Raises
    ------
    ValueError
        For text that is not JSON.
    """
    return _rejoin_lines(json.loads(text, object_pairs_hook=_json_object))


def is_notebook(data: Any) -> bool:
    """Whether parsed JSON is shaped like a notebook (any nbformat version).

    Parameters
    ----------
    data : Any
        What :func:`read_notebook` returned.

    Returns
    -------
    bool
        A JSON object with ``cells`` (v4) or ``worksheets`` (v3) as a list, or an ``nbformat`` number.
    """
    if not isinstance(data, dict):
        return False
    return any(isinstance(data.get(k), list) for k in ("cells", "worksheets")) or "nbformat" in data


def _cells(nb: dict[str, Any]) -> list[tuple[tuple[Any, ...], Any]]:
    """Each cell with the path to it, in nbformat's order (v3 worksheets flattened)."""
    if isinstance(nb.get("cells"), list):
        return [(("cells", i), cell) for i, cell in enumerate(nb["cells"])]
    cells: list[tuple[tuple[Any, ...], Any]] = []
    worksheets = nb.get("worksheets")
    for w, sheet in enumerate(worksheets if isinstance(worksheets, list) else ()):
        if isinstance(sheet, dict) and isinstance(sheet.get("cells"), list):
            cells.extend((("worksheets", w, "cells", i), cell) for i, cell in enumerate(sheet["cells"]))
    return cells


def _rejoin_lines(nb: Any) -> Any:
    """Join multi-line strings kept as lists (sources, stream text, text MIME data), as nbformat does."""

    def join(value: Any) -> Any:
        return "".join(value) if isinstance(value, list) and all(isinstance(v, str) for v in value) else value

    for _, cell in _cells(nb) if isinstance(nb, dict) else ():
        if not isinstance(cell, dict):
            continue
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
    return nb


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


def notebook_findings(display: str, nb: Any, known: list[str]) -> list[Finding]:
    """Every secret in a parsed notebook, located by cell, output and JSON field.

    Parameters
    ----------
    display : str
        The path to put in each finding (already masked).
    nb : Any
        The notebook, as :func:`read_notebook` returns it.
    known : list of str
        Values to find whatever their shape (see
        :func:`~meta_auth_nb.scan.detect.clean_known`).

    Returns
    -------
    list of Finding
        In file order (:meth:`Finding.sort_key`).
    """
    findings: list[Finding] = []
    tree = nb if isinstance(nb, dict) else {}
    cells = {prefix: (index, cell) for index, (prefix, cell) in enumerate(_cells(tree))}
    for path, text, context in _leaves(tree, ()):
        for m in scan_text(text, known, secret_context=context):
            line, column = line_col(text, m.start)
            finding = Finding(display, m.kind, m.replacement, m.known, line, column, value=m.value)
            prefix = next((path[:n] for n in (2, 4) if path[:n] in cells), None)
            if prefix is not None:
                finding.cell, cell = cells[prefix]
                rest = path[len(prefix) :]
                if isinstance(cell, dict):
                    finding.cell_type = str(cell.get("cell_type") or "") or None
                if len(rest) >= 2 and rest[0] == "outputs" and isinstance(rest[1], int):
                    finding.output = rest[1]
                    outputs = cell.get("outputs") if isinstance(cell, dict) else None
                    if isinstance(outputs, list) and rest[1] < len(outputs) and isinstance(outputs[rest[1]], dict):
                        finding.output_type = outputs[rest[1]].get("output_type")
                    rest = rest[2:]
                finding.detail = _path_text(rest, known) or None
            finding.field = _path_text(path, known)
            findings.append(finding)
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
    if notebook_findings("", read_notebook(fixed), known):
        # Something was stored escaped in another way (\u0045AA...): rewrite the parsed JSON instead.
        data = json.loads(raw)
        fixed = json.dumps(_masked_json(data, known), indent=1, ensure_ascii=False) + "\n"
    return fixed
