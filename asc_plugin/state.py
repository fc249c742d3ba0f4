"""Per-app plugin state, kept in ``app.extensions["asc"]``.

A leaf module: it imports nothing of the plugin, so services, views and the CLI reach the state
without import circles; ``extension.py`` sits on top and wires the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app

EXTENSION_KEY = "asc"


@dataclass
class AscState:
    """Everything the plugin keeps per app; reach it with :func:`plugin_state`."""

    db: Any
    host: Any
    cipher: Any
    #: Objects built on first use rather than at init_app (the OAuth registry, the Flask-Admin
    #: view), so mounting the plugin stays cheap for a host.
    lazy: dict[str, Any] = field(default_factory=dict)

    @property
    def session(self):
        """The host's Flask-SQLAlchemy session: the plugin never makes a second SQLAlchemy()."""
        return self.db.session


def plugin_state(app: Flask | None = None) -> AscState:
    app = app or current_app
    try:
        return app.extensions[EXTENSION_KEY]
    except KeyError:
        raise RuntimeError(
            "The Amazon Sales Channel is not set up on this app: call "
            "AmazonSalesChannel(app, db=db, host=host), or ext.init_app(app) in your app factory."
        ) from None
