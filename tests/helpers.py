"""Small helpers the HTTP tests share: adding a store and connecting it through the sandbox."""

from __future__ import annotations

from urllib.parse import urlsplit

from amazon_seller import Seller
from conftest import csrf_from

from asc_plugin.extension import state
from asc_plugin.models import Store

PREFIX = "/admin/amazon"


def add_store(admin, *, name="Amazon Store USA", marketplace="US", website="1",
              email="owner@example.com", id_type="UPC", attribute="upc", htmx=False):
    page = admin.get(f"{PREFIX}/stores/new?step=form")
    headers = {"HX-Request": "true"} if htmx else {}
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


def start_connect(admin, store_id, *, new_tab=False):
    home = admin.get(f"{PREFIX}/")
    response = admin.post(f"{PREFIX}/stores/{store_id}/connect",
                          data={"csrf_token": csrf_from(home.text),
                                "new_tab": "1" if new_tab else "0"})
    assert response.status_code == 303, response.text[:500]
    return response.headers["Location"]


def callback_path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def connect(admin, store_id, seller=None, **kwargs):
    """The whole flow: Connect store, the seller at Seller Central, Amazon's redirect back."""
    consent = start_connect(admin, store_id, **kwargs)
    back = (seller or Seller()).authorize(consent)
    return admin.get(callback_path(back))
