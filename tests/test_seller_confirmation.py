"""The seller id in Amazon's callback URL is confirmed with Amazon before a store counts as
connected: a changed URL no longer stores another seller's id beside this token."""

from __future__ import annotations

from helpers import Seller, add_store, callback_path, start_connect, store_named

from asc_plugin.sandbox.data import REQUIRED_ROLE


def _flashes(client):
    with client.session_transaction() as session:
        return [m for _level, m in session.pop("_flashes", [])]


def test_a_seller_id_changed_in_the_callback_url_is_refused(app, admin, sandbox):
    assert add_store(admin).status_code == 303
    store = store_named(app, "Amazon Store USA")
    back = Seller().authorize(start_connect(admin, store.id))
    assert "selling_partner_id=A3FH4EXAMPLE" in back
    forged = back.replace("selling_partner_id=A3FH4EXAMPLE", "selling_partner_id=A2NOCANADA01")
    admin.get(callback_path(forged))
    (message,) = _flashes(admin)
    assert "did not confirm that this authorization belongs to the seller A2NOCANADA01" in message
    after = store_named(app, "Amazon Store USA")
    assert not after.is_connected and after.seller_id is None


def test_the_genuine_seller_is_confirmed_and_connected(app, admin, sandbox):
    import requests

    assert add_store(admin).status_code == 303
    store = store_named(app, "Amazon Store USA")
    admin.get(callback_path(Seller().authorize(start_connect(admin, store.id))))
    assert store_named(app, "Amazon Store USA").seller_id == "A3FH4EXAMPLE"
    made = requests.get(f"{sandbox.url}/_sandbox/listings/requests", timeout=10).json()[
        "requests"]
    (check,) = [r for r in made if r["operation"] == "searchListingsItems"]
    assert check["params"]["pageSize"] == ["1"] and check["status"] == 200
    assert check["path"].endswith("/items/A3FH4EXAMPLE")


def test_without_the_product_listing_role_the_operator_is_told(app, admin, sandbox):
    sandbox.settings(roles=[REQUIRED_ROLE])
    assert add_store(admin).status_code == 303
    store = store_named(app, "Amazon Store USA")
    admin.get(callback_path(Seller().authorize(start_connect(admin, store.id))))
    (message,) = _flashes(admin)
    assert "lacks the Product Listing role" in message
    assert not store_named(app, "Amazon Store USA").is_connected
