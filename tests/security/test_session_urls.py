"""No token in a URL, no token in what a call returns, no paging link followed off its list.

Tried the way an attacker or a careless user would: every spelling of
``access_token``, every form of a batch item, a token under another name,
hostile ``paging.next`` links (another path, ``method=post``), and printing
what ``get()`` returned. Checked against the sandbox over real HTTP, which
logs every request's path and query keys.
"""

from __future__ import annotations

import json

import pytest

import meta_auth_nb as mab
from meta_auth_nb import errors as E


@pytest.fixture
def meta(sandbox, opts):
    with mab.GraphSession(sandbox.issue_token(), app_secret=sandbox.app_secret, **opts) as session:
        yield session


def _token(meta) -> str:
    return meta.token.get_secret_value()


@pytest.mark.parametrize(
    "path",
    [
        "me?access_token={t}",
        "me?ACCESS_TOKEN={t}",
        "me?access%5Ftoken={t}",
        "me?access%5ftoken={t}",
        "me?access%255Ftoken={t}",
        "me?%61ccess_token={t}",
        "me?access_token[]={t}",
        "me?fields=id&access_token=x",
        "me?input_token={t}",
        "me?client_secret=abc",
        "me?fields={t}",
        "me?note=%45AA{tail}",
        "{t}/adaccounts",
        "me#access_token={t}",
    ],
)
def test_a_token_in_the_path_is_refused_and_nothing_is_sent(sandbox, meta, path):
    token = _token(meta)
    with pytest.raises(E.ConfigError, match="token in a URL") as info:
        meta.get(path.format(t=token, tail=token[3:]))
    assert token not in str(info.value)
    assert isinstance(info.value, ValueError)  # ConfigError is also a ValueError
    assert sandbox.request_count() == 0


@pytest.mark.parametrize(
    "params",
    [
        {"access_token": "x"},
        {"access%5Ftoken": "x"},
        {"Access_Token": "x"},
        {"input_token": "{t}"},
        {"q": "{t}"},
    ],
)
def test_a_token_in_get_parameters_is_refused(sandbox, meta, params):
    token = _token(meta)
    with pytest.raises(E.ConfigError):
        meta.get("me", **{k: v.format(t=token) for k, v in params.items()})
    assert sandbox.request_count() == 0


def test_a_token_in_a_post_body_is_fine_but_access_token_never(sandbox, meta):
    # debug_token reads a token from the body (POST with method=get): not a URL.
    assert meta.post("debug_token", input_token=_token(meta), method="get")["data"]["is_valid"]
    with pytest.raises(E.ConfigError):
        meta.post("me", access_token=_token(meta))
    entries = [e for e in sandbox.request_log if e.path.endswith("/debug_token")]
    assert entries and all("input_token" not in e.query_keys for e in entries)


@pytest.mark.parametrize(
    "item",
    [
        "me?access_token={t}",
        "me?access%5Ftoken={t}",
        ("GET", "me?access_token={t}"),
        ("GET", "me?ACCESS_TOKEN={t}"),
        ("POST", "me/feed", {"access_token": "{t}"}),
        {"method": "GET", "relative_url": "me?access%5Ftoken={t}"},
        {"method": "GET", "relative_url": "me?fields={t}"},
        {"method": "GET", "relative_url": "me", "body": {"access%5Ftoken": "x"}},
        # Graph's documented string body, checked like a mapping
        {"method": "POST", "relative_url": "me/feed", "body": "message=hi&access_token={t}"},
        {"method": "POST", "relative_url": "me/feed", "body": "ACCESS%5FTOKEN=x&message=hi"},
        {"method": "POST", "relative_url": "me/feed", "body": "access_token[]=x"},
        ("POST", "me/feed", "message=hi&access.token=x"),
    ],
)
def test_every_form_of_batch_item_is_checked(sandbox, meta, item):
    token = _token(meta)

    def fill(value):
        if isinstance(value, str):
            return value.format(t=token)
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        return tuple(fill(v) for v in value)

    with pytest.raises(E.ConfigError) as info:
        meta.batch(["me", fill(item)])
    assert token not in str(info.value)
    assert sandbox.request_count() == 0


def test_a_batch_item_with_graphs_string_body_is_sent_as_graph_documents_it(sandbox, meta):
    act = sandbox.ad_account_ids()[0]
    me, run = meta.batch(
        [
            {"method": "GET", "relative_url": "me", "body": "fields=id,name"},
            ("POST", f"{act}/insights", "fields=impressions&date_preset=last_7d"),
        ]
    )
    assert me == {"id": sandbox.user_id("alice"), "name": "Alice Analyst"}
    assert set(run) == {"report_run_id"}  # the POST body made a report run: it was read as a write
    with pytest.raises(ValueError, match="mapping or a form string"):
        meta.batch([{"method": "POST", "relative_url": "me/feed", "body": b"message=hi"}])


