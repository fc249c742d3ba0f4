"""Small helpers the HTTP tests share: adding a store and connecting it through the sandbox."""

from __future__ import annotations

from conftest import csrf_from

from asc_plugin.models import Store
from asc_plugin.state import state
from asc_plugin.testing import SandboxSeller, connect_store, local_path

PREFIX = "/admin/amazon"
HX = {"HX-Request": "true"}

__all__ = ["PREFIX", "HX", "add_store", "values_of", "signed_in", "store_named",
           "start_connect", "connect", "callback_path", "Seller"]
Seller = SandboxSeller
callback_path = local_path


def values_of(attribute: str, website: str = "1") -> str:
    """ "N of M" for the attribute preview, counted from the demo's generated catalog."""
    from conftest import SMALL_CATALOG

    from asc_plugin.demo.catalog import generate

    products = generate(website, SMALL_CATALOG[website])
    return f"{sum(1 for p in products if p.attributes.get(attribute))} of {len(products)}"


def add_store(admin, *, name="Amazon Store USA", marketplace="US", website="1",
              email="owner@example.com", id_type="UPC", attribute="upc", htmx=False):
    page = admin.get(f"{PREFIX}/stores/new?step=form")
    headers = HX if htmx else {}
    return admin.post(f"{PREFIX}/stores/new", headers=headers, data={
        "csrf_token": csrf_from(page.text), "website_id": website, "contact_email": email,
        "name": name, "marketplace": marketplace, "amazon_id_type": id_type,
        "host_attribute": attribute,
    })


def signed_in(url: str):
    """A requests session signed in to the demo admin served at url (real HTTP)."""
    import requests

    admin = requests.Session()
    page = admin.get(f"{url}/login", timeout=30)
    admin.post(f"{url}/login", data={"csrf_token": csrf_from(page.text), "username": "admin",
                                     "password": "admin"}, timeout=30)
    return admin


def store_named(app, name) -> Store | None:
    with app.app_context():
        store = state().session.query(Store).filter_by(name=name).one_or_none()
        if store is not None:
            state().session.expunge(store)
        return store


def start_connect(admin, store_id, *, new_tab=False, return_to="home"):
    home = admin.get(f"{PREFIX}/")
    response = admin.post(f"{PREFIX}/stores/{store_id}/connect",
                          data={"csrf_token": csrf_from(home.text), "return_to": return_to,
                                "new_tab": "1" if new_tab else "0"})
    assert response.status_code == 303, response.text[:500]
    return response.headers["Location"]


def connect(admin, store_id, seller=None, **kwargs):
    """The whole flow: Connect store, the seller at Seller Central, Amazon's redirect back
    (through the Login URI too, when the sandbox routes it so)."""
    if kwargs:
        consent = start_connect(admin, store_id, **kwargs)
        seller = seller or Seller()
        back = seller.authorize(consent)
        response = admin.get(callback_path(back))
        if "/connect/login" in back:
            response = admin.get(callback_path(seller.confirm(response.headers["Location"])))
        return response
    return connect_store(admin, store_id, seller=seller)


def connected_store(app, admin, **add_kwargs) -> Store:
    """A store added through the form and connected through the sandbox."""
    assert add_store(admin, **add_kwargs).status_code == 303
    store = store_named(app, add_kwargs.get("name", "Amazon Store USA"))
    connect(admin, store.id)
    assert store_named(app, store.name).is_connected
    return store


def listing_token(admin, store_id) -> str:
    """The CSRF token of the store's listing preview, as its Match button posts it."""
    return csrf_from(admin.get(f"{PREFIX}/stores/{store_id}/listing").text)


def start_match(admin, store_id, **headers):
    """*Match with Amazon catalog*, as the admin clicks it on the listing preview."""
    return admin.post(f"{PREFIX}/stores/{store_id}/match", headers=headers,
                      data={"csrf_token": listing_token(admin, store_id)})
