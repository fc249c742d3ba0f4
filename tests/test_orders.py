"""Amazon order import against the live sandbox: once per order whatever replays, workers and
kills do; only what Amazon moved out of Pending after the store was connected; unknown SKUs kept
as Needs attention until fixed; cancellations reaching the shop; Amazon's limits never passed."""

from __future__ import annotations

import re
import threading

import pytest
import sqlalchemy as sa
from helpers import PREFIX, connected_store, csrf_from, hx
from workers import wait_for

from asc_plugin.demo.orders import DemoOrder, DemoProduct, DemoStockMove
from asc_plugin.models import ActivityLog, AmazonOrder, OrderImport, RateBucket
from asc_plugin.sandbox.data import CATALOG_ROLE, ORDERS_ROLE, PII_ROLE, REQUIRED_ROLE
from asc_plugin.services import activity_messages, leases, orders
from asc_plugin.state import plugin_state


@pytest.fixture()
def store(app, admin, sandbox):
    """A connected store whose seller gets only the orders a test places."""
    sandbox.order_settings(interval=0)
    store = connected_store(app, admin)
    sandbox.move_clock(days=0.5 / 24)  # room for orders placed "a few minutes ago" in bulk
    return store


def later(sandbox, hours: float) -> None:
    """Move the sandbox's clock (and so the plugin's) this much further."""
    sandbox.move_clock(days=sandbox.state.clock_offset / 86400 + hours / 24)


def run(app, store_id, **kwargs):
    with app.app_context():
        return orders.run(store_id, **kwargs)


def rows(app, store_id):
    with app.app_context():
        return {o.amazon_order_id: (o.status, o.host_order_id, o.reason) for o in
                plugin_state().session.scalars(sa.select(AmazonOrder).where(
                    AmazonOrder.store_id == store_id))}


def shop_orders(app):
    with app.app_context():
        return {o.amazon_order_id: (o.status, [(line.sku, line.quantity) for line in o.lines])
                for o in plugin_state().session.scalars(sa.select(DemoOrder))}


def stock(app, sku, website="1"):
    with app.app_context():
        product = next(p for p in plugin_state().host.products(website, after=None, limit=10_000)
                       if p.sku == sku)
        return product.quantity


def test_an_unshipped_order_becomes_one_shop_order_and_lowers_the_stock(app, store, sandbox):
    before = stock(app, "TRS-001")
    (order_id,) = sandbox.place_order("TRS-001", 2)
    result = run(app, store.id)
    assert result.outcome == "done" and result.counts["imported"] == 1
    assert shop_orders(app) == {order_id: ("processing", [("TRS-001", 2)])}
    assert stock(app, "TRS-001") == before - 2
    status, host_id, reason = rows(app, store.id)[order_id]
    assert status == "imported" and host_id and reason is None
    # Replays (the same window again, and a watermark moved back) change nothing.
    assert run(app, store.id).counts["imported"] == 0
    with app.app_context():
        record = plugin_state().session.get(OrderImport, store.id)
        record.watermark = record.orders_since
        plugin_state().session.commit()
    again = run(app, store.id)
    assert again.outcome == "done" and again.counts["imported"] == 0
    assert len(shop_orders(app)) == 1 and stock(app, "TRS-001") == before - 2


def test_pending_orders_wait_until_amazon_verifies_the_payment(app, store, sandbox):
    (order_id,) = sandbox.place_order("CTB-014", 1, pending_minutes=30)
    first = run(app, store.id)
    assert first.counts["pending"] == 1 and shop_orders(app) == {}
    later(sandbox, 1)  # an hour later Amazon has moved it to Unshipped
    assert run(app, store.id).counts["imported"] == 1
    assert list(shop_orders(app)) == [order_id]


def test_orders_from_before_the_connection_are_never_imported(app, admin, sandbox):
    sandbox.order_settings(interval=1800, lookback=86400)
    store = connected_store(app, admin)
    later(sandbox, 12)
    result = run(app, store.id)
    assert result.outcome == "done"
    assert result.counts["before_connection"] > 0  # Amazon did send older ones
    imported = rows(app, store.id)
    assert imported and result.counts["imported"] + result.counts["needs_attention"] == \
        len(imported)
    with app.app_context():
        since = plugin_state().session.get(OrderImport, store.id).orders_since
        dates = plugin_state().session.scalars(sa.select(AmazonOrder.purchase_date)).all()
    assert all(d >= since for d in dates)


