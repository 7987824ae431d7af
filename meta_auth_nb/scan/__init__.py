"""Secret detection: find Meta access tokens and app secrets left in notebooks and text files, and mask them.

Say where a secret was left, with a masked preview (``EAAB…x7Qz``), and
optionally mask it in notebooks. The ``meta-auth scan`` command
(:mod:`meta_auth_nb.cli.scan`) is
built on the functions here.

Modules
-------
:mod:`.detect`
    The patterns: what counts as a secret, finding and masking it in text.
:mod:`.encodings`
    Decoding escapes, percent-encoding and character references, mapped back to the text.
:mod:`.report`
    :class:`~.report.Finding` and :class:`~.report.ScanReport`, the exit codes.
:mod:`.reading`
    Reading a file as text whatever its encoding (UTF-8/16/32, binary data) and size, in pieces.
:mod:`.nbstream`
    Walking a notebook's JSON one cell or field at a time, so its size does not matter.
:mod:`.notebooks`
    Reading a notebook's raw JSON (cells, outputs, widget state, every other field) and masking it.
:mod:`.fix`
    ``--fix``: where a masked notebook may be written (links), and writing it.
:mod:`.files`
    Walking files and folders, scanning each one, the store's values.
"""

from __future__ import annotations

from .detect import mask_text, scan_text
from .files import scan_file, scan_paths

__all__ = ["mask_text", "scan_file", "scan_paths", "scan_text"]
