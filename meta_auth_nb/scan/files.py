"""Scanning files and folders: which files to read, and reading them.

Scan layer: imports the base layer, and the token store lazily (for the
values it knows, see :func:`known_from_store`).

Which files
-----------
Every file is read in full, whatever its size: a notebook (``*.ipynb``) one
cell at a time and field by field (see :mod:`~meta_auth_nb.scan.notebooks`;
one that is not JSON, or not shaped like a notebook, is searched as text),
any other file as text in pieces of whole lines, in the encoding its bytes
show (UTF-8, UTF-16 or UTF-32 with or without a byte order mark; binary data
byte by byte, see :mod:`~meta_auth_nb.scan.reading`). Files with a well-known
binary suffix (images, archives, compiled code, data formats) are not read:
a token in them is compressed or encoded, not written as text. With
``max_bytes`` set, other files larger than it are not read either, and the
report's exit code says so (3). Directories are walked, skipping ``.git``,
``.venv``, ``node_modules`` and other tool folders (``.ipynb_checkpoints`` is
scanned: it holds copies of notebooks).

``fix``
-------
Only notebooks are rewritten (see :mod:`~meta_auth_nb.scan.fix`: symbolic
links are written through, hard links refused). Other files are reported but
never changed: in a ``.py`` or ``.env`` file the right fix is to move the value
into the store or the environment, and masking a ``.env`` that is deliberately
kept out of git would destroy a working secret.
"""

from __future__ import annotations

import fnmatch
import io
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from .detect import clean_known, line_col, mask_text, scan_text
from .fix import checkpoint_of, fix_notebook
from .notebooks import NotANotebook, notebook_findings, read_events
from .reading import TextEncoding, encoding_of, read_text, text_pieces
from .report import Finding, ScanReport

__all__ = [
    "BINARY_SUFFIXES",
    "DEFAULT_MAX_BYTES",
    "SKIP_DIRS",
    "iter_files",
    "known_from_store",
    "scan_file",
    "scan_paths",
]

#: No size cap by default: every file is read in full (notebooks always are).
DEFAULT_MAX_BYTES = 0
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
        ".flac",
        ".ogg",
        ".webm",
        ".mkv",
        ".pt",
        ".pth",
        ".ckpt",
        ".safetensors",
        ".onnx",
        ".joblib",
    }
)


def _safe(text: str, known: Iterable[str | None] = ()) -> str:
    # Paths and error texts are printed: mask anything secret-shaped in them too.
    return mask_text(text, known)


def _notebook(
    file: Path, display: str, encoding: TextEncoding, known: list[str], report: ScanReport
) -> list[Finding] | None:
    """The findings of a notebook read as one, or None (with a note) when it is to be searched as text."""
    with file.open("rb") as raw:
        raw.read(len(encoding.bom_bytes))
        text = io.TextIOWrapper(raw, encoding=encoding.codec, errors="replace", newline="")
        try:
            return notebook_findings(display, read_events(text.read), known)
        except NotANotebook:
            report.notes.append(f"{display}: not shaped like a notebook; scanned as text")
        except ValueError:
            report.notes.append(f"{display}: not a readable notebook (not valid JSON); scanned as text")
    return None


def scan_file(
    path: str | os.PathLike[str],
    known: Iterable[str | None] = (),
    *,
    fix: bool = False,
    report: ScanReport | None = None,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
    within: str | os.PathLike[str] | None = None,
) -> ScanReport:
    """Scan one file (a notebook or any other file) into ``report``.

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
        Do not read other files than notebooks larger than this (they are
        reported in ``skipped``, and the exit code is 3); None or 0 for no cap.
    within : path-like, optional
        The folder walked to reach ``path``: ``fix`` does not follow a
        symbolic link out of it (see :func:`~meta_auth_nb.scan.fix.write_target`).

    Returns
    -------
    ScanReport
        ``report``, or the new one.
    """
    report = report if report is not None else ScanReport()
    known_list = clean_known(known)
    file = Path(path)
    display = _safe(str(path), known_list)
    notebook = file.suffix.lower() == ".ipynb"
    if file.suffix.lower() in BINARY_SUFFIXES:
        report.skipped.append({"path": display, "reason": "binary"})
        return report
    try:
        if max_bytes and not notebook and file.stat().st_size > max_bytes:
            report.skipped.append({"path": display, "reason": "too large"})
            return report
        encoding = encoding_of(file)
        found = _notebook(file, display, encoding, known_list, report) if notebook and not encoding.binary else None
        if found is None:
            found = []
            for first_line, piece in text_pieces(file, encoding):
                for m in scan_text(piece, known_list):
                    line, column = line_col(piece, m.start)
                    found.append(
                        Finding(display, m.kind, m.replacement, m.known, first_line + line - 1, column, value=m.value)
                    )
            notebook = False
        report.files_scanned.append(display)
        report.findings.extend(found)
        if fix and notebook and found:
            fix_notebook(file, display, read_text(file, encoding), encoding, found, known_list, report, within=within)
    except OSError as exc:
        report.errors.append({"path": display, "error": _safe(f"could not read it: {exc.strerror or exc}", known_list)})
    return report


def _excluded(path: Path, patterns: Sequence[str]) -> bool:
    text = path.as_posix()
    return any(fnmatch.fnmatch(path.name, p) or fnmatch.fnmatch(text, p) for p in patterns)


def iter_files(
    paths: Iterable[str | os.PathLike[str]], exclude: Sequence[str] = (), *, seen: set[str] | None = None
) -> Iterator[tuple[Path, bool]]:
    """Yield ``(file, exists)`` for each path, walking folders in sorted order.

    Symlinked folders are not followed (no loops); :data:`SKIP_DIRS` and
    ``exclude`` glob patterns (matched against a name or a relative path) are
    left out. A file reached twice (a symlink, overlapping arguments) is
    yielded once.

    Parameters
    ----------
    paths : iterable of path-like
        Files and folders.
    exclude : sequence of str
        Glob patterns of files/folders to leave out.
    seen : set of str, optional
        Real paths already yielded (by an earlier call); updated.

    Yields
    ------
    (Path, bool)
        A file, and False for a path that does not exist.
    """
    seen = set() if seen is None else seen
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
        Do not read other files than notebooks larger than this; None or 0
        (the default) for no cap.
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
    known_list = clean_known(values)
    seen: set[str] = set()
    fixed: list[Path] = []
    for root in paths:
        within = root if Path(root).is_dir() else None
        for file, exists in iter_files([root], exclude, seen=seen):
            if not exists:
                report.missing.append(_safe(str(file), known_list))
                report.errors.append({"path": _safe(str(file), known_list), "error": "no such file or folder"})
                continue
            count = len(report.fixed_files)
            scan_file(file, known_list, fix=fix, report=report, max_bytes=max_bytes, within=within)
            if len(report.fixed_files) > count:
                fixed.append(file)
    for file in fixed:
        # A checkpoint is a copy of the notebook as it was saved: it may still hold the secret.
        checkpoint = checkpoint_of(file)
        if checkpoint.is_file() and os.path.realpath(checkpoint) not in seen:
            report.notes.append(
                _safe(
                    f"{file}: its Jupyter checkpoint {checkpoint} was not scanned and may still hold the secret "
                    f"(meta-auth scan --fix {checkpoint})",
                    known_list,
                )
            )
    return report