def test_an_unknown_sku_needs_attention_and_imports_once_the_product_exists(
        app, admin, store, sandbox):
    (order_id,) = sandbox.place_order("NEW-LAMP-1", 3)
    result = run(app, store.id)
    assert result.counts["needs_attention"] == 1 and shop_orders(app) == {}
    status, host_id, reason = rows(app, store.id)[order_id]
    assert (status, host_id, reason) == ("needs_attention", None, "unknown_sku:NEW-LAMP-1")
    page = admin.get(f"{PREFIX}/stores/{store.id}/orders")
    assert "Needs attention" in page.text and "NEW-LAMP-1" in page.text
    # Import again before the fix: still needs attention, nothing created.
    token = csrf_from(page.text)
    with app.app_context():
        row_id = plugin_state().session.scalar(sa.select(AmazonOrder.id))
    admin.post(f"{PREFIX}/stores/{store.id}/orders/{row_id}/retry", data={"csrf_token": token})
    assert shop_orders(app) == {}
    catalog = admin.get("/catalog")
    added = admin.post("/catalog/products", data={
        "csrf_token": csrf_from(catalog.text), "website": "1", "sku": "NEW-LAMP-1",
        "name": "Desk Lamp", "price": "40.00", "quantity": "10"})
    assert added.status_code == 303
    retried = admin.post(f"{PREFIX}/stores/{store.id}/orders/{row_id}/retry",
                         data={"csrf_token": token}, follow_redirects=True)
    assert retried.status_code == 200
    assert shop_orders(app) == {order_id: ("processing", [("NEW-LAMP-1", 3)])}
    assert stock(app, "NEW-LAMP-1") == 7
    assert rows(app, store.id)[order_id][0] == "imported"


def test_a_cancellation_reaches_the_shop_and_puts_the_stock_back(app, store, sandbox):
    before = stock(app, "BEA-9")
    (order_id,) = sandbox.place_order("BEA-9", 2)
    run(app, store.id)
    assert stock(app, "BEA-9") == before - 2
    sandbox.cancel_order(order_id)
    result = run(app, store.id)
    assert result.counts["cancelled"] == 1
    assert shop_orders(app)[order_id][0] == "cancelled"
    assert stock(app, "BEA-9") == before
    assert run(app, store.id).counts["cancelled"] == 0  # told once
    with app.app_context():
        moves = plugin_state().session.scalar(sa.select(sa.func.count()).select_from(DemoStockMove))
    assert moves == 2


def test_buyer_details_only_with_the_restricted_role(app, store, sandbox):
    (plain,) = sandbox.place_order("NB-22", 1)
    run(app, store.id)
    sandbox.settings(roles=[REQUIRED_ROLE, CATALOG_ROLE, ORDERS_ROLE, PII_ROLE])
    (detailed,) = sandbox.place_order("NB-22", 1)
    run(app, store.id)
    with app.app_context():
        found = {o.amazon_order_id: (o.customer, o.ship_to) for o in
                 plugin_state().session.scalars(sa.select(DemoOrder))}
    assert found[plain] == (None, None)
    assert found[detailed][0].startswith("Buyer ") and "Seattle" in found[detailed][1]


def test_a_missing_orders_role_is_the_operators_and_imports_nothing(app, store, sandbox):
    sandbox.settings(roles=[REQUIRED_ROLE, CATALOG_ROLE])
    sandbox.place_order("NB-22", 1)
    result = run(app, store.id)
    assert result.outcome == "failed" and result.failure.code == "orders_role_missing"
    assert result.failure.audience == "operator"
    with app.app_context():
        entry = plugin_state().session.scalars(sa.select(ActivityLog).order_by(
            ActivityLog.id.desc())).first()
        line = activity_messages.text(entry)
    assert entry.event == "orders_failed" and "Inventory and Order Tracking" in line
    assert shop_orders(app) == {}


@pytest.mark.parametrize("fault", ["500", "503", "badjson", "slow"])
def test_unanswered_searches_are_asked_again(app, store, sandbox, fault):
    app.config["ASC_ORDERS_BACKOFF_SECONDS"] = 0.05
    if fault == "slow":  # the sandbox's slow answer takes 3 s; every other one, far less
        app.config["ASC_AMAZON_HTTP_TIMEOUT"] = 1
    sandbox.place_order("NB-22", 1)
    sandbox.order_faults(fault, times=1)
    result = run(app, store.id)
    assert result.outcome == "done" and result.counts["imported"] == 1
    assert result.requests == 2
    # The slow answer comes (and is logged) after we gave up on it: wait for it, so it does not
    # land in the next test's log.
    wait_for(lambda: len(sandbox.order_requests()) == 2, timeout=30, what="the slow answer")
    assert 200 in [r["status"] for r in sandbox.order_requests()]


