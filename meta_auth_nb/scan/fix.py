"""``--fix``: where a masked notebook may be written, and writing it.

Scan layer: imports the base layer only.

What ``--fix`` promises
-----------------------
A finding is marked ``[masked]`` only when the file that held the secret now
holds the mask instead, and no other name of that file still holds it.
So, for a notebook that is not a plain file of its own:

* **a symbolic link** is written through: the file it points to is replaced
  (the link stays a link, now to the masked notebook). When the scan reached
  the link by walking a folder and the file it points to lies outside that
  folder, nothing is changed and the report says so: ``--fix`` never writes
  outside what it was asked to fix (run it on that file itself);
* **a file with several hard links** is not changed and the report says so:
  replacing one name would leave the secret in the others, and writing in
  place would also rewrite every other copy (a backup's hard-linked
  snapshots among them);
* a file that cannot be replaced (a read-only folder) is reported, never
  half-written.

When a fixed notebook has a Jupyter checkpoint (``.ipynb_checkpoints/NAME-checkpoint.ipynb``)
that this scan did not look at, the report notes that it may still hold the secret.

The masked text must parse and validate with ``nbformat`` (if the notebook
did before) before it replaces the file, atomically, keeping its mode, its
encoding and its byte order mark.
"""

from __future__ import annotations

import os
from pathlib import Path

from .._base.files import write_atomically
from .detect import mask_text
from .notebooks import fixed_notebook_text, notebook_valid
from .reading import TextEncoding
from .report import Finding, ScanReport

__all__ = ["checkpoint_of", "fix_notebook", "write_target"]


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def write_target(file: Path, within: str | os.PathLike[str] | None = None) -> tuple[Path | None, str | None]:
    """The real file ``--fix`` may replace for ``file``, or why it may not.

    Parameters
    ----------
    file : Path
        The notebook as scanned (maybe a symbolic link).
    within : path-like, optional
        The folder the scan walked to reach ``file``: a link to a file outside
        it is not followed. None when ``file`` was named itself.

    Returns
    -------
    target : Path or None
        The file to replace (``file`` itself, or the file its links lead to).
    problem : str or None
        Why nothing may be written (then ``target`` is None). It names paths:
        mask it before showing it.
    """
    real = os.path.realpath(file)
    if within is not None and not _inside(real, os.path.realpath(within)):
        return None, (
            f"it is a symbolic link to {real}, outside the folder being fixed; not changed "
            "(run meta-auth scan --fix on that file itself)"
        )
    try:
        links = os.stat(real).st_nlink
    except OSError as exc:
        return None, f"could not check it: {exc.strerror or type(exc).__name__}"
    if links > 1:
        return None, (
            f"it has {links} hard links, and masking one name would leave the secret in the others; "
            f"not changed (find them with `find / -xdev -samefile {file}`, then fix or delete them)"
        )
    return Path(real), None


def checkpoint_of(file: Path) -> Path:
    """Where Jupyter keeps the checkpoint of notebook ``file`` (it may not exist).

    Parameters
    ----------
    file : Path

    Returns
    -------
    Path
        ``.ipynb_checkpoints/<stem>-checkpoint<suffix>`` next to ``file``.
    """
    return file.parent / ".ipynb_checkpoints" / f"{file.stem}-checkpoint{file.suffix}"


def fix_notebook(
    file: Path,
    display: str,
    text: str,
    encoding: TextEncoding,
    findings: list[Finding],
    known: list[str],
    report: ScanReport,
    *,
    within: str | os.PathLike[str] | None = None,
) -> None:
    """Mask ``findings`` in notebook ``file``, or add to ``report`` why not.

    Parameters
    ----------
    file : Path
        The notebook as scanned.
    display : str
        Its masked path, for the report.
    text : str
        Its content as scanned (without the byte order mark).
    encoding : TextEncoding
        How it was read: written back the same way, byte order mark included.
    findings : list of Finding
        What was found in it; each is marked ``fixed`` once the file is replaced.
    known : list of str
        The known values the scan looked for.
    report : ScanReport
        Gets the fixed file, or an error, and notes.
    within : path-like, optional
        See :func:`write_target`.
    """
    target, refused = write_target(file, within)
    if target is None:
        report.errors.append({"path": display, "error": mask_text(refused or "", known)})
        return
    was_valid, _ = notebook_valid(text)
    try:
        fixed = fixed_notebook_text(text, findings, known)
    except Exception as exc:  # a notebook we cannot rewrite is reported, never half-written
        report.errors.append({"path": display, "error": f"could not mask it: {type(exc).__name__}"})
        return
    valid, problem = notebook_valid(fixed)
    if was_valid and not valid:
        report.errors.append(
            {
                "path": display,
                "error": f"masking would leave an invalid notebook ({mask_text(problem or '', known)}); not changed",
            }
        )
        return
    try:
        # The encoding and byte order mark go back as they were; the mode is the replaced file's.
        write_atomically(target, ("\ufeff" if encoding.bom else "") + fixed, encoding=encoding.codec)
    except OSError as exc:
        report.errors.append({"path": display, "error": mask_text(f"could not write it: {exc.strerror or exc}", known)})
        return
    for finding in findings:
        finding.fixed = True
    report.fixed_files.append(display)
    if file.is_symlink():
        note = f"{display} is a symbolic link: masked in the file it points to, {target}"
        report.notes.append(mask_text(note, known))
