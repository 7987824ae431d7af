"""Rendering helpers: templates escape, frames colour their status cells and stay plain underneath."""

from __future__ import annotations

import pickle

import pandas as pd
from markupsafe import Markup

from meta_auth_nb._base.timefmt import utcnow
from meta_auth_nb._base.tokens import GranularScope, Permission, TokenInfo
from meta_auth_nb.notebook import frame_view
from meta_auth_nb.notebook import render as display


def test_templates_escape_values():
    html = display.render("help.html", text="<script>alert(1)</script>")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert display.render("help.html", text=Markup("<tr></tr>")).count("<tr></tr>") == 1


def test_permission_catalog_starts_with_ads_read():
    names = [name for name, _ in display.permission_catalog()]
    assert names[0] == "ads_read" and "leads_retrieval" in names


def test_token_card_reads_like_facts():
    from datetime import timedelta

    now = utcnow()
    info = TokenInfo(
        is_valid=True,
        app_id="123",
        type="USER",
        application="My App",
        user_id="42",
        issued_at=now - timedelta(hours=1),
        expires_at=now + timedelta(days=58, minutes=5),
        data_access_expires_at=now + timedelta(days=89),
        scopes=("ads_read",),
        granular_scopes=(GranularScope("ads_read", ("1", "2")),),  # ad account ids as debug_token gives them
    )
    card = display.token_card(
        info, permissions=[Permission("ads_management", "declined")], requested=["ads_read", "ads_management"], now=now
    )
    for fact in ("My App (id 123)", "in 58 days", "1 hour ago", "act_1, act_2", "Declined", "ads_management"):
        assert fact in card, fact


def test_status_frame_colours_and_stays_plain():
    frame = frame_view.status_frame(pd.DataFrame({"profile": ["a", "b", "c"], "status": ["ok", "expiring", "invalid"]}))
    assert isinstance(frame, pd.DataFrame)
    html = frame._repr_html_()
    assert all(color in html for color in display.COLORS.values())
    assert type(frame.head(1)) is pd.DataFrame and type(frame.copy()) is pd.DataFrame
    assert type(pickle.loads(pickle.dumps(frame))) is pd.DataFrame
    styler = frame_view.styled(frame)
    assert styler.data.equals(pd.DataFrame(frame))


def test_message_is_redacted():
    token = "EAA" + "k3" * 60
    html = display.message_html("error", "Bad", f"token {token} refused")
    assert token not in html and "EAAk" in html