@pytest.mark.parametrize("fault", ["429", "429_empty"])
def test_a_429_pauses_the_import_until_amazons_bucket_refills(app, store, sandbox, fault):
    """searchOrders refills one request every three minutes: after a 429 the run stops rather
    than hold a worker, and the next one (the bucket refilled) continues."""
    app.config.update(ASC_ORDERS_BACKOFF_SECONDS=0.05, ASC_ORDERS_MAX_WAIT_SECONDS=1)
    (order_id,) = sandbox.place_order("NB-22", 1)
    sandbox.order_faults(fault, times=1)
    first = run(app, store.id)
    assert first.outcome == "paused" and shop_orders(app) == {}
    assert [r["status"] for r in sandbox.order_requests()] == [429], sandbox.order_requests()
    with app.app_context():  # three minutes later
        plugin_state().session.execute(sa.update(RateBucket).values(blocked_until=0, tokens=1))
        plugin_state().session.commit()
    assert run(app, store.id).outcome == "done" and list(shop_orders(app)) == [order_id]


def test_pages_are_followed_and_never_past_amazons_rate(app, store, sandbox):
    """Five pages of orders under a plan of burst 3 and one search a minute: the run stops
    after the burst rather than wait; once the seller's plan is raised (Amazon grants higher
    plans) the next run continues from the page reached. The sandbox never said 429."""
    sandbox.order_settings(search_rate=1 / 60, search_burst=3)
    app.config.update(ASC_ORDERS_SEARCH_RATE=1 / 60, ASC_ORDERS_SEARCH_BURST=3,
                      ASC_ORDERS_MAX_WAIT_SECONDS=1)
    placed = sandbox.place_order("NB-22", 1, count=450)
    first = run(app, store.id)
    assert first.outcome == "paused" and first.requests == 3
    assert first.counts["imported"] == 300
    sandbox.order_settings(search_rate=5, search_burst=3)
    app.config.update(ASC_ORDERS_SEARCH_RATE=5)
    with app.app_context():
        plugin_state().session.execute(sa.delete(RateBucket))
        plugin_state().session.commit()
    second = run(app, store.id)
    assert second.outcome == "done" and second.counts["imported"] == 150
    assert set(shop_orders(app)) == set(placed)
    made = sandbox.order_requests()
    assert [r["status"] for r in made] == [200] * 5
    assert [r["params"].get("paginationToken") is not None for r in made] == [
        False, True, True, True, True]


class Killed(BaseException):
    """What a SIGKILL leaves behind: no except clause, no finally that cleans up."""


def test_a_killed_worker_is_continued_from_its_page(app, store, sandbox):
    placed = sandbox.place_order("NB-22", 1, count=250)
    seen = []

    def die_in_the_second_page(counts):
        seen.append(sum(counts.values()))
        if sum(counts.values()) >= 150:
            raise Killed()

    with pytest.raises(Killed):
        run(app, store.id, on_progress=die_in_the_second_page)
    with app.app_context():
        plugin_state().session.rollback()
        record = plugin_state().session.get(OrderImport, store.id)
        assert record.lease_owner  # the dead worker still holds it
        assert run(app, store.id).outcome == "busy"
        record.lease_expires_at = leases.real_now()  # its lease runs out
        plugin_state().session.commit()
    result = run(app, store.id)
    assert result.outcome == "done"
    assert set(shop_orders(app)) == set(placed) and len(rows(app, store.id)) == 250
    tokens = [r["params"].get("paginationToken") for r in sandbox.order_requests()]
    # The second page again (its stored token), not the search from the start; then the third.
    assert len(tokens) == 4 and tokens[0] is None and tokens[1] is not None
    assert tokens[2] == tokens[1] and tokens[3] not in (None, tokens[1])


