"""Shared bits of the browser tests: sign-in, screenshots, and the axe accessibility check."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from helpers import SCREENSHOTS

_axe = Axe()


def sign_in(page, base_url, next_path="/admin/amazon/"):
    page.goto(f"{base_url}{next_path}")
    page.get_by_label("User name").fill("admin")
    page.get_by_label("Password").fill("admin")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base_url}{next_path}" if next_path != "/" else "**/dashboard")
    page.wait_for_load_state("load")


def shot(page, name, full_page=True):
    """Screenshot under tests/screenshots/ (the docs show some of them): the whole page, or
    what the 1366×900 window shows."""
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


def assert_accessible(page, context=None):
    """No serious or critical axe-core violations on the page as it is now (or in the part
    ``context`` selects: in someone else's admin, only the plugin's part is ours to answer for)."""
    results = _axe.run(page, context=context)
    bad = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in bad]


def settled(page):
    """Wait until htmx has finished swapping and settling (new content is wired up)."""
    page.wait_for_function(
        "() => window.htmx && !document.querySelector('.htmx-request, .htmx-swapping, "
        ".htmx-settling, .htmx-added')")
