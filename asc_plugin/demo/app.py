"""The demo host: sign-in, a sidebar, a catalog, and the plugin mounted like any host would."""

from __future__ import annotations

import hmac
import json
import os
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from pathlib import Path

from cryptography.fernet import Fernet
from flask import Flask, abort, redirect, render_template, request, session, url_for
from flask_wtf import CSRFProtect

from asc_plugin import AmazonSalesChannel, BaseHost, paths, product_changed
from asc_plugin.files import private_dir, private_file, sqlite_path, write_private
from asc_plugin.params import parse_int
from asc_plugin.safe_redirect import safe_next
from asc_plugin.state import plugin_state

from . import catalog, orders
from .db import db

csrf = CSRFProtect()

ENV_PREFIXES = ("ASC_", "SQLALCHEMY_", "DEMO_")
ENV_KEYS = ("SECRET_KEY", "SERVER_NAME", "PREFERRED_URL_SCHEME")


class CatalogHost(BaseHost):
    """The catalog's part of the host contract: websites, attributes and generated products
    (the test hosts that list products reuse it)."""

    def __init__(self, products: catalog.Catalog):
        self.catalog = products

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


class DemoHost(CatalogHost):
    """The host contract, as a shop admin implements it."""

    base_template = "asc_demo/base.html"

    def can_access(self) -> bool:
        return bool(session.get("admin"))

    def unauthorized(self):
        if request.method == "GET":
            return redirect(url_for("login", next=request.full_path.rstrip("?")))
        abort(403)

    def admin_name(self) -> str:
        return session.get("admin", "anonymous")

    def admin_id(self) -> str:
        return session.get("admin", "")

    def products(self, website_id, *, after, limit):
        page = self._edited(self.catalog.page(website_id, after, limit))
        if len(page) < limit:  # the products added by hand come after the generated ones
            added = orders.added_products(website_id, page[-1].id if page else after,
                                          limit - len(page))
            stock = orders.stock_changes(p.id for p in added)
            page += [p.as_product(stock.get(p.id, 0)) for p in added]
        return page

    def _edited(self, page):
        """Generated products with the stock moves and prices of the demo's own tables."""
        stock = orders.stock_changes(p.id for p in page)
        prices = orders.price_changes(p.id for p in page)
        return [replace(p, quantity=(p.quantity or 0) + stock.get(p.id, 0),
                        price=prices.get(p.id, p.price)) if p.id in stock or p.id in prices
                else p for p in page]

    def products_by_ids(self, website_id, product_ids):
        """The optional host method the price and quantity sync looks products up with."""
        wanted = set(product_ids)
        generated = [p for p in self.catalog.all(website_id) if p.id in wanted]
        added = [p for p in orders.added_products(website_id, None, 10**6) if p.id in wanted]
        stock = orders.stock_changes(p.id for p in added)
        return self._edited(generated) + [p.as_product(stock.get(p.id, 0)) for p in added]

    def product_count(self, website_id):
        return self.catalog.count(website_id) + orders.added_count(website_id)

    def import_order(self, order):
        return orders.import_order(self.catalog, order)

    def cancel_order(self, host_order_id, order):
        orders.cancel_order(host_order_id)

    def order_url(self, host_order_id):
        return url_for("order", order_id=host_order_id) if host_order_id.isdigit() else None


def config_from_env(environ=os.environ) -> dict:
    """ASC_*, SQLALCHEMY_*, DEMO_* and some Flask keys from the environment; JSON if it parses."""
    config = {}
    for key, raw in environ.items():
        if key.startswith(ENV_PREFIXES) or key in ENV_KEYS:
            try:
                config[key] = json.loads(raw)
            except ValueError:
                config[key] = raw
    return config


def _local_secrets(instance: Path) -> dict:
    """A Flask secret key and a Fernet key, made once and kept under instance/."""
    path = instance / "asc_demo_secrets.json"
    if path.exists():
        return json.loads(path.read_text())
    secrets = {
        "SECRET_KEY": os.urandom(32).hex(),
        "ASC_ENCRYPTION_KEYS": [Fernet.generate_key().decode()],
    }
    private_dir(instance, tighten=True)
    write_private(path, json.dumps(secrets, indent=2))
    return secrets


