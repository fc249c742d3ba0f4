"""A Flask-Admin 2 admin that never set up Flask-Babel (no ``Babel(app)``): as on a site where
Flask-Babel is not installed, Flask-Admin uses its built-in English. Products come from the
demo's catalog, for listing rules and matching."""

from flask import Flask
from flask_admin import Admin
from flask_sqlalchemy import SQLAlchemy

from asc_plugin import AmazonSalesChannel
from asc_plugin.contrib.flask_admin import AmazonSalesChannelView

from .catalog_host import ShopCatalogHost

db = SQLAlchemy()


def create_app(config=None):
    app = Flask(__name__)
    app.config["SHOP_PRODUCTS"] = {"1": 60, "2": 10}
    app.config.update(config or {})
    db.init_app(app)
    admin = Admin(app, name="Shop Admin")
    admin.add_view(AmazonSalesChannelView(name="Amazon Sales Channel", category="Marketing"))
    AmazonSalesChannel(app, db=db, host=ShopCatalogHost.for_app(app))
    return app
