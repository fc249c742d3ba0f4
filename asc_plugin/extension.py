"""The Flask extension: config defaults, the blueprint, per-app state in app.extensions["asc"]."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, request, url_for

from . import config as asc_config
from .crypto import ConfigurationError, TokenCipher
from .host import BaseHost, Host, NavEntry


@dataclass
class AscState:
    """Everything the plugin keeps per app; reach it with :func:`state`."""

    db: object
    host: Host
    cipher: TokenCipher
    oauth: object = None

    @property
    def session(self):
        return self.db.session


def state(app: Flask | None = None) -> AscState:
    app = app or current_app
    try:
        return app.extensions["asc"]
    except KeyError:
        raise RuntimeError(
            "The Amazon Sales Channel is not set up on this app: call "
            "AmazonSalesChannel(app, db=db, host=host) or ext.init_app(app)."
        ) from None


class AmazonSalesChannel:
    """Mount the Amazon Sales Channel into a host admin.

    ``AmazonSalesChannel(app, db=db, host=MyHost())`` or, for factories, create it bare and call
    ``init_app(app)``. ``db`` is the host's Flask-SQLAlchemy instance; ``host`` implements
    :class:`asc_plugin.Host` (without one, nobody gets in).
    """

    def __init__(self, app: Flask | None = None, *, db=None, host: Host | None = None):
        self.db = db
        self.host = host
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask, *, db=None, host: Host | None = None) -> None:
        if "asc" in app.extensions:
            raise RuntimeError(
                "The Amazon Sales Channel is already registered on this app. Call init_app once "
                "per app; to change the host or database, build a new app."
            )
        db = db or self.db
        if db is None:
            raise ConfigurationError(
                "AmazonSalesChannel needs the host's Flask-SQLAlchemy instance: "
                "AmazonSalesChannel(app, db=db, host=...)."
            )
        if "sqlalchemy" not in app.extensions:
            raise ConfigurationError(
                "Initialise the host's Flask-SQLAlchemy (db.init_app(app)) before the "
                "Amazon Sales Channel."
            )
        asc_config.apply_defaults(app.config)
        if app.config["ASC_OAUTH_STATE_MAX_AGE"] > 600:
            raise ConfigurationError("ASC_OAUTH_STATE_MAX_AGE may be at most 600 seconds.")
        if not app.config["ASC_ENCRYPTION_KEYS"] and (app.testing or app.debug):
            app.config["ASC_ALLOW_EPHEMERAL_KEY"] = True
        cipher = TokenCipher.from_config(app.config)

        ext_state = AscState(db=db, host=host or self.host or BaseHost(), cipher=cipher)
        app.extensions["asc"] = ext_state

        from . import i18n

        i18n.init_app(app)

        from .amazon.oauth import create_oauth_registry
        from .cli import asc_cli
        from .views import create_blueprint

        ext_state.oauth = create_oauth_registry(app)
        app.register_blueprint(
            create_blueprint(), url_prefix=app.config["ASC_URL_PREFIX"].rstrip("/") or None
        )
        app.cli.add_command(asc_cli)
        app.context_processor(_nav_context)
        if app.config["ASC_REDACT_ACCESS_LOGS"]:
            from . import logs

            logs.install()

    @staticmethod
    def metadata():
        """The plugin's SQLAlchemy metadata (for a host's own Alembic autogenerate)."""
        from .models import metadata

        return metadata


def _nav_context():
    """Gives host templates ``asc_nav_entry`` to place in their sidebar."""
    from .i18n import _

    try:
        url = url_for("asc.home")
    except RuntimeError:
        return {}
    return {
        "asc_nav_entry": NavEntry(
            section=_("Marketing"), group=_("Channels"), label=_("Amazon Sales Channel"), url=url,
            active=(request.blueprint or "").startswith("asc"),
        )
    }
