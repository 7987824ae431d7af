"""Mutation testing of the decision modules: does some test notice each small change to a decision?

``make mutate`` (or ``python tools/mutate.py [--module PATH] [--jobs N]``) makes one
mutant at a time of each module in :data:`MODULES` (a flipped comparison, a
changed number, a dropped ``not``, ``and`` for ``or``, a statement removed, a
regex alternative dropped) and runs only that module's own tests against it.
A mutant is *killed* when a test fails (or hangs), and *survives* when every
test still passes: a decision no test notices.

How it stays fast on two cores: the package and pytest are imported once; each
mutant runs in a forked child, which replaces the module by its mutated source
(and every reference other modules hold to the replaced functions, classes and
constants), then runs pytest in process on the module's tests with ``-x``.

The figures go to stdout and, with ``--report``, to a Markdown table
(``tests/MUTATION.md`` keeps the latest); survivors are listed with their line
and change, to kill or to judge equivalent.
"""

from __future__ import annotations

import argparse
import ast
import copy
import datetime as dt
import importlib
import os
import re
import signal
import sys
import time
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from mutation_equivalents import equivalent_reason

ROOT = Path(__file__).resolve().parents[1]

#: Each decision module, and the tests that are its own (what a change to it should break), quickest first:
#: a mutant stops at its first failing test, so the quick ones kill most mutants before the slow ones run.
MODULES: dict[str, list[str]] = {
    "meta_auth_nb/graph/classify.py": [
        "tests/unit/test_classify_meanings.py",
        "tests/unit/test_errors.py",
        "tests/unit/test_graph_plan.py",
        "tests/flows/test_graph_errors.py",
        "tests/flows/test_retry_safety.py",
    ],
    "meta_auth_nb/_base/token_errors.py": [
        "tests/unit/test_errors.py",
        "tests/unit/test_decisions.py",
        "tests/flows/test_health.py",
    ],
    "meta_auth_nb/auth/verdict.py": [
        "tests/unit/test_decisions.py",
        "tests/unit/test_errors.py",
        "tests/flows/test_health.py",
        "tests/flows/test_roleless.py",
    ],
    "meta_auth_nb/graph/pacing.py": [
        "tests/unit/test_graph_plan.py",
        "tests/unit/test_pacing.py",
    ],
    "meta_auth_nb/_base/redact.py": [
        "tests/unit/test_redact_patterns.py",
        "tests/unit/test_base.py",
        "tests/unit/test_masks.py",
        "tests/guard/test_stream_joints.py",
    ],
    "meta_auth_nb/scan/detect.py": [
        "tests/security/test_scan_decisions.py",
        "tests/security/test_scan.py",
        "tests/security/test_scan_hardening.py",
        "tests/security/test_scan_blind_spots.py",
    ],
    "meta_auth_nb/auth/app_choice.py": [
        "tests/unit/test_decisions.py",
        "tests/notebook/test_app_choice.py",
    ],
    "meta_auth_nb/auth/extension.py": [
        "tests/unit/test_decisions.py",
        "tests/notebook/test_after_login.py",
    ],
    "meta_auth_nb/_base/words.py": [
        "tests/unit/test_decisions.py",
        "tests/notebook/test_same_words.py",
    ],
}

#: Seconds a mutant's tests may take before it counts as killed (a hang is noticed too).
TIMEOUT_S = 120.0


@dataclass(frozen=True)
class Mutant:
    """One small change to a module: where, what, and the mutated source."""

    line: int
    change: str
    source: str


# --- making mutants ----------------------------------------------------------------------------------------------
_COMPARE_SWAPS: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}


