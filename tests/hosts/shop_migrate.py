from flask import Flask, session
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

from asc_plugin import AmazonSalesChannel, BaseHost, ProductAttribute, Website
from asc_plugin.migrations import include_name

db = SQLAlchemy()
migrate = Migrate()
amazon = AmazonSalesChannel(db=db)


class Product(db.Model):                 # the shop's own tables, in its own migrations
    id = db.Column(db.Integer, primary_key=True)
    sku = db.Column(db.String(40), unique=True)
    upc = db.Column(db.String(12))


class ShopHost(BaseHost):
    base_template = "layout.html"

    def can_access(self):
        return session.get("role") == "admin"

    def websites(self):
        return [Website(id="1", code="base", name="Main Website")]

    def product_attributes(self):
        return [ProductAttribute("sku", "SKU"), ProductAttribute("upc", "UPC")]


def create_app(config=None):
    app = Flask(__name__)
    app.config.from_prefixed_env()
    app.config.update(config or {})
    db.init_app(app)
    migrate.init_app(app, db, include_name=include_name)  # leaves the plugin's asc_* tables out
    amazon.init_app(app, host=ShopHost())
    return app