def test_paging_links_in_replies_are_scrubbed_before_they_are_returned(sandbox, meta):
    token = _token(meta)
    act = sandbox.ad_account_ids()[0]
    first = meta.get(f"{act}/insights", limit=10)
    page = meta.get(f"{act}/insights", limit=10, after=first["paging"]["cursors"]["after"])
    # The sandbox, like Graph, put the caller's token in next and previous.
    assert "access_token" not in page["paging"]["next"] and "access_token" not in page["paging"]["previous"]
    assert "after=" in page["paging"]["next"] and "limit=10" in page["paging"]["next"]
    assert token not in json.dumps(page)
    batch = meta.batch([f"{act}/insights?limit=5"])
    assert token not in json.dumps(batch) and "after=" in batch[0]["paging"]["next"]


def test_a_link_carrying_a_token_anywhere_in_a_reply_is_scrubbed(sandbox, meta):
    token = _token(meta)
    body = {
        "data": [{"id": "1", "picture": f"https://cdn.example/p.png?ACCESS%5FTOKEN={token}&size=2"}],
        "paging": {"next": f"{sandbox.graph_url}/v25.0/me/feed?after=x&input_token={token}"},
        "access_token": "EAAPageTokenData0123456789abcdefghij",  # data the caller asked for, not a link
    }
    sandbox.fail_next({"status": 200, "body": body}, path="me/feed")
    reply = meta.get("me/feed")
    assert token not in json.dumps(reply)
    assert reply["data"][0]["picture"] == "https://cdn.example/p.png?size=2"
    assert reply["access_token"] == body["access_token"]


def _page(next_url: str) -> dict:
    return {"data": [{"id": "1"}], "paging": {"cursors": {"after": "MQ"}, "next": next_url}}


@pytest.mark.parametrize(
    "link",
    [
        "/v25.0/me/permissions?after=MQ",  # another list of the same host
        "/v25.0/me?after=MQ",
        "/v25.0/me/adaccounts?after=MQ&method=post",  # a read turned into a write
        "/v25.0/me/adaccounts?after=MQ&METHOD=delete",
        "/v25.0/me/adaccounts?after=MQ&method[x]=post",  # any bracketed form is an array named method
        "/v25.0/me/adaccounts?after=MQ&method[]=post",
        "/v25.0/me/adaccounts?after=MQ&Method%5B0%5D=delete",
        "/v25.0/me/adaccounts?after=MQ&method%255Bx%255D=post",
        "/v25.0/me/adaccounts/extra?after=MQ",
    ],
)
def test_a_paging_link_off_its_list_or_with_method_is_not_followed(sandbox, meta, link):
    sandbox.fail_next({"status": 200, "body": _page(sandbox.graph_url + link)}, path="me/adaccounts")
    with pytest.raises(E.GraphError, match="Refusing to follow") as info:
        list(meta.pages("me/adaccounts"))
    assert "token was not sent" in str(info.value)
    assert sandbox.request_count() == 1  # only the first page was asked for


def test_a_paging_link_on_the_same_list_is_followed_even_with_me_as_an_id(sandbox, meta):
    user = sandbox.user_id("alice")
    cursor = meta.get("me/adaccounts", limit=1)["paging"]["cursors"]["after"]
    link = f"{sandbox.graph_url}/v25.0/{user}/adaccounts?limit=1&after={cursor}&access_token={_token(meta)}"
    sandbox.fail_next({"status": 200, "body": _page(link)}, path="me/adaccounts")
    rows = list(meta.pages("me/adaccounts"))
    assert rows[0] == {"id": "1"} and rows[1]["id"] == sandbox.ad_account_ids()[1]
    followed = [e for e in sandbox.request_log if e.path == f"/v25.0/{user}/adaccounts"]
    assert len(followed) == 1 and "access_token" not in followed[0].query_keys and followed[0].has_bearer


def test_a_token_in_the_path_of_a_link_in_a_reply_is_masked(sandbox, meta):
    token = _token(meta)
    body = {"data": [], "link": f"https://cdn.example/{token}/p.png"}
    sandbox.fail_next({"status": 200, "body": body}, path="me/feed")
    reply = meta.get("me/feed")
    assert token not in json.dumps(reply) and reply["link"].startswith("https://cdn.example/EAA")
