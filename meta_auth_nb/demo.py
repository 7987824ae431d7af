"""``meta-auth demo``: the whole flow against the built-in sandbox.

Starts the sandbox, logs in through its dialog, exchanges the code, extends
the token, inspects it, lists its permissions and pulls campaigns and
insights into DataFrames, printing each step. Nothing is sent to Meta.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Callable

REDIRECT_URI = "http://127.0.0.1:8765/callback"
NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "01_quickstart.ipynb"


def run_headless(echo: Callable[[str], None] = print, *, insights_rows: int = 1000) -> int:
    """Run the flow headless against a fresh sandbox; return an exit code."""
    import pandas as pd

    from . import frames
    from .graph import GraphSession
    from .lifecycle import extend_token, inspect_token, permissions
    from .oauth import exchange_code, login_url, parse_redirect
    from .sandbox import Sandbox
    from .tokens import describe_delta

    pd.set_option("display.width", 160)
    pd.set_option("display.max_columns", 20)
    with Sandbox(insights_rows=insights_rows) as box:
        app = {"app_id": box.app_id, "app_secret": box.app_secret}
        where = {"base_url": box.graph_url}
        echo(f"1. Sandbox Graph API running at {box.graph_url} (app id {box.app_id})")

        request = login_url(box.app_id, REDIRECT_URI, ["ads_read"], dialog_url=box.dialog_url)
        echo(f"2. Login dialog: {request.url.split('?')[0]} asking for {', '.join(request.scopes)}")
        redirected = box.approve(request.url, user="alice")
        code = parse_redirect(redirected, request.state)
        echo("3. alice pressed Allow; the redirect's state matched and carried a code")

        short = exchange_code(code, redirect_uri=REDIRECT_URI, **app, **where)
        echo(f"4. Code exchanged for {short} (expires {describe_delta(short.expires_in())})")
        long = extend_token(short, **app, **where)
        echo(f"5. Extended: {short} ({describe_delta(short.expires_in())}) -> {long} ({describe_delta(long.expires_in())})")

        info = inspect_token(long, **app, **where)
        echo("6. debug_token says:")
        echo(frames.token_info_frame(info, token=long, profile="demo").drop(columns=["backend", "checked_at"]).T.to_string())
        perms = permissions(long, **where)
        echo("\n7. Scopes and granular targets:")
        echo(frames.scopes_frame_from(info, perms).to_string(index=False))

        with GraphSession(long, app_secret=box.app_secret, **where) as meta:
            account = next(iter(meta.pages("me/adaccounts")))["id"]
            campaigns = meta.frame(f"{account}/campaigns")
            insights = meta.frame(f"{account}/insights", limit=500)
            echo(f"\n8. {len(campaigns)} campaigns of {account}:")
            echo(campaigns.to_string(index=False))
            echo(f"\n9. {len(insights)} insights rows, paged 500 at a time; the first five:")
            echo(insights.head().to_string(index=False))
            if meta.usage is not None:
                echo(f"\nApp usage after the pull: {meta.usage.app}")
    echo("\nDone: every call went to the local sandbox; no token was printed in full.")
    return 0


def run_lab(echo: Callable[[str], None] = print) -> int:
    """Start the sandbox and JupyterLab on the quickstart notebook (blocks until Ctrl-C)."""
    from .sandbox import Sandbox

    jupyter = shutil.which("jupyter", path=str(Path(sys.executable).parent)) or shutil.which("jupyter")
    if not NOTEBOOK.exists() or jupyter is None:
        echo("JupyterLab or the quickstart notebook is not available here; running the flow headless instead.\n")
        return run_headless(echo)
    with Sandbox() as box:
        env = {**os.environ, **box.env()}
        echo(f"Sandbox Graph API at {box.graph_url}; starting JupyterLab on {NOTEBOOK.name} (Ctrl-C stops both).")
        command = [jupyter, "lab", str(NOTEBOOK), "--ServerApp.ip=127.0.0.1"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.append("--allow-root")
        try:
            return subprocess.call(command, env=env)
        except KeyboardInterrupt:
            return 0


def run_demo(*, execute: bool = False) -> int:
    """``meta-auth demo``: JupyterLab on the quickstart, or headless with ``execute``."""
    return run_headless() if execute else run_lab()
