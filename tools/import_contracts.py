"""Two import-linter contract types the built-in ones cannot express (used in pyproject.toml).

``standard_library_only``
    The modules of a package import nothing from outside the project but the
    standard library, as this Python names it (:data:`sys.stdlib_module_names`),
    so a new third-party import is caught without anyone listing it first.

``only_inside``
    Some imports are allowed only inside part of a package: no module of
    ``container`` outside the ``allowed_in`` packages imports any of ``imports``
    directly. An entry may be a submodule of a third-party or standard library
    package (``urllib.request``), which import-linter's graph squashes into its
    top-level package (``urllib``); the import statement itself is read then, so
    ``from urllib.parse import urlsplit`` stays allowed.

Both check direct imports, which is what the module itself does; a chain
through another layer is that layer's contract's business.
"""

from __future__ import annotations

import ast
import importlib.util
import sys
from functools import cache
from pathlib import Path

from grimp import ImportGraph
from importlinter import Contract, ContractCheck, fields, output

__all__ = ["OnlyInsideContract", "StandardLibraryOnlyContract"]

#: One forbidden import: (importer, what it imports, line numbers).
Offence = tuple[str, str, tuple[int, ...]]


def _modules_of(graph: ImportGraph, package: str) -> set[str]:
    """The package and every module below it."""
    return {package} | set(graph.find_descendants(package))


def _strings(contract: Contract, field: str) -> list[str]:
    """A list option of a contract, as parsed by its field."""
    return [str(item) for item in getattr(contract, field)]


def _roots(contract: Contract) -> frozenset[str]:
    """The project's own top-level packages (``root_packages``, or ``root_package``)."""
    return frozenset(str(root) for root in contract.session_options["root_packages"])


def _is_within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _render(offences: list[Offence]) -> None:
    for importer, imported, lines in offences:
        where = ", ".join(f"l.{n}" for n in lines)
        output.print_error(f"{importer} imports {imported} ({where})", bold=False)
        output.new_line()


class StandardLibraryOnlyContract(Contract):
    """The modules of ``source_modules`` import only the project itself and the standard library.

    Configuration options:
        - source_modules: the packages checked (with every module below them).
    """

    type_name = "standard_library_only"

    source_modules = fields.ListField(subfield=fields.StringField())

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        roots = _roots(self)
        offences: list[Offence] = []
        for package in _strings(self, "source_modules"):
            for importer in sorted(_modules_of(graph, package)):
                for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                    if imported.split(".")[0] in roots | sys.stdlib_module_names:
                        continue
                    details = graph.get_import_details(importer=importer, imported=imported)
                    offences.append((importer, imported, tuple(d["line_number"] for d in details)))
        return ContractCheck(kept=not offences, metadata={"offences": offences})

    def render_broken_contract(self, check: ContractCheck) -> None:
        _render(check.metadata["offences"])


class OnlyInsideContract(Contract):
    """No module of ``container`` outside ``allowed_in`` imports any of ``imports`` directly.

    Configuration options:
        - container: the package checked (with every module below it).
        - allowed_in: packages of ``container`` where the imports are allowed.
        - imports: modules (and so their submodules) imported only there; a
          project module or a third-party/standard one, possibly a submodule
          such as ``urllib.request``.
    """

    type_name = "only_inside"

    container = fields.StringField()
    allowed_in = fields.ListField(subfield=fields.StringField())
    imports = fields.ListField(subfield=fields.StringField())

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        roots = _roots(self)
        allowed, forbidden = _strings(self, "allowed_in"), _strings(self, "imports")
        offences: list[Offence] = []
        container = str(self.container)
        checked = [m for m in _modules_of(graph, container) if not any(_is_within(m, a) for a in allowed)]
        for importer in sorted(checked):
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                details = graph.get_import_details(importer=importer, imported=imported)
                for name in forbidden:
                    if _is_within(imported, name):
                        offences.append((importer, imported, tuple(d["line_number"] for d in details)))
                    elif _is_within(name, imported) and imported.split(".")[0] not in roots:
                        # a submodule of a package the graph squashed (urllib.request in urllib): read the statements
                        lines = tuple(
                            d["line_number"] for d in details if name in _names_imported_at(importer, d["line_number"])
                        )
                        if lines:
                            offences.append((importer, name, lines))
        return ContractCheck(kept=not offences, metadata={"offences": offences})

    def render_broken_contract(self, check: ContractCheck) -> None:
        _render(check.metadata["offences"])


@cache
def _tree(module: str) -> ast.Module:
    """The syntax tree of a project module, found from its root package without importing anything."""
    root, *parts = module.split(".")
    spec = importlib.util.find_spec(root)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"cannot find the package {root!r}")
    path = Path(next(iter(spec.submodule_search_locations)), *parts)
    source = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    return ast.parse(source.read_text(encoding="utf-8"))


def _names_imported_at(module: str, line: int) -> set[str]:
    """Every module an import statement at ``line`` may bring, with its packages and possible submodules.

    ``import a.b.c`` gives a, a.b, a.b.c; ``from a.b import c`` gives a, a.b, a.b.c.
    """
    names: set[str] = set()
    for node in ast.walk(_tree(module)):
        if getattr(node, "lineno", None) != line:
            continue
        if isinstance(node, ast.Import):
            dotted = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            dotted = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in dotted:
            parts = name.split(".")
            names.update(".".join(parts[: i + 1]) for i in range(len(parts)))
    return names
