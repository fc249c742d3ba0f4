"""The listing settings panel, its live example, the offers view of the listing preview and
its actions, over HTTP with the demo host and the live sandbox."""

from __future__ import annotations

import re

from helpers import HX, PREFIX, csrf_from, hx
from test_offers import later, listings_faults, made, matched_store, offers_of

from asc_plugin.models import Offer
from asc_plugin.state import plugin_state
from asc_plugin.testing import run_offer_jobs


def visible_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def settings_data(page_html: str, **values) -> dict:
    data = {"csrf_token": csrf_from(page_html), "condition": "new_new",
            "price_attribute": "price", "adjust_kind": "percent", "adjust_value": "8",
            "floor_price": "", "ceiling_price": "", "currency": "USD",
            "quantity_attribute": "quantity", "quantity_buffer": "0", "max_quantity": "",
            "handling_days": "2", "publish_mode": "request", "end_mode": "delete"}
    data.update(values)
    return data


def test_the_settings_panel_shows_a_live_example_on_the_stores_products(app, admin, sandbox):
    store = matched_store(app, admin, sandbox)
    dashboard = admin.get(f"{PREFIX}/stores/{store.id}")
    assert "Listing settings" in dashboard.text and "Example on your products" in dashboard.text
    example = admin.post(f"{PREFIX}/stores/{store.id}/offers/example", headers=HX,
                         data=settings_data(dashboard.text, adjust_value="10",
                                            quantity_buffer="3"))
    with app.app_context():
        products = list(plugin_state().host.products("1", after=None, limit=200))
    text = re.sub(r"\s+", " ", example.text)
    shown = re.findall(r"<strong>(.*?)</strong>: \$([\d,.]+) in the shop → \$([\d,.]+) on "
                       r"Amazon, (\d+) of (\d+) in stock listed", text)
    assert shown, text
    by_name = {p.name: p for p in products}
    for name, shop, amazon, listed, stock in shown:
        product = by_name[name]
        assert shop == f"{product.price:,.2f}"
        assert amazon == f"{(product.price * 11 / 10).quantize(product.price):,.2f}"
        assert int(stock) == product.quantity and int(listed) == max(0, product.quantity - 3)
    refused = admin.post(f"{PREFIX}/stores/{store.id}/offers/example", headers=HX,
                         data=settings_data(dashboard.text, adjust_value="²"))
    assert "Fix the highlighted fields" in refused.text


def test_saving_settings_refuses_another_currency_and_bad_numbers(app, admin, sandbox):
    store = matched_store(app, admin, sandbox)
    page = admin.get(f"{PREFIX}/stores/{store.id}/offers/settings")
    answer = admin.post(f"{PREFIX}/stores/{store.id}/offers/settings",
                        headers=hx("asc-offer-settings"), data=settings_data(
                            page.text, currency="EUR", handling_days="99",
                            adjust_value="1" * 5000))
    assert answer.status_code == 200
    assert "prices are never converted" in answer.text
    assert "from 1 to 30" in answer.text
    saved = admin.post(f"{PREFIX}/stores/{store.id}/offers/settings",
                       data=settings_data(page.text))
    assert saved.status_code == 303
    again = admin.get(f"{PREFIX}/stores/{store.id}/offers/settings")
    assert 'value="8.00"' in again.text or 'value="8"' in again.text


def test_publish_then_statuses_then_end_one_offer_from_the_preview(app, admin, sandbox):
    store = matched_store(app, admin, sandbox)
    page = admin.get(f"{PREFIX}/stores/{store.id}/offers/settings")
    admin.post(f"{PREFIX}/stores/{store.id}/offers/settings", data=settings_data(page.text))
    offers_page = admin.get(f"{PREFIX}/stores/{store.id}/offers")
    token = csrf_from(offers_page.text)
    assert admin.post(f"{PREFIX}/stores/{store.id}/offers/publish",
                      data={"csrf_token": token, "kind": "publish"}).status_code == 303
    assert run_offer_jobs(app) == ["done"]
    listed = admin.get(f"{PREFIX}/stores/{store.id}/offers")
    submitted = len([o for o in offers_of(app, store).values() if o.status == "submitted"])
    assert f"Submitted ({submitted:,})" in listed.text
    later(sandbox)
    admin.post(f"{PREFIX}/stores/{store.id}/offers/publish",
               data={"csrf_token": token, "kind": "status"})
    assert run_offer_jobs(app) == ["done"]
    found = offers_of(app, store)
    active = [o for o in found.values() if o.status == "active"]
    assert active
    listed = admin.get(f"{PREFIX}/stores/{store.id}/offers?status=active")
    assert f"Active ({len(active):,})" in listed.text
    home = admin.get(f"{PREFIX}/")
    assert f"{len(active):,} active on Amazon" in visible_text(home.text)
    errors = [o for o in found.values() if o.status == "errors"]
    if errors:
        page = admin.get(f"{PREFIX}/stores/{store.id}/offers?status=errors")
        assert "Maximum Seller Allowed Price" in page.text
    first = sorted(active, key=lambda o: o.sku)[0]
    ended = admin.post(f"{PREFIX}/stores/{store.id}/offers/{first.id}/end",
                       data={"csrf_token": token})
    assert ended.status_code == 303
    assert run_offer_jobs(app) == ["done"]
    assert offers_of(app, store)[first.sku].status == "ended"
    deletes = [c for c in made(sandbox) if c["operation"] == "deleteListingsItem"]
    assert [c["path"].rsplit("/", 1)[1] for c in deletes] == [first.sku]
    listings_faults(sandbox)


def test_an_offer_of_another_store_cannot_be_ended(app, admin, sandbox):
    store = matched_store(app, admin, sandbox)
    with app.app_context():
        offer = Offer(store_id=store.id + 1000, sku="x", product_id="1", asin="B000000001")
        assert offer.store_id != store.id
    page = admin.get(f"{PREFIX}/stores/{store.id}/offers")
    answer = admin.post(f"{PREFIX}/stores/{store.id}/offers/999999/end",
                        data={"csrf_token": csrf_from(page.text)})
    assert answer.status_code == 404


def test_eight_parallel_publish_clicks_make_one_run(app, admin, sandbox, live):
    from concurrent.futures import ThreadPoolExecutor

    import sqlalchemy as sa
    from helpers import signed_in

    from asc_plugin.models import OfferJob

    store = matched_store(app, admin, sandbox)
    page = admin.get(f"{PREFIX}/stores/{store.id}/offers/settings")
    admin.post(f"{PREFIX}/stores/{store.id}/offers/settings", data=settings_data(page.text))
    app.config["ASC_JOB_QUEUE"] = lambda job_id: None  # no worker: the runs stay queued
    app.config["ASC_OFFER_JOB_QUEUE"] = lambda job_id: None
    browser = signed_in(live.url)
    token = csrf_from(browser.get(f"{live.url}{PREFIX}/stores/{store.id}/offers",
                                  timeout=30).text)

    def click(_n):
        return browser.post(f"{live.url}{PREFIX}/stores/{store.id}/offers/publish", timeout=30,
                            data={"csrf_token": token, "kind": "publish"},
                            allow_redirects=False).status_code

    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(click, range(8))) == {303}
    with app.app_context():
        jobs = plugin_state().session.scalars(sa.select(OfferJob).where(
            OfferJob.store_id == store.id)).all()
        assert len(jobs) == 1 and jobs[0].status == "queued"
