"""What makes the pages trustworthy to a seller: states that agree, banners that name their
store, times in the admin's zone, counts and filters for many stores, a readable activity log."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

import pytest
from helpers import HX, PREFIX, add_store, connect, csrf_from, hx, store_named

from asc_plugin.models import ActivityLog, ConnectionState, Store, StoreStatus, utcnow
from asc_plugin.state import plugin_state


def _set(app, name, **values):
    with app.app_context():
        store = plugin_state().session.query(Store).filter_by(name=name).one()
        for key, value in values.items():
            setattr(store, key, value)
        plugin_state().session.commit()


def _card(html: str, name: str) -> str:
    """The markup of one store's card."""
    start = html.index(f">{name}</h3>")
    return html[html.rindex("<article", 0, start):html.index("</article>", start)]


def test_one_presenter_keeps_every_part_of_a_card_consistent(app, admin):
    add_store(admin, name="Fresh")
    add_store(admin, name="Revoked", marketplace="CA", website="2")
    connect(admin, store_named(app, "Revoked").id)
    _set(app, "Revoked", connection_state=ConnectionState.REVOKED)
    home = admin.get(f"{PREFIX}/").text
    fresh, revoked = _card(home, "Fresh"), _card(home, "Revoked")
    assert "Incomplete" in fresh and "Deactivate" not in fresh and "Activate" not in fresh
    assert "Connect store" in fresh
    assert "Not syncing" in revoked and "asc-tone-success" not in revoked
    assert "Authorization revoked" in revoked and "Renew authorization" in revoked
    assert "days left" not in revoked  # no countdown for an authorization that is gone


@pytest.mark.parametrize("days, tone", [(200, "muted"), (20, "info"), (10, "warning"),
                                        (5, "error")])
def test_the_countdown_tone_steps_up_with_the_thresholds(app, admin, days, tone):
    add_store(admin)
    connect(admin, store_named(app, "Amazon Store USA").id)
    _set(app, "Amazon Store USA",
         authorization_expires_at=utcnow() + timedelta(days=days) - timedelta(minutes=1))
    card = _card(admin.get(f"{PREFIX}/").text, "Amazon Store USA")
    assert f'class="asc-text-{tone}">{days} days left' in card
    dashboard = admin.get(f"{PREFIX}/stores/{store_named(app, 'Amazon Store USA').id}").text
    renew = re.search(r'<button type="submit"( class="asc-primary")?>Renew authorization',
                      dashboard)
    assert bool(renew.group(1)) is (tone in ("warning", "error"))  # primary only when due


def test_banners_about_a_store_replace_the_older_one(app, admin):
    add_store(admin)  # flashes "added"
    store = store_named(app, "Amazon Store USA")
    connect(admin, store.id)  # flashes "connected": the "added" banner gives way
    home = admin.get(f"{PREFIX}/").text
    assert "is connected as" in home and "was added" not in home
    assert f'data-asc-key="store-{store.id}"' in home


def test_saving_says_so_beside_the_form_and_names_the_store(app, admin):
    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    page = admin.get(f"{PREFIX}/stores/{store.id}")
    assert 'for="name">Store Name</label>' in page.text  # not the add form's "New Store Name"
    saved = admin.post(f"{PREFIX}/stores/{store.id}/settings", data={
        "csrf_token": csrf_from(page.text), "name": "Renamed", "contact_email": "a@b.example"})
    assert saved.headers["Location"].endswith(f"/stores/{store.id}?saved=settings"
                                              "#asc-settings-title")
    after = admin.get(saved.headers["Location"]).text
    assert "Settings of “Renamed” saved." in after
    assert '<span class="asc-saved" role="status">✓ Saved</span>' in after
    htmx = admin.post(f"{PREFIX}/stores/{store.id}/mapping", headers=HX, data={
        "csrf_token": csrf_from(page.text), "amazon_id_type": "EAN", "host_attribute": "ean"})
    assert "Product ID mapping of “Renamed” saved." in json.loads(
        htmx.headers["HX-Trigger"])["asc:banner"]["message"]
    assert htmx.text.count("asc-saved") == 1


