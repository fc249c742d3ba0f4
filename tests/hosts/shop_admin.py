from flask import Flask, session
from flask_admin import Admin
from flask_babel import Babel
from flask_sqlalchemy import SQLAlchemy

from asc_plugin import AmazonSalesChannel, BaseHost, ProductAttribute, Website
from asc_plugin.contrib.flask_admin import AmazonSalesChannelView

db = SQLAlchemy()


def is_shop_admin():                     # the one access decision: the menu entry and
    return session.get("role") == "admin"  # every plugin page follow it


class ShopHost(BaseHost):
    def can_access(self):
        return is_shop_admin()

    def admin_id(self):
        return session.get("user", "")

    def admin_name(self):
        return session.get("user", "admin")

    def websites(self):
        return [Website(id="1", code="base", name="Main Website")]

    def product_attributes(self):
        return [ProductAttribute("sku", "SKU"), ProductAttribute("upc", "UPC")]


def create_app(config=None):
    app = Flask(__name__)
    app.config.from_prefixed_env()
    app.config.update(config or {})
    db.init_app(app)
    Babel(app)                           # Flask-Admin's own translations use it
    admin = Admin(app, name="Shop Admin")
    admin.add_view(AmazonSalesChannelView(name="Amazon Sales Channel", category="Marketing"))
    AmazonSalesChannel(app, db=db, host=ShopHost())
    return app
