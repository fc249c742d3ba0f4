"""An htmx admin: ``<body hx-boost="true">``, its own htmx 2 with its own settings
(``HTMX_CONFIG``, given to htmx in its ``<meta name="htmx-config">``; with ``SHOP_HTMX=False``
no htmx and no boost; with ``SHOP_CSS=True`` a theme with ``html { font-size: 13px }``), a
sign-in form that redirects to where the admin was going, a strict Content-Security-Policy
(``style-src 'self'``: no inline style, not even an empty style attribute), and a catalog of
products (the demo's, with the sign-in the test hosts share: tests/hosts/catalog_host.py) for
listing rules and matching.

Nothing here is for the plugin's sake: this is how such a host is written before the plugin is
added, plus the docs' three lines for mounting it.
"""

from flask import Flask, redirect, render_template, request, send_file, session, url_for
from flask_sqlalchemy import SQLAlchemy

from asc_plugin import AmazonSalesChannel, paths
from asc_plugin.safe_redirect import safe_next

from .catalog_host import ShopCatalogHost

db = SQLAlchemy()
amazon = AmazonSalesChannel(db=db)
HTMX = f"{paths.STATIC}/asc/vendor/{paths.HTMX_FILE}"


class ShopHost(ShopCatalogHost):
    base_template = "htmx_layout.html"

    def unauthorized(self):
        return redirect(url_for("login", next=request.full_path.rstrip("?")))


def create_app(config=None):
    app = Flask(__name__)
    app.config.update({"HTMX_CONFIG": {"includeIndicatorStyles": False}, "SHOP_HTMX": True,
                       "SHOP_CSS": False, "SHOP_PRODUCTS": {"1": 240, "2": 80},
                       "SHOP_FORM_ACTION": ""})
    app.config.update(config or {})
    db.init_app(app)
    amazon.init_app(app, host=ShopHost.for_app(app))

    @app.get("/htmx.js")
    def htmx():
        return send_file(HTMX, mimetype="text/javascript")

    @app.get("/shop.css")
    def shop_css():  # an admin theme with a smaller root font size
        return app.response_class("html { font-size: 13px; } body { margin: 0 1rem; }",
                                  mimetype="text/css")

    @app.route("/login", methods=["GET", "POST"])
    def login():
        if request.method == "POST" and request.form.get("password") == "admin":
            session.update(role="admin", user=request.form.get("user", "admin"))
            return redirect(safe_next(request.form.get("next"), url_for("dashboard")))
        return render_template("htmx_login.html", next=request.args.get("next", ""))

    @app.get("/")
    def dashboard():
        if session.get("role") != "admin":
            return redirect(url_for("login", next="/"))
        return render_template("htmx_dashboard.html")

    @app.after_request
    def strict_csp(response):
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; frame-ancestors 'self'; "
            f"form-action 'self' {app.config['SHOP_FORM_ACTION']}".rstrip())
        return response

    return app