def _docstring_ids(tree: ast.AST) -> set[int]:
    """The ids of docstring nodes, which no mutant touches."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first))
    return found


def _is_logging(node: ast.stmt) -> bool:
    """``log.info(...)``-like statements: removing them changes nothing a test could see by design."""
    call = node.value if isinstance(node, ast.Expr) else None
    return (
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Attribute)
        and isinstance(call.func.value, ast.Name)
        and call.func.value.id in {"log", "logger", "logging"}
    )


def _skipped(tree: ast.AST) -> set[int]:
    """Ids of nodes no mutant touches: decorators and ``if TYPE_CHECKING:`` blocks (they decide nothing at run time)."""
    found: set[int] = set()
    for node in ast.walk(tree):
        roots: list[ast.AST] = []
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            roots = list(node.decorator_list)
        elif isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            roots = [node]
        for root in roots:
            found.update(id(inner) for inner in ast.walk(root))
    return found


def _regex_sources(tree: ast.AST) -> set[int]:
    """Ids of string constants compiled as regular expressions (``re.compile(...)``'s first argument)."""
    found = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "compile"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "re"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.add(id(node.args[0]))
    return found


def _alternatives(pattern: str) -> Iterator[tuple[str, str]]:
    """Each ``|`` branch of a regex dropped in turn (outside character classes), with what was dropped."""
    in_class, escaped = False, False
    for index, char in enumerate(pattern):
        if escaped:
            escaped = False
            continue
        if char == "\\":
            escaped = True
        elif char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        elif char == "|" and not in_class:
            end, depth, inner_class, esc = index + 1, 0, False, False
            while end < len(pattern):
                c = pattern[end]
                if esc:
                    esc = False
                elif c == "\\":
                    esc = True
                elif c == "[" and not inner_class:
                    inner_class = True
                elif c == "]" and inner_class:
                    inner_class = False
                elif not inner_class and c == "(":
                    depth += 1
                elif not inner_class and c == ")":
                    if depth == 0:
                        break
                    depth -= 1
                elif not inner_class and c == "|" and depth == 0:
                    break
                end += 1
            yield pattern[:index] + pattern[end:], pattern[index:end]


def _edits(tree: ast.Module) -> Iterator[tuple[ast.AST, str, Callable[[ast.AST], None]]]:
    """(node, change, how to apply it to that node) for every mutation of the tree."""
    docstrings, regexes, skipped = _docstring_ids(tree), _regex_sources(tree), _skipped(tree)
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Compare):
            for position, op in enumerate(node.ops):
                swap = _COMPARE_SWAPS.get(type(op))
                if swap is not None:

                    def flip(target: ast.AST, position: int = position, swap: type[ast.cmpop] = swap) -> None:
                        assert isinstance(target, ast.Compare)
                        target.ops[position] = swap()

                    yield node, f"{type(op).__name__} -> {swap.__name__}", flip
        elif isinstance(node, ast.BoolOp):
            other = ast.Or if isinstance(node.op, ast.And) else ast.And

            def swap_bool(target: ast.AST, other: type[ast.boolop] = other) -> None:
                assert isinstance(target, ast.BoolOp)
                target.op = other()

            yield node, f"{type(node.op).__name__} -> {other.__name__}", swap_bool
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):

            def drop_not(target: ast.AST) -> None:
                assert isinstance(target, ast.UnaryOp)
                target.op = ast.UAdd()  # +x of a bool is its int: truthy exactly as x is

            yield node, "not x -> x", drop_not
        elif isinstance(node, ast.Constant) and id(node) not in docstrings:
            value = node.value
            if isinstance(value, bool):

                def negate(target: ast.AST) -> None:
                    assert isinstance(target, ast.Constant)
                    target.value = not target.value

                yield node, f"{value} -> {not value}", negate
            elif isinstance(value, (int, float)):

                def bump(target: ast.AST, bumped: float = value + 1) -> None:
                    assert isinstance(target, ast.Constant)
                    target.value = bumped

                yield node, f"{value!r} -> {value + 1!r}", bump
            elif isinstance(value, str) and id(node) in regexes:
                for mutated, dropped in _alternatives(value):

                    def drop_branch(target: ast.AST, mutated: str = mutated) -> None:
                        assert isinstance(target, ast.Constant)
                        target.value = mutated

                    yield node, f"regex without {dropped!r}", drop_branch
                for found in re.finditer(r"\{(\d+)(,\d*)?\}", value):
                    bumped = value[: found.start(1)] + str(int(found.group(1)) + 1) + value[found.end(1) :]

                    def bump_count(target: ast.AST, bumped: str = bumped) -> None:
                        assert isinstance(target, ast.Constant)
                        target.value = bumped

                    yield (
                        node,
                        f"regex {found.group(0)} -> {{{int(found.group(1)) + 1}{found.group(2) or ''}}}",
                        bump_count,
                    )
        elif isinstance(node, (ast.If, ast.Expr, ast.Raise, ast.AugAssign)) and id(node) not in docstrings:
            if isinstance(node, ast.If) and node.orelse:
                continue
            if isinstance(node, ast.Expr) and (not isinstance(node.value, ast.Call) or _is_logging(node)):
                continue

            def remove(target: ast.AST) -> None:
                target.__class__ = ast.Pass
                for name in list(vars(target)):
                    if name not in ("lineno", "col_offset", "end_lineno", "end_col_offset"):
                        delattr(target, name)

            yield node, f"{type(node).__name__.lower()} statement removed", remove


