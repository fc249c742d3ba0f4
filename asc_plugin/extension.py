"""The Flask extension: config defaults, the blueprint, per-app state in app.extensions["asc"].

``init_app`` touches only what is the plugin's own: ``ASC_*`` config keys, the ``asc`` blueprint,
the ``flask asc`` command group, a context processor giving host templates ``asc_nav_entry``, and
a redaction filter on the access loggers. It never configures the host's Babel, CSRF or htmx,
and imports neither the sandbox nor the heavy client libraries (those load on first use).
"""

from __future__ import annotations

from flask import Flask, request, url_for
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData

from . import config as asc_config
from . import logs, readiness, signals
from .cli import asc_cli
from .crypto import MissingKeys, TokenCipher
from .errors import ConfigurationError
from .host import BaseHost, Host, NavEntry
from .i18n import _
from .models import metadata
from .services.offers import after_match
from .services.sync import on_order, on_product_changed
from .state import EXTENSION_KEY, AscState, Cipher
from .views.blueprint import create_blueprint


class AmazonSalesChannel:
    """Mount the Amazon Sales Channel into a host admin.

    ``AmazonSalesChannel(app, db=db, host=MyHost())`` or, in an app factory, create it bare at
    import time and call ``ext.init_app(app)`` inside the factory. ``db`` is the host's
    Flask-SQLAlchemy instance; ``host`` implements :class:`asc_plugin.Host` (without one, nobody
    gets in).
    """

    def __init__(self, app: Flask | None = None, *, db: SQLAlchemy | None = None,
                 host: Host | None = None) -> None:
        self.db = db
        self.host = host
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask, *, db: SQLAlchemy | None = None,
                 host: Host | None = None) -> None:
        if EXTENSION_KEY in app.extensions:
            raise RuntimeError(
                "The Amazon Sales Channel is already registered on this app. Call "
                "AmazonSalesChannel(app, ...) or ext.init_app(app) once per app: in an app "
                "factory, create the extension at import time (ext = AmazonSalesChannel(db=db, "
                "host=...)) and call ext.init_app(app) inside create_app().")
        db = db or self.db
        if db is None:
            raise ConfigurationError(
                "AmazonSalesChannel needs the host's Flask-SQLAlchemy instance: "
                "AmazonSalesChannel(app, db=db, host=...).")
        if "sqlalchemy" not in app.extensions:
            raise ConfigurationError(
                "Initialise the host's Flask-SQLAlchemy (db.init_app(app)) before the "
                "Amazon Sales Channel.")
        asc_config.apply_defaults(app.config)
        _check_config(app)
        cipher: Cipher
        if readiness.keys_given(app.config) or readiness.ephemeral_key_allowed(app):
            cipher = TokenCipher.from_config({
                **app.config, "ASC_ALLOW_EPHEMERAL_KEY": readiness.ephemeral_key_allowed(app)})
        else:  # the host's own commands run; token use refuses, saying what to set
            cipher = MissingKeys()
        readiness.warn_once(app)
        app.extensions[EXTENSION_KEY] = AscState(
            db=db, host=host or self.host or BaseHost(), cipher=cipher)

        app.register_blueprint(
            create_blueprint(), url_prefix=app.config["ASC_URL_PREFIX"].rstrip("/") or None)
        app.cli.add_command(asc_cli)
        app.context_processor(_nav_context)
        signals.catalog_matched.connect(after_match)  # automatic publishing
        # What changed in the shop reaches Amazon with the next price and quantity sync.
        signals.product_changed.connect(on_product_changed)
        signals.order_imported.connect(on_order)
        signals.order_cancelled.connect(on_order)
        if app.config["ASC_REDACT_ACCESS_LOGS"]:
            logs.install()

    @staticmethod
    def metadata() -> MetaData:
        """The plugin's SQLAlchemy metadata (its own tables, for tooling)."""
        return metadata


def _check_config(app: Flask) -> None:
    """Refuse, at startup, settings that are set to what cannot work. Settings not set yet are
    not refused here (the host's own commands must run without them): see readiness.py."""
    if app.config["ASC_OAUTH_STATE_MAX_AGE"] > 600:
        raise ConfigurationError("ASC_OAUTH_STATE_MAX_AGE may be at most 600 seconds.")


def _nav_context() -> dict[str, NavEntry]:
    """Gives host templates ``asc_nav_entry`` to place in their sidebar."""
    try:
        url = url_for("asc.home")
    except RuntimeError:
        return {}
    return {
        "asc_nav_entry": NavEntry(
            section=_("Marketing"), group=_("Channels"), label=_("Amazon Sales Channel"), url=url,
            active=(request.blueprint or "") == "asc",
        )
    }
