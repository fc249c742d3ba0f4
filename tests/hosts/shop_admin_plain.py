"""A Flask-Admin 2 admin that never set up Flask-Babel (no ``Babel(app)``): as on a site where
Flask-Babel is not installed, Flask-Admin uses its built-in English. Products come from the
demo's catalog, for listing rules and matching."""

from flask import Flask, session
from flask_admin import Admin
from flask_sqlalchemy import SQLAlchemy

from asc_plugin import AmazonSalesChannel, BaseHost
from asc_plugin.contrib.flask_admin import AmazonSalesChannelView
from asc_plugin.demo import catalog

db = SQLAlchemy()


class ShopHost(BaseHost):
    def __init__(self, products):
        self.catalog = products

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


def create_app(config=None):
    app = Flask(__name__)
    app.config["SHOP_PRODUCTS"] = {"1": 60, "2": 10}
    app.config.update(config or {})
    db.init_app(app)
    admin = Admin(app, name="Shop Admin")
    admin.add_view(AmazonSalesChannelView(name="Amazon Sales Channel", category="Marketing"))
    AmazonSalesChannel(app, db=db, host=ShopHost(catalog.Catalog(app.config["SHOP_PRODUCTS"])))
    return app