def test_page_tokens_expire_and_belong_to_their_query(app, store, sandbox):
    """As the migration guide says: a token lives 24 hours, and pages only its own query."""
    import requests

    from asc_plugin.services import tokens

    sandbox.place_order("NB-22", 1, count=3)
    with app.app_context():
        token = tokens.access_token(store.id)
        plugin_state().session.commit()
    url = f"{sandbox.url}/spapi/na/orders/2026-01-01/orders"
    headers = {"x-amz-access-token": token, "user-agent": "tests/1.0 (Language=Python)"}
    query = {"lastUpdatedAfter": "2026-01-01T00:00:00Z", "marketplaceIds": "ATVPDKIKX0DER",
             "maxResultsPerPage": "1"}
    first = requests.get(url, params=query, headers=headers, timeout=10).json()
    next_token = first["pagination"]["nextToken"]
    other = requests.get(url, headers=headers, timeout=10, params={
        **query, "maxResultsPerPage": "2", "paginationToken": next_token})
    assert other.status_code == 400 and "does not belong" in other.text
    same = requests.get(url, headers=headers, timeout=10,
                        params={**query, "paginationToken": next_token})
    assert same.status_code == 200 and same.json()["orders"][0]["orderId"] != \
        first["orders"][0]["orderId"]
    later(sandbox, 25)
    headers["x-amz-access-token"] = sandbox.state.issue_access_token(
        sandbox.state.authorizations[0])
    expired = requests.get(url, headers=headers, timeout=10,
                           params={**query, "paginationToken": next_token})
    assert expired.status_code == 400 and "expired" in expired.text


def test_an_expired_page_token_starts_the_window_again(app, store, sandbox):
    placed = sandbox.place_order("NB-22", 1, count=150)
    with app.app_context():
        record = orders.import_state(plugin_state().session.get(type(store), store.id))
        record.window_after = record.orders_since
        record.page_token = "expired-or-foreign-token"
        plugin_state().session.commit()
    result = run(app, store.id)
    assert result.outcome == "done" and set(shop_orders(app)) == set(placed)
    assert [r["status"] for r in sandbox.order_requests()][0] == 400


