"""Per-app plugin state, kept in ``app.extensions["asc"]``.

A leaf module: it imports nothing of the plugin at run time, so services, views and the CLI reach
the state without import circles; ``extension.py`` sits on top and wires the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, cast

from flask import Flask, current_app
from sqlalchemy.orm import scoped_session

if TYPE_CHECKING:
    from flask_sqlalchemy import SQLAlchemy
    from flask_sqlalchemy.session import Session as FlaskSession
    from werkzeug.local import LocalProxy

    from .host import Host

EXTENSION_KEY = "asc"


class Cipher(Protocol):
    """Token encryption at rest: :class:`~asc_plugin.crypto.TokenCipher`, or
    :class:`~asc_plugin.crypto.MissingKeys` while no key is set (every call refuses)."""

    def encrypt(self, plaintext: str) -> str: ...

    def decrypt(self, ciphertext: str) -> str: ...

    def rotate(self, ciphertext: str) -> str: ...


@dataclass
class AscState:
    """Everything the plugin keeps per app; reach it with :func:`plugin_state`."""

    #: The host's Flask-SQLAlchemy instance: the plugin never makes a second ``SQLAlchemy()``.
    db: SQLAlchemy
    host: Host
    cipher: Cipher
    #: Objects built on first use rather than at init_app (the OAuth registry, the Flask-Admin
    #: view, the Huey tasks: untyped libraries), so mounting the plugin stays cheap for a host.
    lazy: dict[str, Any] = field(default_factory=dict)

    @property
    def session(self) -> scoped_session[FlaskSession]:
        """The host's Flask-SQLAlchemy session: the plugin never makes a second SQLAlchemy()."""
        return self.db.session


def plugin_state(app: Flask | None = None) -> AscState:
    """The plugin's state of ``app`` (default: the current app)."""
    app = app or current_app
    try:
        found = app.extensions[EXTENSION_KEY]
    except KeyError:
        raise RuntimeError(
            "The Amazon Sales Channel is not set up on this app: call "
            "AmazonSalesChannel(app, db=db, host=host), or ext.init_app(app) in your app factory."
        ) from None
    assert isinstance(found, AscState)
    return found


def current_app_object() -> Flask:
    """The current app itself rather than Flask's ``current_app`` proxy: a signal's sender, or
    the app a worker thread pushes contexts of. (Flask declares ``current_app`` a ``Flask``; it
    is a ``LocalProxy[Flask]``.)"""
    return cast("LocalProxy[Flask]", current_app)._get_current_object()
