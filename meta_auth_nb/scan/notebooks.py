"""Reading a notebook's JSON for secrets, and masking them in its text (what ``--fix`` writes).

``nbformat`` is imported lazily, and only used when installed: without it a
notebook is read as JSON (multi-line strings joined as nbformat does) and
checked as JSON only.

Where it looks
--------------
Every cell's source, attachments and metadata; every output (stream text,
each text-like MIME type of execute_result and display_data, error
name/value/traceback, output metadata); and the notebook metadata, widget
state (``metadata.widgets``) included. Keys are searched as well as values.
Base64 payloads of images, PDFs and other binary MIME types are skipped
(random base64 contains ``EAA...`` runs by chance).

Masking
-------
Each found value is replaced by its masked form (``EAAB…x7Qz``, which no
pattern matches again) directly in the notebook's JSON text, so everything
else stays byte-for-byte the same. Only when a value was stored
JSON-escaped is the parsed notebook masked and dumped again instead.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterator, Sequence
from typing import Any

from .detect import SECRET_NAME, line_col, mask_text, scan_text
from .report import Finding

__all__ = ["fixed_notebook_text", "notebook_findings", "notebook_valid", "read_notebook"]

#: Widget/JSON siblings whose text can name what a value is ("App secret").
_LABEL_KEYS = ("description", "placeholder", "label", "name", "tooltip", "description_tooltip", "title")


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
    return any(isinstance(mapping.get(k), str) and SECRET_NAME.search(mapping[k]) for k in _LABEL_KEYS)


def _leaves(node: Any, path: tuple[Any, ...], context: bool = False) -> Iterator[tuple[tuple[Any, ...], str, bool]]:
    """Every string of a JSON tree (keys too), with its path and whether it is named a secret."""
    if isinstance(node, str):
        yield path, node, context
    elif isinstance(node, dict):
        labelled = _labelled_secret(node)
        for key, value in node.items():
            key_text = str(key)
            yield (*path, key_text), key_text, False  # a key can hold a secret too
            if _is_mime_bundle(path) and _binary_mime(key_text):
                continue
            named = bool(SECRET_NAME.search(key_text)) or labelled
            yield from _leaves(value, (*path, key), named)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _leaves(value, (*path, index), context)


def read_notebook(text: str) -> Any:
    """Parse a notebook's text.

    Parameters
    ----------
    text : str
        The file's content (without a BOM).

    Returns
    -------
    Any
        The notebook as nbformat v4 (lists of lines joined); plain JSON, lines
        joined the same way, when nbformat is not installed. Not necessarily
        a dict: the caller checks.

    Raises
    ------
    Exception
        Whatever ``nbformat`` or ``json`` raise for text that is not a notebook.
    """
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
    cells = nb.get("cells") if isinstance(nb, dict) else None
    for path, text, context in _leaves(dict(nb), ()):
        for m in scan_text(text, known, secret_context=context):
            line, column = line_col(text, m.start)
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
                # A key can be the secret itself: the printed path is masked like everything else.
                detail = _path_text(path[4:] if finding.output is not None else path[2:])
                finding.detail = mask_text(detail, known) or None
            finding.field = mask_text(_path_text(path), known)
            findings.append(finding)
    return sorted(findings, key=Finding.sort_key)


def _masked_json(node: Any, known: list[str], context: bool = False) -> Any:
    """The JSON tree with every secret masked (the fallback of ``--fix``)."""
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
        # Token, hex and app-token characters never need JSON escaping, so the
        # value appears verbatim in the file; the mask's "…" is valid in a JSON string.
        fixed = fixed.replace(value, replacements[value])
    if notebook_findings("", read_notebook(fixed), known):
        # Something was stored escaped (\u0045AA...): rewrite the parsed JSON instead.
        data = json.loads(raw)
        fixed = json.dumps(_masked_json(data, known), indent=1, ensure_ascii=False) + "\n"
    return fixed
