"""The "layers and what each may import" section of docs/architecture.md, drawn from the import-linter contracts.

The contracts in ``pyproject.toml`` are what CI enforces, so the map is made
from them and cannot drift: ``python tools/architecture_doc.py --write``
rewrites the section between the markers, and a test fails when it is out of date.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - import-linter brings tomli on older Pythons
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "architecture.md"
BEGIN = "<!-- layers: begin (made by tools/architecture_doc.py from pyproject.toml; do not edit by hand) -->"
END = "<!-- layers: end -->"
PACKAGE = "meta_auth_nb."


def _short(module: str) -> str:
    return module.removeprefix(PACKAGE) if module != "meta_auth_nb.*" else "any module of meta_auth_nb"


def _names(modules: list[str]) -> str:
    return ", ".join(f"`{_short(m)}`" for m in modules)


def contracts() -> list[dict[str, Any]]:
    """The import-linter contracts, as ``pyproject.toml`` holds them."""
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return list(data["tool"]["importlinter"]["contracts"])


def section(found: list[dict[str, Any]] | None = None) -> str:
    """The Markdown section: the layers, highest first, then every other rule, each as CI checks it."""
    lines = [BEGIN, ""]
    for contract in found if found is not None else contracts():
        kind, name = contract["type"], contract["name"]
        lines.append(f"**{name}** (`{kind}`)")
        lines.append("")
        if kind == "layers":
            lines.append("| layer (highest first) | may import |")
            lines.append("| --- | --- |")
            layers = [[_short(m.strip()) for m in layer.split("|")] for layer in contract["layers"]]
            for index, layer in enumerate(layers):
                below = [m for lower in layers[index + 1 :] for m in lower]
                shown = " \\| ".join(f"`{m}`" for m in layer)
                alone = " (neither imports the other)" if len(layer) > 1 else ""
                lines.append(f"| {shown}{alone} | {', '.join(f'`{m}`' for m in below) or 'the standard library'} |")
        elif kind == "forbidden":
            lines.append(f"{_names(contract['source_modules'])} never imports {_names(contract['forbidden_modules'])}.")
        elif kind == "protected":
            lines.append(f"{_names(contract['protected_modules'])} is imported only by:")
            lines.append("")
            lines += [f"- `{_short(m)}`" for m in contract["allowed_importers"]]
        elif kind == "standard_library_only":
            lines.append(f"{_names(contract['source_modules'])} imports only the standard library "
                         "(checked against `sys.stdlib_module_names`).")  # fmt: skip
        elif kind == "only_inside":
            others = [m for m in contract["imports"] if not m.startswith(PACKAGE)]
            own = [m for m in contract["imports"] if m.startswith(PACKAGE)]
            lines.append(
                f"Inside `{_short(contract['container'])}`, only {_names(contract['allowed_in'])} may import "
                + ", ".join(f"`{m}`" for m in others)
                + (f", or {_names(own)}" if own else "")
                + "."
            )
        elif kind == "acyclic_siblings":
            lines.append(f"No import cycle among the sibling modules under {_names(contract['ancestors'])}.")
        else:
            lines.append(f"(a `{kind}` contract; see pyproject.toml)")
        lines.append("")
    lines.append(END)
    return "\n".join(lines)


def rewritten(text: str) -> str:
    """``text`` (the document) with its section made anew."""
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return head + section() + tail


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help=f"rewrite the section in {DOC.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    if args.write:
        DOC.write_text(rewritten(DOC.read_text(encoding="utf-8")), encoding="utf-8")
    else:
        print(section())
    return 0


if __name__ == "__main__":
    sys.exit(main())
