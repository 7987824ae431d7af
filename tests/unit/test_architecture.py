"""The package tree is the architecture: these checks keep it so.

(import-linter checks the layers, the base layer's standard-library-only
imports, the I/O-free Graph core, the sandbox's independence and who starts it,
and cycles; see pyproject.toml and tools/import_contracts.py, and
test_import_contracts.py for a planted import breaking each. These cover what
it cannot say.)
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

import meta_auth_nb as mab

PACKAGE = Path(mab.__file__).parent
MAX_LINES = 450

#: The public names of ``import meta_auth_nb as mab``: removing one breaks users.
PUBLIC_NAMES = {
    "__version__",
    "AccessToken",
    "AsyncGraphSession",
    "CodeExchangeFailed",
    "GranularScope",
    "GraphError",
    "GraphSession",
    "LoginDenied",
    "LoginRequest",
    "MissingPermission",
    "OAuthError",
    "Permission",
    "RateLimited",
    "Settings",
    "StateMismatch",
    "StoredProfile",
    "TokenError",
    "TokenExpired",
    "TokenInfo",
    "TokenInvalidated",
    "TokenStore",
    "app_token",
    "appsecret_proof",
    "create_system_user_token",
    "errors",
    "exchange_code",
    "extend_token",
    "get_settings",
    "inspect_token",
    "inspect_tokens",
    "kernel_sandbox",
    "leak_guard",
    "login_url",
    "parse_redirect",
    "permissions",
    "refresh_system_user_token",
    "revoke_permission",
    "revoke_token",
    "scopes_frame",
    "session",
    "tokens_frame",
}


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_public_names_are_pinned():
    assert set(mab.__all__) == PUBLIC_NAMES
    for name in PUBLIC_NAMES:
        assert getattr(mab, name) is not None, name


def test_error_classes_live_at_their_public_path():
    from meta_auth_nb import errors

    for name in errors.__all__:
        cls = getattr(errors, name)
        home = sys.modules[cls.__module__]
        assert getattr(home, name) is cls, f"{name} cannot be imported from {cls.__module__}"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_is_too_long(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.name} has {lines} lines; split it by job (at most {MAX_LINES})"


def test_no_private_name_is_imported_from_another_module():
    offenders = []
    for path in _modules():
        module = _module_name(path)
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom):
                continue
            if node.level:
                parts = package.split(".")
                source = ".".join(parts[: len(parts) - node.level + 1] + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            if not source.startswith("meta_auth_nb"):
                continue
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    offenders.append(f"{module}: from {source} import {alias.name}")
    assert offenders == []


def test_importing_the_package_and_loading_the_extension_stay_light():
    code = (
        "import sys, meta_auth_nb\n"
        "from meta_auth_nb.notebook import magics\n"
        "heavy = [m for m in ('pandas', 'httpx', 'ipywidgets', 'jinja2', 'keyring', 'tqdm') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""
    # `import meta_auth_nb` alone loads the version and nothing else of the package (the rest on first use).
    bare = "import sys, meta_auth_nb\nprint(sorted(m for m in sys.modules if m.startswith('meta_auth_nb')))"
    loaded = subprocess.run([sys.executable, "-c", bare], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "['meta_auth_nb', 'meta_auth_nb._version']"


def test_the_architecture_map_says_what_the_contracts_enforce():
    """docs/architecture.md's layers section is made from pyproject.toml's contracts, so it cannot drift."""
    sys.path.insert(0, str(PACKAGE.parent))
    try:
        from tools.architecture_doc import DOC, rewritten
    finally:
        sys.path.remove(str(PACKAGE.parent))
    text = DOC.read_text(encoding="utf-8")
    assert text == rewritten(text), "docs/architecture.md is out of date: run `make docs`"
    for layer in ("`cli` \\| `notebook`", "`store` \\| `graph`", "the standard library"):
        assert layer in text


def test_showing_the_panel_loads_no_http_client_and_no_pandas():
    """`%meta_login --sandbox` up to the panel: the HTTP client comes with the first Graph call, pandas with a frame.

    What keeps a fresh kernel's panel quick (benchmarks/bench_panel.py measures it): the panel is widgets and
    templates, and the kernel's sandbox is a stdlib server.
    """
    code = (
        "import sys\n"
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "from IPython.utils.capture import capture_output\n"
        "ip = InteractiveShell.instance()\n"
        "ip.run_line_magic('load_ext', 'meta_auth_nb')\n"
        "with capture_output():\n"
        "    ip.run_line_magic('meta_login', '--sandbox')\n"
        "panel = ip.magics_manager.registry['MetaAuthMagics'].panel\n"
        "heavy = [m for m in ('httpx', 'anyio', 'pandas', 'meta_auth_nb.graph.drivers.sync') if m in sys.modules]\n"
        "print(panel.step, ','.join(heavy) or '-')\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("META_")}
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert done.stdout.split() == ["scopes", "-"], done.stdout + done.stderr[-2000:]
