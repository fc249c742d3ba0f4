from flask import Flask, session
from flask_sqlalchemy import SQLAlchemy

from asc_plugin import AmazonSalesChannel, BaseHost, ProductAttribute, Website

db = SQLAlchemy()
amazon = AmazonSalesChannel(db=db)


class ShopHost(BaseHost):
    base_template = "layout.html"      # yours, with {% block asc_head %} and {% block asc_body %}

    def can_access(self):                # deny by default: only your admins get in
        return session.get("role") == "admin"

    def admin_id(self):                  # keeps pre-setup progress and connects per admin
        return session.get("user", "")

    def admin_name(self):                # written to each store's activity log
        return session.get("user", "admin")

    def websites(self):
        return [Website(id="1", code="base", name="Main Website")]

    def product_attributes(self):
        return [ProductAttribute("sku", "SKU"), ProductAttribute("upc", "UPC")]


def create_app(config=None):
    app = Flask(__name__)
    app.config.from_prefixed_env()       # FLASK_SECRET_KEY, FLASK_ASC_ENCRYPTION_KEYS, …
    app.config.update(config or {})
    db.init_app(app)
    amazon.init_app(app, host=ShopHost())
    return app