def _demo_host(app: Flask) -> DemoHost:
    host = plugin_state(app).host
    assert isinstance(host, DemoHost)  # create_app mounts it
    return host


def _private_database(url: str, instance: Path) -> None:
    """Create the demo's SQLite file owner-only before SQLite does (with the umask's mode)."""
    found = sqlite_path(url) if isinstance(url, str) else None
    if found is None:
        return
    path = Path(found) if Path(found).is_absolute() else instance / found  # as Flask-SQLAlchemy
    folder = path.resolve().parent
    private_dir(folder, tighten=folder == instance.resolve())
    private_file(path)


def create_app(config: dict | None = None) -> Flask:
    #: DEMO_INSTANCE_PATH: where the demo keeps its database and keys (default: Flask's).
    instance_path = (config or {}).get("DEMO_INSTANCE_PATH") or config_from_env().get(
        "DEMO_INSTANCE_PATH")
    app = Flask(
        __name__, instance_relative_config=True, template_folder=paths.TEMPLATES,
        static_folder=f"{paths.STATIC}/asc_demo",
        instance_path=str(Path(instance_path).resolve()) if instance_path else None,
    )
    instance = Path(app.instance_path)
    app.config.update(
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{instance / 'asc_demo.sqlite3'}",
        DEMO_ADMIN_USER="admin",
        DEMO_ADMIN_PASSWORD="admin",  # noqa: S106 - the demo's published sign-in
        ASC_PLATFORM_NAME="Demo Shop",
        #: Generated products per website id.
        DEMO_PRODUCTS=dict(catalog.SIZES),
    )
    app.config.update(config_from_env())
    app.config.update(config or {})
    if not app.config.get("SECRET_KEY") or not app.config.get("ASC_ENCRYPTION_KEYS"):
        secrets = _local_secrets(instance)
        for key in ("SECRET_KEY", "ASC_ENCRYPTION_KEYS"):
            if not app.config.get(key):
                app.config[key] = secrets[key]

    _private_database(app.config["SQLALCHEMY_DATABASE_URI"], instance)
    db.init_app(app)
    csrf.init_app(app)
    AmazonSalesChannel(app, db=db, host=DemoHost(catalog.Catalog(app.config["DEMO_PRODUCTS"])))
    _routes(app)
    app.after_request(_security_headers)
    return app