def test_not_found_says_what_was_not_found(admin):
    store = admin.get(f"{PREFIX}/stores/4242")
    assert store.status_code == 404 and "This store does not exist" in store.text
    other = admin.get(f"{PREFIX}/no-such-page")
    assert other.status_code == 404 and "This store does not exist" not in other.text
    assert "does not exist in the Amazon Sales Channel" in admin.get(
        f"{PREFIX}/stores/check/nothing").text


def test_dates_are_in_the_admins_zone_without_seconds_and_exact_utc_on_hover(make_app):
    app = make_app(ASC_TIMEZONE="Asia/Taipei")
    admin = app.test_client()
    with admin.session_transaction() as s:
        s["admin"] = "admin"
    add_store(admin)
    _set(app, "Amazon Store USA",
         created_at=datetime(2026, 3, 4, 18, 30, 15, tzinfo=timezone.utc))
    store = store_named(app, "Amazon Store USA")
    page = admin.get(f"{PREFIX}/stores/{store.id}").text
    assert 'title="2026-03-04 18:30:15 UTC">Mar 5, 2026, 2:30' in page  # 18:30 UTC is 02:30
    assert "02:30:15" not in page and "2:30:15" not in page
    zh = admin.get(f"{PREFIX}/stores/{store.id}", headers={"Accept-Language": "zh-TW"}).text
    assert "2026年3月5日" in zh and "凌晨12:28:14 UTC" not in zh


def test_a_hosts_babel_timezone_selector_decides(make_bare_app):
    from flask_babel import Babel

    from asc_plugin.models import ProductIdType
    from asc_plugin.services import stores

    app = make_bare_app()
    Babel(app, timezone_selector=lambda: "America/Mexico_City")
    with app.test_request_context():
        stores.create(name="Mexico", contact_email="m@example.com", website_id="1",
                      marketplace_code="MX", amazon_id_type=ProductIdType.UPC,
                      host_attribute_code="upc")
        store = plugin_state().session.query(Store).one()
        store.created_at = datetime(2026, 3, 4, 18, 30, tzinfo=timezone.utc)
        plugin_state().session.commit()
        store_id = store.id
    client = app.test_client()
    with client.session_transaction() as s:
        s["role"] = "admin"
    page = client.get(f"{PREFIX}/stores/{store_id}").text
    assert ">Mar 4, 2026, 12:30" in page and "CST" in page


def test_counts_filters_and_sorting_for_many_stores(app, admin):
    for n, (country, website) in enumerate([("US", "1"), ("CA", "2"), ("MX", "1"), ("UK", "1")]):
        add_store(admin, name=f"Store {n} {country}", marketplace=country, website=website)
    connect(admin, store_named(app, "Store 0 US").id)
    connect(admin, store_named(app, "Store 1 CA").id)
    _set(app, "Store 1 CA", authorization_expires_at=utcnow() + timedelta(days=3))
    _set(app, "Store 2 MX", connection_state=ConnectionState.REVOKED, seller_id="AX1")
    home = admin.get(f"{PREFIX}/").text
    summary = re.sub(r"\s+", " ", home.split('class="asc-summary"')[1].split("</ul>")[0])
    for count, label in (("4", "stores"), ("2", "connected"), ("1", "not connected"),
                         ("1", "needs renewing"), ("1", "renewal due soon")):
        assert f"<strong>{count}</strong> {label}" in summary, (count, label)

    def listed(**query):
        page = admin.get(f"{PREFIX}/", query_string=query).text
        section = page.split('id="asc-store-list"')[1]
        return re.findall(r">(Store \d \w\w)<", section)

    assert listed(connection="connected", sort="name") == ["Store 0 US", "Store 1 CA"]
    assert listed(connection="lapsed") == ["Store 2 MX"]
    assert listed(renewal="due") == ["Store 1 CA"]
    assert listed(sort="renewal")[:2] == ["Store 1 CA", "Store 0 US"]
    assert listed(status="incomplete", sort="name") == ["Store 2 MX", "Store 3 UK"]
    assert listed(connection="nonsense", sort="drop table") == [
        "Store 3 UK", "Store 2 MX", "Store 1 CA", "Store 0 US"]  # unknown values: everything
    table = admin.get(f"{PREFIX}/", query_string={"view": "table", "sort": "name"}).text
    assert '<table class="asc-table asc-store-table">' in table and "asc-card" not in table
    assert table.index("Store 0 US") < table.index("Store 3 UK")
    assert "No store matches these filters." in admin.get(
        f"{PREFIX}/", query_string={"status": "inactive"}).text