def test_two_workers_import_each_order_once(app, store, sandbox):
    """Two workers at once: one holds the store; and two that both got hold of the same order
    (a lease taken over from a slow worker) still make one shop order."""
    placed = sandbox.place_order("NB-22", 1, count=30)
    barrier = threading.Barrier(2)
    outcomes = []

    def worker():
        barrier.wait()
        outcomes.append(run(app, store.id).outcome)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert sorted(outcomes) in (["busy", "done"], ["done", "done"])
    assert set(shop_orders(app)) == set(placed)
    # Now the same order taken by two workers that both passed the lease.
    (order_id,) = sandbox.place_order("CTB-014", 1)
    from asc_plugin.amazon import orders as api
    from asc_plugin.services import tokens

    with app.app_context():
        token = tokens.access_token(store.id)
        plugin_state().session.commit()
        page = api.search(region="NA", access_token=token, marketplace_ids=["ATVPDKIKX0DER"],
                          last_updated_after=leases.real_now().replace(year=2000))
    (order,) = [o for o in page.orders if o.order_id == order_id]
    results, barrier = [], threading.Barrier(2)

    def take():
        with app.app_context():
            session = plugin_state().session
            session.get(OrderImport, store.id)
            barrier.wait()
            runner = orders._Runner(session.get(type(store), store.id), "w", None)
            runner.take(order)
            session.commit()
            results.append(dict(runner.counts))

    threads = [threading.Thread(target=take) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    # The later worker either meets the unique row while the first one's transaction is open
    # (duplicate) or reads it already committed (nothing to do): never a second shop order.
    assert sorted(results, key=str) in ([{"duplicate": 1}, {"imported": 1}],
                                        [{"imported": 1}, {}])
    assert len([o for o in shop_orders(app) if o == order_id]) == 1


def test_a_host_without_orders_is_told_not_crashed(make_bare_app):
    """The docs' plain host implements no import_order: the CLI and the dashboard say so."""
    from datetime import timedelta

    from helpers import sign_in

    from asc_plugin.models import ConnectionState, Store, StoreStatus, utcnow

    app = make_bare_app()
    with app.app_context():
        assert not orders.supports_orders()
        store = Store(name="Plain", contact_email="a@example.com", website_id="1",
                      marketplace_code="US", seller_id="A3FH4EXAMPLE",
                      status=StoreStatus.ACTIVE, connection_state=ConnectionState.CONNECTED,
                      authorized_at=utcnow(),
                      authorization_expires_at=utcnow() + timedelta(days=365))
        plugin_state().session.add(store)
        plugin_state().session.commit()
        assert orders.run(store.id).outcome == "unsupported"
        store_id = store.id
    result = app.test_cli_runner().invoke(args=["asc", "import-orders"])
    assert result.exit_code == 1
    assert "its host does not implement import_order" in result.output
    page = sign_in(app.test_client()).get(f"{PREFIX}/stores/{store_id}")
    assert page.status_code == 200
    assert "This shop does not import orders (its host does not implement import_order)" in \
        page.text


def test_the_periodic_task_imports_every_connected_store(app, store, sandbox):
    from asc_plugin import jobs

    with app.app_context():
        huey = jobs.huey_for(app)
        names = {getattr(task, "name", task.__name__) for task in huey._registry._periodic_tasks}
    assert "asc_plugin.import_orders" in names
    (order_id,) = sandbox.place_order("CTB-014", 1)
    with app.app_context():
        assert jobs.import_orders() == {store.id: "done"}
    assert list(shop_orders(app)) == [order_id]


def test_the_sandbox_page_places_an_order_for_the_demo(app, store, sandbox):
    import requests

    response = requests.post(f"{sandbox.url}/_sandbox/orders", timeout=10, allow_redirects=False,
                             data={"sku": "BOOK-77", "quantity": "2"})
    assert response.status_code == 303
    assert "Place order" in requests.get(f"{sandbox.url}/", timeout=10).text
    assert run(app, store.id).counts["imported"] == 1
    assert list(shop_orders(app).values()) == [("processing", [("BOOK-77", 2)])]


def test_the_cli_names_stores_needing_attention(app, store, sandbox):
    sandbox.place_order("NB-22", 1)
    sandbox.place_order("GONE-SKU", 1)
    result = app.test_cli_runner().invoke(args=["asc", "import-orders", "--store",
                                                str(store.id)])
    assert result.exit_code == 1, result.output
    assert "1 Amazon order imported, 1 needing attention" in result.output
    assert "Stores needing attention: Amazon Store USA" in result.output
    with app.app_context():
        product = DemoProduct(id="1-x00001", website_id="1", sku="GONE-SKU", name="Back",
                              price=5, quantity=3)
        plugin_state().session.add(product)
        plugin_state().session.commit()
    later(sandbox, 0.2)
    # The next run's window overlaps the last one: the order comes back and is tried again.
    again = app.test_cli_runner().invoke(args=["asc", "import-orders"])
    assert again.exit_code == 0, again.output
    assert "1 Amazon order imported, 0 needing attention" in again.output


def test_the_orders_panel_pages_in_place_with_needs_attention_first(app, admin, store, sandbox):
    placed = sandbox.place_order("NB-22", 1, count=11)
    (unknown,) = sandbox.place_order("NOWHERE-1", 1)
    run(app, store.id)
    dashboard = admin.get(f"{PREFIX}/stores/{store.id}")
    first_row = dashboard.text.index('class="asc-order-')
    assert unknown in dashboard.text[first_row:first_row + 400]  # Needs attention first
    assert "Page 1 of 2" in dashboard.text
    fragment = admin.get(f"{PREFIX}/stores/{store.id}/orders?orders_page=2",
                         headers=hx("asc-orders"))
    assert fragment.text.lstrip().startswith("<section") and "Page 2 of 2" in fragment.text
    shown = set(re.findall(r"\d{3}-\d{7}-\d{7}", dashboard.text + fragment.text))
    assert shown == set(placed) | {unknown}
    whole = admin.get(f"{PREFIX}/stores/{store.id}/orders?orders_page=99999")
    assert "<html" in whole.text and "Page 2 of 2" in whole.text


def test_the_sync_hears_which_skus_an_order_moved(app, store, sandbox):
    """The hook for the price and quantity sync: order_imported and order_cancelled name the
    SKUs whose stock the shop changed, after the change is committed."""
    from asc_plugin import signals

    heard = []

    def listener(sender, **kwargs):
        with app.app_context():
            committed = plugin_state().session.scalar(sa.select(sa.func.count()).select_from(
                DemoStockMove))
        heard.append((kwargs["amazon_order_id"], kwargs["skus"], committed))

    (order_id,) = sandbox.place_order("CTB-014", 2)
    with signals.order_imported.connected_to(listener), \
            signals.order_cancelled.connected_to(listener):
        run(app, store.id)
        sandbox.cancel_order(order_id)
        run(app, store.id)
    assert heard == [(order_id, ["CTB-014"], 1), (order_id, ["CTB-014"], 2)]
