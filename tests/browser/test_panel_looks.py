"""What a person sees of the panel in JupyterLab 4, in the light and the dark theme, and at 800 px.

Headless Chromium on the one JupyterLab server of the test session. Contrast
is measured from the computed styles of every piece of text in the panel
(its buttons, banners, step pills, the token card, the fields' values) and of
the ``%meta_tokens`` table: at least 4.5:1 everywhere, in both themes. At
800 px no element of the panel is wider than the output area and no text is
cut short. The rest are the things the panel says that a newcomer reads:
where it opens in the sandbox, what it says without an app, a finished panel
left as its summary, a stale login tab, the keyring notice. Screenshots go to
test-artifacts/.
"""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from tests.browser.lab import (
    CONTRAST_JS,
    DARK,
    LIGHT,
    NOTEBOOK,
    OVERFLOW_JS,
    cell_output,
    extend_and_save,
    log_in_with_facebook,
    open_advanced,
    run_cell,
    use_theme,
    wait_for_kernel_idle,
    write_notebook,
)

pytestmark = pytest.mark.browser

TOKEN_PATTERN = re.compile(r"EAA[A-Za-z0-9]{20,}")
MINIMUM = 4.5


@pytest.fixture
def lab(jupyter_server):
    """The server, left in the light theme whatever a test switched to."""
    yield jupyter_server
    use_theme(jupyter_server, LIGHT)


def _open(server, page, name: str, cells: list[str]) -> None:
    write_notebook(server.root, name, cells)
    page.goto(server.url(f"lab/tree/{name}") + "&reset")
    wait_for_kernel_idle(page)


def _run(page, index: int) -> None:
    """Run a cell and wait until the kernel is done with it (the prompt shows its number)."""
    run_cell(page, index)
    prompt = page.locator(f"{NOTEBOOK} .jp-Cell").nth(index).locator(".jp-InputArea-prompt")
    expect(prompt).to_have_text(re.compile(r"\[\d+\]"))


def _shot(page, index: int, path) -> None:
    page.mouse.move(0, 0)
    page.locator(f"{NOTEBOOK} .jp-Cell").nth(index).screenshot(path=str(path))


class Audit:
    """Contrast measured at each state of the panel; the worst of each is kept with its place."""

    def __init__(self) -> None:
        self.low: list[str] = []
        self.seen: list[dict] = []
        self.lowest: dict[str, dict] = {}

    def __call__(self, where: str, locator) -> list[dict]:
        found = locator.evaluate(CONTRAST_JS)
        assert found, f"{where}: no text measured"
        self.seen += found
        self.lowest[where] = min(found, key=lambda f: f["ratio"])
        self.low += [
            f"{where}: {f['text']!r} <{f['tag']} {f['classes']}> {f['ratio']}:1" for f in found if f["ratio"] < MINIMUM
        ]
        return found


