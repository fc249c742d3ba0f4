"""What the test hosts that list products share: the demo's catalog (its websites, attributes
and generated products, ``SHOP_PRODUCTS`` of them per website) for listing rules and matching,
and an admin signed in through the session (``role`` and ``user``, as the tests set them).
Each host file then states only what makes it different."""

from flask import Flask, session

from asc_plugin.demo import catalog
from asc_plugin.demo.app import CatalogHost


class ShopCatalogHost(CatalogHost):
    """The host contract of a shop admin whose products are the demo's catalog."""

    @classmethod
    def for_app(cls, app: Flask):
        """A host whose catalog has the app's ``SHOP_PRODUCTS`` (website id -> count)."""
        return cls(catalog.Catalog(app.config["SHOP_PRODUCTS"]))

    def can_access(self):
        return session.get("role") == "admin"

    def admin_id(self):
        return session.get("user", "")

    def admin_name(self):
        return session.get("user", "admin")
