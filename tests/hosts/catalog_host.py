"""What the test hosts that list products share: an admin signed in through the session
(``role`` and ``user``, as the tests set them) and the demo's catalog of products (its websites,
attributes and generated products, ``SHOP_PRODUCTS`` of them per website) for listing rules and
matching. Each host file then states only what makes it different."""

from flask import Flask, session

from asc_plugin import BaseHost
from asc_plugin.demo import catalog


class CatalogHost(BaseHost):
    """The host contract of a shop admin whose products are the demo's catalog."""

    def __init__(self, products):
        self.catalog = products

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

    def websites(self):
        return catalog.WEBSITES

    def product_attributes(self):
        return catalog.ATTRIBUTES

    def attribute_preview(self, attribute_code, limit):
        return self.catalog.preview(attribute_code, limit)

    def products(self, website_id, *, after, limit):
        return self.catalog.page(website_id, after, limit)

    def product_count(self, website_id):
        return self.catalog.count(website_id)