@pytest.mark.parametrize("theme", [LIGHT, DARK], ids=["light", "dark"])
def test_text_and_buttons_keep_4_5_to_1_in_both_themes(lab, page, artifacts, theme):
    use_theme(lab, theme)
    dark = theme == DARK
    cells = ["%load_ext meta_auth_nb", "%meta_login", "%meta_login --sandbox --scenario expiring-token", "%meta_tokens"]
    _open(lab, page, f"looks-{'dark' if dark else 'light'}.ipynb", cells)
    assert page.evaluate("document.body.dataset.jpThemeLight") == ("false" if dark else "true")
    audit = Audit()
    for index in (0, 1):
        _run(page, index)
    audit("no app", cell_output(page, 1).locator(".meta-auth-panel"))
    _run(page, 2)
    panel = cell_output(page, 2).locator(".meta-auth-panel")
    audit("permissions", panel)
    panel.locator(".meta-auth-scope-ads_read input").uncheck()
    panel.locator(".meta-auth-scopes-next").click()
    expect(panel.locator(".meta-auth-msg-error")).to_be_visible()
    audit("an error", panel)
    panel.locator(".meta-auth-scope-ads_read input").check()
    panel.locator(".meta-auth-scopes-next").click()
    expect(panel.locator("a.meta-auth-login-link")).to_be_visible()
    audit("Facebook Login", panel)
    open_advanced(panel)
    copy = panel.locator("button.meta-auth-copy")
    expect(copy).to_be_visible()
    found = audit("Facebook Login, Advanced", panel)
    assert [f for f in found if f["text"] == "Copy" and f["ratio"] >= MINIMUM], "the Copy button must be readable"
    panel.locator(".lm-TabBar-tab").filter(has_text="Graph API Explorer").click()
    audit("Graph API Explorer tab", panel)
    panel.locator(".meta-auth-restart").click()
    log_in_with_facebook(page, panel).close()
    expect(panel.locator(".meta-auth-token-card")).to_contain_text("in 5 minutes")
    audit("inspect", panel)
    panel.locator(".meta-auth-inspect-next").click()
    panel.locator(".meta-auth-extend").click()
    expect(panel.locator(".meta-auth-message")).to_contain_text("Extended, but still short-lived.")
    after = panel.locator(".meta-auth-extend-result .meta-auth-soon").last
    expect(after).to_contain_text("expires in 5 minutes")  # amber, not a green "long-lived"
    audit("extend", panel)
    _shot(page, 2, artifacts / f"panel-extend-{'dark' if dark else 'light'}.png")
    panel.locator(".meta-auth-extend-next").click()
    audit("save", panel)
    panel.locator(".meta-auth-save").click()
    expect(panel.locator(".meta-auth-step-use")).to_be_visible()
    audit("use", panel)
    _run(page, 3)
    audit("%meta_tokens", cell_output(page, 3).locator("table"))
    _shot(page, 2, artifacts / f"panel-use-{'dark' if dark else 'light'}.png")
    (artifacts / f"contrast-{'dark' if dark else 'light'}.txt").write_text(
        "".join(f"{where}: {f['ratio']}:1 lowest ({f['text']!r}, <{f['tag']}>)\n" for where, f in audit.lowest.items())
    )

    assert not audit.low, "text below 4.5:1:\n" + "\n".join(audit.low)
    # Banners, messages and step pills take the theme's background: no light pastels in the dark theme.
    tinted = [f for f in audit.seen if re.search(r"meta-auth-(banner|msg)\b", f["classes"]) or f["tag"] == "li"]
    assert tinted
    for item in tinted:
        if "meta-auth-current" in item["classes"]:
            continue
        assert (item["background"] < 0.1) if dark else (item["background"] > 0.6), item
    assert not TOKEN_PATTERN.search(page.content())


#: Inputs whose placeholder is wider than the room the input gives it.
CUT_PLACEHOLDERS_JS = """
(root) => {
  const ctx = document.createElement('canvas').getContext('2d');
  const out = [];
  for (const input of root.querySelectorAll('input[placeholder]')) {
    const style = getComputedStyle(input);
    ctx.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const needs = ctx.measureText(input.placeholder).width;
    const size = `${Math.round(needs)} > ${Math.round(room)} px`;
    if (input.placeholder && room > 0 && needs > room + 1) out.push(`"${input.placeholder}" (${size})`);
  }
  return out;
}
"""


