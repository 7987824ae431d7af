"""Nobody else gets the login's redirect: a port another program holds, shared hosts.

On a shared machine (JupyterHub with a spawner that shares one network, any
host where several people have shells) the loopback port 8765 belongs to
whoever binds it first. Whatever holds it would receive the browser's
redirect, code and state, and where a team shares the app secret could turn
the code into the victim's token. So: the CLI and the panel refuse the
localhost redirect on a port that is not theirs (no quiet fallback to pasting
the same address), shared hosts are detected by the CLI as by the panel, and
the squatter never sees a connection.
"""

from __future__ import annotations

import io
import socket
import sys

import pytest
from IPython.core.interactiveshell import InteractiveShell

from meta_auth_nb import cli
from meta_auth_nb.cli import CommandContext
from meta_auth_nb.store import TokenStore
from tests.conftest import FAST_RETRY
from tests.store.store_helpers import DictKeyring


@pytest.fixture
def squatter():
    """Another program listening on a loopback port; it records whether anyone connected."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        sock.settimeout(0.2)
        yield sock


def _nobody_connected(sock: socket.socket) -> bool:
    try:
        conn, _ = sock.accept()
    except TimeoutError:
        return True
    conn.close()
    return False


def _run(argv: list[str], monkeypatch, capsys, stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    store = TokenStore(keyring_backend=DictKeyring())
    code = cli.main(argv, context=CommandContext(open_store=lambda: store, graph_options={"retry": FAST_RETRY}))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("mode", [[], ["--paste"]], ids=["catch", "paste"])
def test_cli_refuses_a_localhost_redirect_on_a_port_it_does_not_hold(sandbox_env, squatter, monkeypatch, capsys, mode):
    port = str(squatter.getsockname()[1])
    code, out, err = _run(["login", "--oauth", "--no-browser", "--port", port, *mode], monkeypatch, capsys)
    assert code == 3 and "held by another program" in err and "--redirect-uri" in err
    assert "dialog/oauth" not in out  # no login was started, so no code can go astray
    assert _nobody_connected(squatter)


def test_cli_detects_a_shared_host_and_does_not_listen_there(sandbox_env, monkeypatch, capsys):
    monkeypatch.setenv("JUPYTERHUB_API_URL", "http://hub.internal:8081/hub/api")
    code, _, err = _run(["login", "--oauth", "--no-browser"], monkeypatch, capsys, stdin="\n")
    assert "JupyterHub" in err and "waiting for the login" not in err  # it asked for a paste instead
    assert code == 2 and "Nothing was pasted" in err


def test_panel_refuses_the_busy_port_without_falling_back_to_pasting(sandbox_env, squatter, tmp_path):
    shell = InteractiveShell.instance()
    if "meta_auth_nb" not in shell.extension_manager.loaded:
        shell.run_line_magic("load_ext", "meta_auth_nb")
    magics = shell.magics_manager.registry["MetaAuthMagics"]
    magics.store = TokenStore(config_dir=tmp_path / "cfg", keyring_backend=DictKeyring())
    magics.leak_guard = False
    magics.redirect_port = squatter.getsockname()[1]
    try:
        shell.run_line_magic("meta_login", "--local")
        panel = magics.panel
        panel.scopes_next.click()
        panel.select_method("facebook")  # the link is made when the tab shows
        assert panel.wait_for_login_link() is None
        assert "held by another program" in panel.message_text
        assert panel.state.login is None and panel.login_link.value == ""
        assert panel.paste_row.layout.display == "none"
        # Nor is the busy address offered anywhere, to copy or to open.
        assert str(squatter.getsockname()[1]) not in panel.redirect_uri_field.value + panel.copy_button.value
        panel.login_button.click()  # trying again while the port is held changes nothing
        assert panel.wait_for_login_link() is None and "held by another program" in panel.message_text
        assert _nobody_connected(squatter)
    finally:
        if magics.panel is not None:
            magics.panel.close()
        shell.run_line_magic("unload_ext", "meta_auth_nb")
