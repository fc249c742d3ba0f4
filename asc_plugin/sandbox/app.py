"""The sandbox app: one blueprint per Amazon surface it stands in for.

Seller Central's screens (seller_central.py), Login with Amazon's token endpoint (lwa.py), the
Sellers, Catalog Items, Listings Items / Restrictions / Definitions, Feeds and Orders APIs
(sellers.py, catalog_api.py, listings.py, feeds.py, orders.py), and the sandbox's own page and
test switches (switches.py). Views find the sandbox's state with
:func:`~asc_plugin.sandbox.guards.current_sandbox`.
"""

from __future__ import annotations

import secrets

from flask import Blueprint, Flask
from flask_wtf import CSRFProtect

from .. import paths
from . import (
    catalog,
    catalog_api,
    feeds,
    listings,
    lwa,
    orders,
    seller_central,
    sellers,
    switches,
)
from . import config as sandbox_config
from .data import SandboxState
from .guards import EXTENSION

#: Seller Central's screens post forms with a CSRF token, as Amazon's do.
SCREENS: tuple[Blueprint, ...] = (seller_central.bp,)
#: Called by apps and tests, and the switches the sandbox's own page posts: no CSRF token.
APIS: tuple[Blueprint, ...] = (lwa.bp, sellers.bp, catalog_api.bp, listings.bp, feeds.bp,
                               orders.bp, switches.bp)


def create_sandbox_app(*, redirect_uris: list[str], login_uri: str | None = None,
                       published: bool = False, secret_key: str | None = None,
                       app_name: str = sandbox_config.APP_NAME,
                       catalog_names: catalog.Names | None = None) -> Flask:
    """A sandbox Seller Central for an SP-API app registered with these URIs.

    ``app_name`` is the app's name as the consent page and Manage Your Apps show it;
    ``catalog_names(identifiers_type, identifier)`` may name the catalog's items ((name, brand)
    or None), so matches read like the products they match.
    """
    app = Flask(__name__, template_folder=paths.TEMPLATES,
                static_folder=f"{paths.STATIC}/asc_sandbox")
    app.config.update(
        SECRET_KEY=secret_key or secrets.token_hex(32),
        SESSION_COOKIE_NAME="amazon_sandbox_session",
        SANDBOX_REDIRECT_URIS=list(redirect_uris),
        SANDBOX_LOGIN_URI=login_uri,
        SANDBOX_PUBLISHED=published,
        SANDBOX_APP_NAME=app_name,
        SANDBOX_CATALOG_NAMES=catalog_names,
    )
    app.extensions[EXTENSION] = SandboxState()
    csrf = CSRFProtect(app)
    for blueprint in SCREENS + APIS:
        app.register_blueprint(blueprint)
    for blueprint in APIS:
        csrf.exempt(blueprint)
    return app