def mutants(path: Path) -> list[Mutant]:
    """Every mutant of the module at ``path``, in the order of its source."""
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    walk = list(ast.walk(tree))
    result = []
    for node, change, apply in _edits(tree):
        copied = copy.deepcopy(tree)
        # ast.walk visits a tree and its deep copy in the same order: the node's position finds its copy.
        apply(list(ast.walk(copied))[walk.index(node)])
        ast.fix_missing_locations(copied)
        result.append(Mutant(getattr(node, "lineno", 0), change, ast.unparse(copied)))
    return sorted(result, key=lambda m: m.line)


# --- running one mutant ------------------------------------------------------------------------------------------
def _module_name(path: str) -> str:
    return path[: -len(".py")].replace("/", ".")


def _swap_in(name: str, source: str) -> None:
    """Replace module ``name`` by ``source`` run afresh, and every reference the package holds to its old objects."""
    old = sys.modules[name]
    new = types.ModuleType(name, old.__doc__)
    for attribute in ("__file__", "__package__", "__spec__", "__loader__", "__path__"):
        if hasattr(old, attribute):
            setattr(new, attribute, getattr(old, attribute))
    sys.modules[name] = new
    exec(compile(source, old.__file__ or name, "exec"), new.__dict__)
    replaced = {
        id(value): new.__dict__[key]
        for key, value in old.__dict__.items()
        if key in new.__dict__ and new.__dict__[key] is not value and not key.startswith("__")
    }
    replaced[id(old)] = new
    for module in list(sys.modules.values()):
        if module is None or not getattr(module, "__name__", "").startswith("meta_auth_nb"):
            continue
        for key, value in list(vars(module).items()):
            if id(value) in replaced and module is not new:
                setattr(module, key, replaced[id(value)])


