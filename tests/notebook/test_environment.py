"""Kernel location: where the redirect can be caught."""

from __future__ import annotations

import pytest

from meta_auth_nb.auth.location import detect, redirect_location


def _no_colab() -> bool:
    return False


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({"BINDER_SERVICE_HOST": "10.0.0.1"}, "Binder"),
        ({"BINDER_LAUNCH_HOST": "https://mybinder.org/"}, "Binder"),
        ({"JUPYTERHUB_API_URL": "http://hub:8081/hub/api"}, "JupyterHub"),
        ({"CODESPACES": "true"}, "Codespaces"),
        ({"VSCODE_AGENT_FOLDER": "/home/u/.vscode-server"}, "VS Code"),
        ({"SSH_CONNECTION": "10.0.0.2 5555 10.0.0.3 22"}, "SSH"),
    ],
)
def test_remote_markers(env, words):
    location = detect(env, colab=_no_colab)
    assert location.remote and location.redirect_mode == "paste" and words in location.reason


def test_local_by_default():
    location = detect({}, colab=_no_colab)
    assert not location.remote and location.redirect_mode == "catch"


def test_colab_is_remote():
    assert detect({}, colab=lambda: True).reason == "Google Colab"


def test_precedence_flag_env_detection():
    remote_env = {"JUPYTERHUB_API_URL": "x"}
    assert redirect_location("local", remote_env, colab=_no_colab).redirect_mode == "catch"
    assert redirect_location("remote", {}, colab=_no_colab).redirect_mode == "paste"
    assert (
        redirect_location(None, {"META_AUTH_REDIRECT": "catch", **remote_env}, colab=_no_colab).redirect_mode == "catch"
    )
    assert redirect_location(None, {"META_AUTH_REDIRECT": "PASTE"}, colab=_no_colab).redirect_mode == "paste"
    with pytest.raises(ValueError, match="catch"):
        redirect_location(None, {"META_AUTH_REDIRECT": "maybe"}, colab=_no_colab)