def test_the_activity_log_pages_filters_and_shows_severity(app, admin):
    add_store(admin, name="Alpha")
    add_store(admin, name="Beta", marketplace="CA", website="2")
    alpha = store_named(app, "Alpha")
    with app.app_context():
        for n in range(25):
            plugin_state().session.add(ActivityLog(store_id=alpha.id, admin="admin", event="test",
                                            outcome="failure" if n % 5 == 0 else "info",
                                            message=f"Entry {n:02d}"))
        plugin_state().session.commit()
    everything = admin.get(f"{PREFIX}/activity").text
    assert "Entry 24" in everything and "Entry 14" not in everything  # 10 per page, newest
    assert "Page 1 of 3" in everything and 'class="asc-log-failure"' in everything
    assert "Beta" in everything  # the store filter offers every store
    problems = admin.get(f"{PREFIX}/activity", query_string={"outcome": "failure"}).text
    assert re.findall(r"Entry (\d\d)", problems) == ["20", "15", "10", "05", "00"]
    older = admin.get(f"{PREFIX}/activity", query_string={"page": 2},
                      headers=hx("asc-activity"))
    assert older.text.startswith('<div id="asc-activity"') and "Entry 14" in older.text
    # The dashboard's log asks for its own element: the same entries, and a link to them all.
    embedded = admin.get(f"{PREFIX}/activity", query_string={"store": alpha.id, "page": 2},
                         headers=hx("asc-store-activity")).text
    assert embedded.startswith('<div id="asc-store-activity"') and "Entry 14" in embedded
    assert "All activity of this store" in embedded
    assert "All activity of this store" not in older.text
    beta = admin.get(f"{PREFIX}/activity", query_string={"store": store_named(app, "Beta").id})
    assert "Entry" not in beta.text and "Store “Beta” was added." in beta.text
    dashboard = admin.get(f"{PREFIX}/stores/{alpha.id}").text
    assert "Entry 24" in dashboard and "All activity of this store" in dashboard
    assert admin.get(f"{PREFIX}/activity", query_string={"page": "999999"}).status_code == 200


def test_the_cli_table_is_translated_and_aligned_by_display_width(app, admin, monkeypatch):
    from wcwidth import wcswidth

    add_store(admin, name="亞馬遜美國商店")
    add_store(admin, name="Canada", marketplace="CA", website="2")
    connect(admin, store_named(app, "亞馬遜美國商店").id)
    monkeypatch.setenv("LANG", "zh_TW.UTF-8")
    result = app.test_cli_runner().invoke(args=["asc", "check-authorizations"])
    header, row = result.output.splitlines()[:2]
    assert "商店" in header and "已連線" in row and "connected" not in result.output
    second = header.split()[1]  # the marketplace column's title
    assert wcswidth(row[:row.index("  US") + 2]) == wcswidth(header[:header.index(second)])


def test_the_sandbox_shows_the_apps_own_name(asc_sandbox):
    from asc_plugin.sandbox import create_sandbox_app

    app = create_sandbox_app(redirect_uris=[], app_name="Shopfront Sync for Amazon")
    with app.test_client() as client:
        client.get("/na/apps/authorize/consent", query_string={
            "application_id": "amzn1.sellerapps.app.0a0a0a0a-1b1b-2c2c-3d3d-4e4e4e4e4e4e",
            "state": "s" * 40, "version": "beta"})
        with client.session_transaction() as session:
            session["seller_id"] = "A3FH4EXAMPLE"
        page = client.get("/na/apps/authorize/review").text
    assert "Shopfront Sync for Amazon" in page and "Demo Shop" not in page


def test_status_of_a_store_never_contradicts_itself_in_traditional_chinese(app, admin):
    add_store(admin)
    connect(admin, store_named(app, "Amazon Store USA").id)
    _set(app, "Amazon Store USA", connection_state=ConnectionState.EXPIRED,
         status=StoreStatus.ACTIVE)
    zh = admin.get(f"{PREFIX}/", headers={"Accept-Language": "zh-TW"}).text
    card = _card(zh, "Amazon Store USA")
    assert "未同步" in card and "授權已到期" in card and "重新授權" in card
    assert "已啟用" not in card
