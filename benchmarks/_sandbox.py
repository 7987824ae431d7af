"""Run the Graph API sandbox in its own process for the benchmarks.

The sandbox's HTTP server is pure Python. Run in the benchmark's own process,
it would share the client's GIL, so every contender's time would include the
server's work (making 500-row pages, encoding JSON) and the ratios between
clients would shrink toward 1. Real Graph is remote, so here the server gets
its own process (and, on a multi-core machine, its own core) and the time
measured is the client's own: HTTP, JSON decoding, row handling, DataFrame.

The child builds ``Sandbox(**kwargs)`` and answers method calls sent over a
pipe, so :class:`RemoteSandbox` behaves like a started ``Sandbox`` for what
the benchmarks use (``graph_url``, ``app_id``, ``app_secret``,
``issue_token``, ``ad_account_ids``, ``set_faults``, ``request_count``,
``report_run_count``).
"""

from __future__ import annotations

import multiprocessing as mp
from typing import Any

_ALLOWED = {
    "issue_token",
    "ad_account_ids",
    "set_faults",
    "info",
    "request_count",
    "report_run_count",
    "report_run_seconds",
}


def _serve(conn: Any, kwargs: dict[str, Any]) -> None:
    from meta_auth_nb.sandbox import Sandbox

    with Sandbox(**kwargs) as box:
        conn.send({"graph_url": box.graph_url, "app_id": box.app_id, "app_secret": box.app_secret})
        while True:
            message = conn.recv()
            if message is None:
                break
            name, args, kw = message
            try:
                if name not in _ALLOWED:
                    raise AttributeError(name)
                conn.send(("ok", getattr(box, name)(*args, **kw)))
            except Exception as exc:  # handed back to the parent
                conn.send(("error", repr(exc)))


class RemoteSandbox:
    """``Sandbox(**kwargs)`` in a child process; use as a context manager."""

    def __init__(self, **kwargs: Any) -> None:
        self._kwargs = kwargs
        self._proc: Any = None
        self._conn: Any = None

    def __enter__(self) -> RemoteSandbox:
        ctx = mp.get_context("spawn")
        parent, child = ctx.Pipe()
        self._proc = ctx.Process(target=_serve, args=(child, self._kwargs), daemon=True)
        self._proc.start()
        self._conn = parent
        if not parent.poll(60):
            raise RuntimeError("the sandbox process did not start")
        facts = parent.recv()
        self.graph_url: str = facts["graph_url"]
        self.app_id: str = facts["app_id"]
        self.app_secret: str = facts["app_secret"]
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self._conn.send(None)
        except OSError:
            pass
        self._proc.join(timeout=10)
        if self._proc.is_alive():
            self._proc.terminate()
            self._proc.join(timeout=5)

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        self._conn.send((name, args, kwargs))
        status, value = self._conn.recv()
        if status != "ok":
            raise RuntimeError(f"sandbox.{name} failed: {value}")
        return value

    def issue_token(self, *args: Any, **kwargs: Any) -> str:
        return self._call("issue_token", *args, **kwargs)

    def ad_account_ids(self, *args: Any, **kwargs: Any) -> list[str]:
        return self._call("ad_account_ids", *args, **kwargs)

    def set_faults(self, *args: Any, **kwargs: Any) -> None:
        self._call("set_faults", *args, **kwargs)

    def request_count(self, *args: Any, **kwargs: Any) -> int:
        return self._call("request_count", *args, **kwargs)

    def report_run_count(self) -> int:
        return self._call("report_run_count")

    def report_run_seconds(self) -> float:
        return self._call("report_run_seconds")