def _security_headers(response):
    """The demo's own pages get the headers the plugin's pages send (set where missing)."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if response.mimetype == "text/html" or response.status_code in (301, 302, 303, 307, 308):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def _routes(app: Flask) -> None:
    @app.get("/")
    def index():
        return redirect(url_for("dashboard"))

    @app.route("/login", methods=["GET", "POST"])
    def login():
        error = None
        target = safe_next(request.values.get("next"), url_for("dashboard"))
        if request.method == "POST":
            # As bytes: compare_digest refuses str with non-ASCII characters ("²").
            user_ok = hmac.compare_digest(_utf8(request.form.get("username", "")),
                                          _utf8(app.config["DEMO_ADMIN_USER"]))
            pass_ok = hmac.compare_digest(_utf8(request.form.get("password", "")),
                                          _utf8(app.config["DEMO_ADMIN_PASSWORD"]))
            if user_ok and pass_ok:
                session.clear()
                session["admin"] = app.config["DEMO_ADMIN_USER"]
                return redirect(target, 303)
            error = "That user name and password do not match."
        return render_template("asc_demo/login.html", error=error, next=target), (
            401 if error else 200)

    @app.post("/logout")
    def logout():
        session.clear()
        return redirect(url_for("login"), 303)

    @app.get("/dashboard")
    def dashboard():
        if not session.get("admin"):
            return redirect(url_for("login", next=request.path))
        return render_template("asc_demo/dashboard.html")

    @app.get("/catalog")
    def products():
        if not session.get("admin"):
            return redirect(url_for("login", next=request.path))
        website = "2" if request.args.get("website") == "2" else "1"
        number = parse_int(request.args.get("page"), 1, min=1, max=99_999)
        per_page = 50
        host = _demo_host(app)
        total = host.product_count(website)
        pages = max(1, -(-total // per_page))
        number = min(number, pages)
        generated = host.catalog.all(website)
        start = (number - 1) * per_page
        after = generated[start - 1].id if 0 < start <= len(generated) else None
        if start > len(generated):  # within the products added by hand
            added = orders.added_products(website, None, start - len(generated))
            after = added[-1].id if added else None
        return render_template(
            "asc_demo/catalog.html", attributes=catalog.ATTRIBUTES, websites=catalog.WEBSITES,
            website=website, number=number, pages=pages, total=total,
            products=host.products(website, after=after, limit=per_page),
            added=request.args.get("added", "")[:100],
            edited=request.args.get("edited", "")[:100])

    @app.post("/catalog/products")
    def add_product():
        """Add a product by hand (an Amazon order's unknown SKU can then be imported)."""
        if not session.get("admin"):
            abort(403)
        form = request.form
        website = "2" if form.get("website") == "2" else "1"
        sku, name = form.get("sku", "").strip()[:100], form.get("name", "").strip()[:200]
        try:
            price = Decimal(form.get("price", "0") or "0")
            quantity = int(form.get("quantity", "0") or "0")
        except (InvalidOperation, ValueError):
            price, quantity = Decimal(-1), -1
        if not sku or not name or not price.is_finite() or not 0 <= price < 10**8 \
                or not 0 <= quantity < 10**6 or any(c in sku + name for c in "\r\n"):
            return "Give a SKU, a name, a price and a stock (0 or more).", 400
        if orders.find_by_sku(_demo_host(app).catalog, website, sku) is not None:
            return f"The SKU {sku} already exists.", 409
        orders.add_product(website, sku, name, price.quantize(Decimal("0.01")), quantity)
        db.session.commit()
        return redirect(url_for("products", website=website, page=10**5 - 1, added=sku), 303)

    @app.post("/catalog/products/<product_id>")
    def edit_product(product_id):
        """Change a product's price and stock; the shop tells the plugin, whose next sync sends
        Amazon what that makes of them."""
        if not session.get("admin"):
            abort(403)
        form = request.form
        website = "2" if form.get("website") == "2" else "1"
        found = _demo_host(app).products_by_ids(website, [product_id[:20]])
        if not found:
            abort(404)
        try:
            price = Decimal(form.get("price", "") or "x")
            quantity = int(form.get("quantity", "") or "x")
        except (InvalidOperation, ValueError):
            price, quantity = Decimal(-1), -1
        if not price.is_finite() or not 0 < price < 10**8 or not 0 <= quantity < 10**6:
            return "Give a price above 0 and a stock of 0 or more.", 400
        orders.edit_product(found[0], price.quantize(Decimal("0.01")), quantity)
        product_changed(website, [found[0].id])  # the host contract: tell the plugin
        db.session.commit()
        page = parse_int(form.get("page"), 1, min=1, max=99_999)
        return redirect(url_for("products", website=website, page=page, edited=found[0].sku),
                        303)

    @app.get("/orders")
    def shop_orders():
        if not session.get("admin"):
            return redirect(url_for("login", next=request.path))
        return render_template("asc_demo/orders.html", orders=db.session.scalars(
            db.select(orders.DemoOrder).order_by(orders.DemoOrder.id.desc()).limit(200)).all())

    @app.get("/orders/<int:order_id>")
    def order(order_id):
        if not session.get("admin"):
            return redirect(url_for("login", next=request.path))
        if order_id > 2**31:
            abort(404)
        return render_template("asc_demo/order.html",
                               order=db.get_or_404(orders.DemoOrder, order_id))
