"""Pages that never say something false, looked at in Chromium: what is VISIBLE (computed style,
bounding boxes), in English and in Traditional Chinese."""

from __future__ import annotations

import pytest
from browser_support import settled, sign_in
from helpers import add_store
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

DISCARD = "You have changed this form."


def _visible_discard_box(page) -> bool:
    return page.evaluate("""() => {
        const box = document.getElementById('asc-discard');
        const style = getComputedStyle(box);
        const rect = box.getBoundingClientRect();
        return style.display !== 'none' && style.visibility !== 'hidden'
            && rect.width > 0 && rect.height > 0;
    }""")


def test_the_unsaved_changes_box_shows_only_after_a_change_and_a_close(page, live, app, admin):
    assert add_store(admin).status_code == 303
    sign_in(page, live.url)
    settled(page)
    card = page.locator("article.asc-card", has_text="Amazon Store USA")
    card.locator("summary").click()
    card.get_by_role("link", name="Delete").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading", name="Delete")).to_be_visible()
    settled(page)
    assert not _visible_discard_box(page)
    expect(page.get_by_text(DISCARD)).to_be_hidden()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    page.get_by_role("link", name="Add Amazon Store").first.click()
    expect(dialog).to_be_visible()
    settled(page)
    assert not _visible_discard_box(page)
    name = dialog.get_by_label("New Store Name")
    name.fill("Half typed")
    assert not _visible_discard_box(page)  # a change alone does not ask anything
    page.keyboard.press("Escape")
    expect(page.get_by_text(DISCARD)).to_be_visible()
    assert _visible_discard_box(page)
    page.get_by_role("button", name="Keep editing").click()
    assert not _visible_discard_box(page)
