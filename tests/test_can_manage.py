"""With a host's ``can_manage(store)``, one admin learns nothing about another admin's stores:
not their names (in the name check, in "seller already connected" messages, in the banner of a
connect that also serves them), and a store whose tokens change through another store says so
in its own activity log. Over real HTTP against the demo served on 127.0.0.1."""

from __future__ import annotations

import json
import re
from html import unescape
from urllib.parse import urlsplit

import pytest
import requests
import sqlalchemy as sa
from helpers import PREFIX, Seller, csrf_from, session_cookie, store_named

from asc_plugin.demo.app import DemoHost
from asc_plugin.models import ActivityLog
from asc_plugin.services import activity_messages
from asc_plugin.state import plugin_state


class TenantHost(DemoHost):
    """Each admin manages the stores whose name starts with their user name and a colon."""

    def can_manage(self, store):
        from flask import session

        return store.name.startswith(session.get("admin", "") + ":")


@pytest.fixture()
def tenants(app, live):
    plugin_state(app).host = TenantHost(plugin_state(app).host.catalog)
    admins = {}
    for name in ("alice", "bob"):
        http = requests.Session()
        http.cookies.set("session", session_cookie(app, admin=name), domain="127.0.0.1")
        admins[name] = http
    return admins


def _token(http, url) -> tuple[str, str]:
    page = http.get(f"{url}{PREFIX}/", timeout=30).text
    ((header, token),) = json.loads(unescape(re.search(r"hx-headers='([^']+)'", page)
                                             .group(1))).items()
    return header, token


def _add(http, url, name, marketplace="US", website="1"):
    page = http.get(f"{url}{PREFIX}/stores/new?step=form", timeout=30)
    return http.post(f"{url}{PREFIX}/stores/new", timeout=30, data={
        "csrf_token": csrf_from(page.text), "website_id": website, "name": name,
        "contact_email": "o@example.com", "marketplace": marketplace, "amazon_id_type": "UPC",
        "host_attribute": "upc"})


def _connect(http, url, store_id) -> str:
    """Connect store, the seller at the sandbox, Amazon's redirect back; the page it ends on."""
    header, token = _token(http, url)
    started = http.post(f"{url}{PREFIX}/stores/{store_id}/connect", headers={header: token},
                        allow_redirects=False, timeout=30)
    assert started.status_code == 303
    seller = Seller()
    back = seller.authorize(started.headers["Location"])
    answer = http.get(back, allow_redirects=False, timeout=30)
    if urlsplit(back).path.endswith("/connect/login"):
        answer = http.get(seller.confirm(answer.headers["Location"]), allow_redirects=False,
                          timeout=30)
    while answer.status_code in (302, 303):
        answer = http.get(f"{url}{answer.headers['Location']}" if answer.headers[
            "Location"].startswith("/") else answer.headers["Location"], allow_redirects=False,
            timeout=30)
    return answer.text


def _log(app, store_id) -> list[tuple[str, str]]:
    with app.app_context():
        return [(e.event, activity_messages.text(e)) for e in plugin_state().session.scalars(
            sa.select(ActivityLog).where(ActivityLog.store_id == store_id)
            .order_by(ActivityLog.id))]


def test_the_name_check_does_not_describe_another_admins_store(app, live, tenants):
    alice, bob = tenants["alice"], tenants["bob"]
    _add(bob, live.url, "bob:US")
    _add(alice, live.url, "alice:US")
    assert store_named(app, "bob:US") and store_named(app, "alice:US")
    refused = _add(alice, live.url, "BOB:us")
    assert "This name is not available. Choose another name." in refused.text
    assert "already exists" not in refused.text
    check = alice.get(f"{live.url}{PREFIX}/stores/check/name", params={"name": "bob:US"},
                      timeout=30)
    assert "This name is not available." in check.text
    own = alice.get(f"{live.url}{PREFIX}/stores/check/name", params={"name": "alice:us"},
                    timeout=30)
    assert "A store with this name already exists." in own.text


def test_seller_taken_and_shared_authorization_name_no_foreign_store(app, live, tenants):
    alice, bob = tenants["alice"], tenants["bob"]
    _add(bob, live.url, "bob:US")
    _add(bob, live.url, "bob:CA", marketplace="CA", website="2")
    _add(alice, live.url, "alice:US")
    _add(alice, live.url, "alice:MX", marketplace="MX")
    bob_us, bob_ca = store_named(app, "bob:US"), store_named(app, "bob:CA")
    alice_us, alice_mx = store_named(app, "alice:US"), store_named(app, "alice:MX")
    _connect(bob, live.url, bob_us.id)
    assert store_named(app, "bob:US").is_connected

    # The seller already serves bob:US for the US: alice is told so without bob's store name.
    page = _connect(alice, live.url, alice_us.id)
    assert "already connected to another store for" in page
    assert "bob:" not in page
    assert not store_named(app, "alice:US").is_connected
    assert all("bob:" not in message for _event, message in _log(app, alice_us.id))

    # Mexico is free: alice connects, and the one authorization of the seller in North America
    # now serves bob's store too. Her banner counts it without naming it; bob's log says why
    # his store's authorization changed.
    before = _log(app, bob_us.id)
    page = _connect(alice, live.url, alice_mx.id)
    assert store_named(app, "alice:MX").is_connected
    assert "It also serves 1 store of the same seller account that another admin manages." \
        in page
    assert "bob:" not in page
    added = _log(app, bob_us.id)[len(before):]
    assert [event for event, _message in added] == ["authorization_shared"]
    assert "Authorization replaced through another store of the same Amazon seller account" \
        in added[0][1]
    assert "alice:" not in added[0][1]
    assert bob_ca.id not in (alice_us.id, alice_mx.id)  # bob's CA store was never connected
    assert _log(app, bob_ca.id)[-1][0] == "store_created"