def test_at_800_px_nothing_sticks_out_or_is_cut(lab, browser, artifacts):
    use_theme(lab, LIGHT)
    context = browser.new_context(viewport={"width": 800, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        usage_cell = (
            "for act in meta.frame('me/adaccounts')['id']:\n    meta.get(f'{act}/insights', limit=1)\n%meta_usage"
        )
        _open(lab, page, "narrow.ipynb", ["%load_ext meta_auth_nb", "%meta_login --sandbox --local", usage_cell])
        for index in (0, 1):
            _run(page, index)
        output = cell_output(page, 1)
        panel = output.locator(".meta-auth-panel")
        problems: list[str] = []

        def check(where: str) -> None:
            time.sleep(0.2)  # let the layout settle after a click
            problems.extend(f"{where}: {p}" for p in panel.evaluate(OVERFLOW_JS, output.element_handle()))
            # Every field's hint shows whole: a placeholder cut short says nothing.
            problems.extend(f"{where}: placeholder {p}" for p in panel.evaluate(CUT_PLACEHOLDERS_JS))

        check("permissions")
        expect(panel.locator(".meta-auth-scope-pages_read_engagement")).to_contain_text("pages_read_engagement")
        panel.locator(".meta-auth-scopes-next").click()
        expect(panel.locator("a.meta-auth-login-link")).to_be_visible()
        check("Facebook Login")
        open_advanced(panel)
        expect(panel.locator("button.meta-auth-copy")).to_be_visible()
        check("Facebook Login, Advanced")
        _shot(page, 1, artifacts / "panel-800px-login.png")
        for tab in ("Graph API Explorer", "System user token"):
            panel.locator(".lm-TabBar-tab").filter(has_text=tab).click()
            check(tab)
        panel.locator(".meta-auth-restart").click()
        log_in_with_facebook(page, panel).close()
        panel.locator(".meta-auth-token-card").wait_for()
        check("inspect")
        extend_and_save(panel)
        check("use")
        _shot(page, 1, artifacts / "panel-800px-use.png")
        # %meta_usage: a row per budget, every bar at the same place, nothing cut or sticking out.
        _run(page, 2)
        usage = cell_output(page, 2)
        meters = usage.locator('.meta-auth-usage [role="meter"]')
        expect(meters.first).to_be_visible()
        lefts = meters.evaluate_all("els => els.map((e) => Math.round(e.getBoundingClientRect().left))")
        assert len(lefts) >= 4 and len(set(lefts)) == 1, lefts
        problems.extend(
            f"%meta_usage: {p}" for p in usage.locator(".meta-auth-usage").evaluate(OVERFLOW_JS, usage.element_handle())
        )
        rows = usage.locator(".meta-auth-usage-row").all_inner_texts()
        assert all("\n" not in row.strip().split("\t")[-1] for row in rows)
        _shot(page, 2, artifacts / "usage-800px.png")
        assert not problems, "\n".join(problems)
    finally:
        context.close()


def test_a_rerun_leaves_the_finished_panel_and_tells_a_stale_login_tab(lab, page):
    use_theme(lab, LIGHT)
    cells = ["%load_ext meta_auth_nb", "%meta_login --sandbox", "%meta_login --sandbox", "%meta_login --sandbox"]
    _open(lab, page, "rerun.ipynb", cells)
    for index in (0, 1):
        _run(page, index)
    first = cell_output(page, 1).locator(".meta-auth-panel")
    expect(first.locator(".lm-TabBar-tab.lm-mod-current")).to_have_count(0)  # still at Permissions
    first.locator(".meta-auth-scopes-next").click()
    expect(first.locator(".lm-TabBar-tab.lm-mod-current")).to_contain_text("Facebook Login")  # the sandbox's way in
    with page.context.expect_page() as new_tab:
        first.locator("a.meta-auth-login-link").click()
    stale = new_tab.value
    stale.wait_for_load_state()
    _run(page, 2)  # a newer %meta_login while the first login tab is still open
    expect(cell_output(page, 1)).to_contain_text("Replaced by a newer %meta_login before it was finished.")
    stale.locator("button#allow").click()
    expect(stale.locator("body")).to_contain_text("This login is no longer awaited")
    expect(stale.locator("body")).to_contain_text("a newer %meta_login replaced it")
    stale.close()

    second = cell_output(page, 2).locator(".meta-auth-panel")
    log_in_with_facebook(page, second).close()
    extend_and_save(second)
    _run(page, 3)  # the saved token: one status line, and the finished panel stays as its summary
    done = cell_output(page, 2)
    expect(done).to_contain_text("is ready (saved as profile sandbox)")
    expect(done).to_contain_text("Alice Analyst (USER token)")
    expect(done).not_to_contain_text("Replaced")
    expect(cell_output(page, 3)).to_contain_text("Alice Analyst")


def test_what_a_newcomer_reads(lab, page, artifacts):
    use_theme(lab, LIGHT)
    stand_in = (
        "import os\nfrom meta_auth_nb.sandbox import Sandbox\n"
        "box = Sandbox(seed=7).start()\nos.environ.update(box.env())  # an app of one's own, as Meta would be\n"
        "get_ipython().run_line_magic('config', 'MetaAuthMagics.redirect_port = 0')  # any free port, not 8765"
    )
    cells = [
        "%load_ext meta_auth_nb",
        "%meta_login",
        "%meta_login --sandbox",
        "%meta_tokens",
        "meta",
        "%meta_login --no-sandbox --profile work",
        stand_in,
        "%meta_login --local --profile work",
    ]
    _open(lab, page, "newcomer.ipynb", cells)
    for index in (0, 1):
        _run(page, index)
    banner = cell_output(page, 1).locator(".meta-auth-banner")
    expect(banner).to_contain_text("META_APP_ID is not set")
    expect(banner.locator("code")).to_have_text("%meta_login --sandbox")
    _run(page, 2)
    panel = cell_output(page, 2).locator(".meta-auth-panel")
    expect(panel.locator(".meta-auth-banner")).to_contain_text("Back to Meta: %meta_login --no-sandbox")
    expect(panel.locator(".meta-auth-message")).to_contain_text("The sandbox restarts with the kernel")
    log_in_with_facebook(page, panel).close()
    text = panel.inner_text()
    for meta_only in ("developers.facebook.com", "Valid OAuth Redirect URIs", "from META_APP_SECRET"):
        assert meta_only not in text, meta_only
    extend_and_save(panel)
    expect(panel.locator(".meta-auth-message")).to_contain_text("Saved as profile sandbox for this kernel.")
    _run(page, 3)
    headers = cell_output(page, 3).locator("table thead th").all_inner_texts()
    assert [h for h in headers if h.strip()] == ["profile", "token", "type", "status", "expires", "scopes", "stored"]
    expect(cell_output(page, 3)).to_contain_text("this kernel's memory")
    _run(page, 4)
    line = cell_output(page, 4).inner_text()
    assert "Graph API session on the sandbox" in line and "expires in 60 days" in line and "127.0.0.1" not in line
    _run(page, 5)
    expect(cell_output(page, 5)).to_contain_text("Left the sandbox: it is stopped")

    # With an app of one's own and no system keyring: the notice once, in plain words, with a link to follow.
    for index in (6, 7):
        _run(page, index)
    work = cell_output(page, 7).locator(".meta-auth-panel")
    expect(work).not_to_contain_text("sandbox")
    log_in_with_facebook(page, work).close()
    work.locator(".meta-auth-inspect-next").click()
    work.locator(".meta-auth-extend").click()
    expect(work.locator(".meta-auth-message")).to_contain_text("Extended: the new token expires in 60 days.")
    work.locator(".meta-auth-extend-next").click()
    info = work.locator(".meta-auth-save-info")
    expect(info).to_contain_text("Tokens saved here are kept in this kernel's memory only")
    expect(info).not_to_contain_text("meta_auth_nb:")
    expect(info.locator('a[href="https://pypi.org/project/keyring/"]')).to_be_visible()
    _shot(page, 7, artifacts / "panel-keyring-notice.png")
    work.locator(".meta-auth-save").click()
    expect(work.locator(".meta-auth-message")).to_contain_text("Saved as profile work for this kernel.")
    stderr = ".jp-RenderedText[data-mime-type='application/vnd.jupyter.stderr']"
    assert cell_output(page, 7).locator(stderr).count() == 0  # the store did not log the notice as well
    assert not TOKEN_PATTERN.search(page.content())