def _run_tests(tests: list[str]) -> int:
    import pytest

    args = [*tests, "-x", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", "--no-header", "-o", "addopts="]
    return int(pytest.main(args))


def _child(name: str, mutant: Mutant | None, tests: list[str]) -> None:
    """In a forked child: apply the mutant (none: the baseline), run the tests, exit with their code."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    try:
        if mutant is not None:
            _swap_in(name, mutant.source)
        code = _run_tests(tests)
    except BaseException:  # a mutant that breaks the import is killed
        code = 99
    os._exit(code)


@dataclass
class Outcome:
    mutant: Mutant
    killed: bool
    seconds: float


def run_module(path: str, *, jobs: int, progress: Callable[[str], None]) -> tuple[list[Outcome], bool]:
    """All mutants of ``path`` against its tests, ``jobs`` at a time; (outcomes, baseline passed)."""
    name, tests = _module_name(path), MODULES[path]
    importlib.import_module(name)
    baseline = _wait(_spawn(name, None, tests))
    if baseline != 0:
        return [], False
    todo = list(mutants(ROOT / path))
    running: dict[int, tuple[Mutant, float]] = {}
    outcomes: list[Outcome] = []
    while todo or running:
        while todo and len(running) < jobs:
            mutant = todo.pop(0)
            running[_spawn(name, mutant, tests)] = (mutant, time.monotonic())
        pid, status = os.waitpid(-1, os.WNOHANG)
        if pid == 0:
            for child, (_, started) in list(running.items()):
                if time.monotonic() - started > TIMEOUT_S:
                    os.kill(child, signal.SIGKILL)
            time.sleep(0.02)
            continue
        mutant, started = running.pop(pid)
        killed = not (os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0)
        outcomes.append(Outcome(mutant, killed, time.monotonic() - started))
        progress("." if killed else "S")
    return sorted(outcomes, key=lambda o: o.mutant.line), True


def _spawn(name: str, mutant: Mutant | None, tests: list[str]) -> int:
    pid = os.fork()
    if pid == 0:
        _child(name, mutant, tests)
    return pid


def _wait(pid: int) -> int:
    _, status = os.waitpid(pid, 0)
    return os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1


# --- the report ----------------------------------------------------------------------------------------------------
def report(results: dict[str, tuple[list[Outcome], bool]], seconds: float) -> str:
    """The Markdown report: a line per module, then every survivor."""
    today = dt.date.today().isoformat()
    lines = [
        "# Mutation testing",
        "",
        f"{today}, {seconds / 60:.1f} minutes on {os.cpu_count()} cores: `make mutate` (`tools/mutate.py`). A mutant "
        "is one small change to a decision module (a flipped comparison, a changed number, a dropped `not`, a "
        "statement removed, a regex alternative dropped), run against that module's own tests (`MODULES` in "
        "`tools/mutate.py`). *Equivalent* survivors change nothing a user could notice; each is listed below with "
        "why (`tools/mutation_equivalents.py`). The aim: at least 90% of mutants killed in every module.",
        "",
        "| module | mutants tried | killed | survived | of which equivalent | killed % | killed %, equivalents aside |",
        "|---|---|---|---|---|---|---|",
    ]
    judged: dict[str, list[tuple[Outcome, str | None]]] = {}
    for path, (outcomes, ok) in results.items():
        if not ok:
            lines.append(f"| {path} | - | - | - | - | - | its tests fail without a mutant |")
            continue
        source = (ROOT / path).read_text(encoding="utf-8").splitlines()
        survivors = [o for o in outcomes if not o.killed]
        judged[path] = [(o, equivalent_reason(path, source[o.mutant.line - 1], o.mutant.change)) for o in survivors]
        killed = len(outcomes) - len(survivors)
        share = 100 * killed / len(outcomes) if outcomes else 100.0
        same = sum(reason is not None for _, reason in judged[path])
        aside = 100 * killed / (len(outcomes) - same) if len(outcomes) > same else 100.0
        lines.append(
            f"| {path} | {len(outcomes)} | {killed} | {len(survivors)} | {same} | {share:.0f}% | {aside:.0f}% |"
        )
    for heading, equivalent in (("Survivors not yet killed", False), ("Equivalent survivors", True)):
        rows = [
            f"- `{path}` line {o.mutant.line}, {o.mutant.change}" + (f": {reason}" if reason else "")
            for path, pairs in judged.items()
            for o, reason in pairs
            if (reason is not None) is equivalent
        ]
        lines += ["", f"## {heading}", "", *(rows or ["None."])]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--module", action="append", help="only this module (a path in MODULES); repeatable")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="mutants run at once")
    parser.add_argument("--list", action="store_true", help="list the mutants and exit")
    parser.add_argument("--report", type=Path, help="also write the Markdown report here")
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    chosen = args.module or list(MODULES)
    if args.list:
        for path in chosen:
            for mutant in mutants(ROOT / path):
                print(f"{path}:{mutant.line}: {mutant.change}")
        return 0
    import pytest  # noqa: F401 - imported once, before the forks

    import meta_auth_nb.graph.drivers.sync  # noqa: F401 - the heavy imports, shared by every child

    started = time.monotonic()
    results: dict[str, tuple[list[Outcome], bool]] = {}
    for path in chosen:
        print(f"{path} ", end="", flush=True)
        results[path] = run_module(path, jobs=args.jobs, progress=lambda mark: print(mark, end="", flush=True))
        outcomes, ok = results[path]
        killed = sum(o.killed for o in outcomes)
        print(f" {killed}/{len(outcomes)} killed" if ok else " its tests fail without a mutant", flush=True)
    text = report(results, time.monotonic() - started)
    print()
    print(text)
    if args.report:
        args.report.write_text(text, encoding="utf-8")
    return 0 if all(ok for _, ok in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
