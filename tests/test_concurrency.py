"""Many admins at once, double clicks, and racing token refreshes lose nothing."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from helpers import Seller, csrf_from, signed_in

from asc_plugin.models import ConnectionState, Store, utcnow
from asc_plugin.services import tokens
from asc_plugin.state import plugin_state

pytestmark = [pytest.mark.slow, pytest.mark.db]
PREFIX = "/admin/amazon"


def _add(admin, url, name, marketplace="US"):
    form = admin.get(f"{url}{PREFIX}/stores/new?step=form", timeout=30)
    return admin.post(f"{url}{PREFIX}/stores/new", timeout=30, data={
        "csrf_token": csrf_from(form.text), "website_id": "1", "contact_email": "a@example.com",
        "name": name, "marketplace": marketplace, "amazon_id_type": "ASIN",
        "host_attribute": "amazon_asin"})


def _banners(html):
    return re.findall(r"<span data-asc-message>([^<]*)</span>", html)


def test_twenty_admins_add_and_connect_at_once(app, live):
    def one_admin(n):
        admin = signed_in(live.url)
        home = _add(admin, live.url, f"Load store {n:02d}")
        assert home.status_code == 200, home.text[:300]
        store_id = re.search(rf'id="asc-store-(\d+)-name">Load store {n:02d}<', home.text).group(1)
        started = admin.post(f"{live.url}{PREFIX}/stores/{store_id}/connect", timeout=30,
                             data={"csrf_token": csrf_from(home.text)}, allow_redirects=False)
        back = Seller(f"load{n:02d}@example.com", otp=None).authorize(started.headers["Location"])
        final = admin.get(back, timeout=30)
        return n, _banners(final.text)

    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(one_admin, range(1, 21)))
    for n, banners in results:
        expected = f"“Load store {n:02d}” is connected as Load Test Seller {n:02d} (A0LOAD{n:06d})."
        assert expected in banners, banners
    with app.app_context():
        stores = plugin_state().session.query(Store).order_by(Store.name).all()
        assert [s.name for s in stores] == [f"Load store {n:02d}" for n in range(1, 21)]
        for n, store in enumerate(stores, start=1):
            assert store.connection_state is ConnectionState.CONNECTED
            assert store.seller_id == f"A0LOAD{n:06d}"
            assert plugin_state().cipher.decrypt(store.refresh_token_encrypted).startswith("Atzr|")


def test_double_clicked_add_creates_one_store(app, live):
    admin = signed_in(live.url)
    form = admin.get(f"{live.url}{PREFIX}/stores/new?step=form", timeout=30)
    data = {"csrf_token": csrf_from(form.text), "website_id": "1", "contact_email": "a@example.com",
            "name": "Clicked twice", "marketplace": "US", "amazon_id_type": "ASIN",
            "host_attribute": "amazon_asin"}
    barrier = threading.Barrier(2)

    def submit(_):
        barrier.wait()
        return admin.post(f"{live.url}{PREFIX}/stores/new", data=data, timeout=30)

    with ThreadPoolExecutor(2) as pool:
        responses = list(pool.map(submit, range(2)))
    assert all(r.status_code == 200 for r in responses)
    texts = " ".join(r.text for r in responses)
    assert "A store with this name already exists" in texts or texts.count(
        "Store “Clicked twice” was added.") == 1
    with app.app_context():
        assert plugin_state().session.query(Store).filter_by(name="Clicked twice").count() == 1


def test_double_clicked_connect_ends_connected_once(app, live):
    admin = signed_in(live.url)
    home = _add(admin, live.url, "Double connect")
    store_id = re.search(r'/stores/(\d+)/connect"', home.text).group(1)
    barrier = threading.Barrier(2)

    def click(_):
        barrier.wait()
        return admin.post(f"{live.url}{PREFIX}/stores/{store_id}/connect", timeout=30,
                          data={"csrf_token": csrf_from(home.text)}, allow_redirects=False)

    with ThreadPoolExecutor(2) as pool:
        consents = [r.headers["Location"] for r in pool.map(click, range(2))]
    assert consents[0] != consents[1]
    finals = [_banners(admin.get(Seller().authorize(url), timeout=30).text)
              for url in consents]
    connected = [b for b in finals if "“Double connect” is connected as Example Outfitters "
                 "(A3FH4EXAMPLE)." in b]
    refused = [b for b in finals if any("earlier attempt" in m or "changed in the admin" in m
                                        for m in b)]
    assert len(connected) == 1 and len(refused) == 1, finals  # one click wins, clearly
    with app.app_context():
        store = plugin_state().session.get(Store, int(store_id))
        assert store.seller_id == "A3FH4EXAMPLE" and store.is_connected
        events = [e.event for e in store.activity]
        assert events.count("connected") == 1


def test_racing_refreshes_keep_a_valid_token(app, live, sandbox):
    admin = signed_in(live.url)
    home = _add(admin, live.url, "Racing tokens")
    store_id = int(re.search(r'/stores/(\d+)/connect"', home.text).group(1))
    started = admin.post(f"{live.url}{PREFIX}/stores/{store_id}/connect", timeout=30,
                         data={"csrf_token": csrf_from(home.text)}, allow_redirects=False)
    admin.get(Seller().authorize(started.headers["Location"]), timeout=30)
    with app.app_context():
        store = plugin_state().session.get(Store, store_id)
        store.access_token_expires_at = utcnow()
        plugin_state().session.commit()
    before = requests.get(f"{sandbox.url}/_sandbox/authorizations", timeout=5).json()
    barrier = threading.Barrier(2)

    def refresh(_):
        with app.app_context():
            barrier.wait()
            return tokens.access_token(store_id)

    with ThreadPoolExecutor(2) as pool:
        got = list(pool.map(refresh, range(2)))
    after = requests.get(f"{sandbox.url}/_sandbox/authorizations", timeout=5).json()
    refreshes = after["token_requests"] - before["token_requests"]
    with app.app_context():
        stored = plugin_state().cipher.decrypt(plugin_state().session.get(Store, store_id)
                                        .access_token_encrypted)
        dialect = plugin_state().db.engine.dialect.name
    assert all(token.startswith("Atza|") for token in got)
    assert stored in got
    if dialect == "postgresql":  # SELECT … FOR UPDATE: the second waits, then reuses
        assert refreshes == 1 and got[0] == got[1]
    else:  # SQLite has no row locks; both may refresh, neither token is lost or corrupted
        assert refreshes in (1, 2)


# --- One match run per store -------------------------------------------------------------------

def _connected_over_http(live, name="Match race"):
    admin = signed_in(live.url)
    home = _add(admin, live.url, name)
    store_id = int(re.search(r'/stores/(\d+)/connect"', home.text).group(1))
    started = admin.post(f"{live.url}{PREFIX}/stores/{store_id}/connect", timeout=30,
                         data={"csrf_token": csrf_from(home.text)}, allow_redirects=False)
    admin.get(Seller().authorize(started.headers["Location"]), timeout=30)
    return admin, store_id


def test_racing_match_requests_make_one_job(app, live):
    """Eight admins' tabs click Match at once: one run, started once (the database holds one
    open run per store)."""
    from asc_plugin.models import MatchJob

    app.config["ASC_JOB_QUEUE"] = lambda job_id: None  # no worker: the runs stay open
    admin, store_id = _connected_over_http(live)
    listing = admin.get(f"{live.url}{PREFIX}/stores/{store_id}/listing", timeout=30)
    token = csrf_from(listing.text)
    barrier = threading.Barrier(8)

    def click(_):
        barrier.wait()
        return admin.post(f"{live.url}{PREFIX}/stores/{store_id}/match", timeout=30,
                          data={"csrf_token": token}, headers={"HX-Request": "true"})

    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(click, range(8)))
    assert [r.status_code for r in responses] == [200] * 8
    triggers = " ".join(r.headers.get("HX-Trigger", "") for r in responses)
    assert triggers.count("with Amazon's catalog started") == 1
    assert triggers.count("is already under way") == 7
    with app.app_context():
        jobs = plugin_state().session.query(MatchJob).filter_by(store_id=store_id).all()
        assert len(jobs) == 1 and jobs[0].status == "queued"
        events = [e.event for e in plugin_state().session.get(Store, store_id).activity]
        assert events.count("match_started") == 1


def test_the_database_refuses_a_second_open_run_and_claim_a_second_live_one(app, live):
    """The unique index, and take_lease()'s own check for a database where two runs are open
    (one made before the index existed)."""
    import sqlalchemy as sa
    from sqlalchemy.exc import IntegrityError

    from asc_plugin.models import MatchJob
    from asc_plugin.services import matching

    _admin, store_id = _connected_over_http(live)
    with app.app_context():
        session = plugin_state().session
        session.add(MatchJob(store_id=store_id, status="queued"))
        session.commit()
        session.add(MatchJob(store_id=store_id, status="paused"))
        with pytest.raises(IntegrityError):
            session.commit()
        session.rollback()
        session.execute(sa.text("DROP INDEX uq_asc_match_job_open_store"))
        session.add(MatchJob(store_id=store_id, status="queued"))
        session.commit()
        first, second = session.scalars(sa.select(MatchJob.id).order_by(MatchJob.id)).all()
        assert matching.take_lease(first, "worker-a")
        assert not matching.take_lease(second, "worker-b")  # the store's other run is held
        session.execute(sa.update(MatchJob).where(MatchJob.id == first).values(
            status="done", lease_owner=None, lease_expires_at=None))
        session.commit()
        assert matching.take_lease(second, "worker-b")
