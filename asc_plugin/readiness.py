"""Which settings the Amazon side needs, checked where they are needed and never before.

A host without Amazon settings still starts, migrates, builds and runs its own commands: only
what needs a setting refuses without it (Connect, token use, the job worker), with the same
message ``flask asc check-config`` prints. ``init_app`` warns once per process.
"""

from __future__ import annotations

import logging

from flask import Flask, current_app

from .errors import SettingsMissing
from .i18n import N_, gettext

#: What each setting is for, and how to set it (translated where it is shown).
HELP = {
    "ASC_ENCRYPTION_KEYS": N_(
        "the Fernet keys encrypting Amazon tokens at rest, newest first; make one with "
        "%(command)s"),
    "ASC_AMAZON_REDIRECT_URI": N_(
        "the OAuth redirect URI registered on your SP-API app, e.g. "
        "https://your-admin.example.com%(prefix)s/connect/callback (or set SERVER_NAME): "
        "outside debug and testing it is never built from a request's Host header, which a "
        "client controls"),
    "ASC_AMAZON_CLIENT_ID": N_("the LWA client id of your SP-API app"),
    "ASC_AMAZON_CLIENT_SECRET": N_("the LWA client secret of your SP-API app"),
    "ASC_AMAZON_APPLICATION_ID": N_("your SP-API application id (amzn1.sellerapps.app.…)"),
}
KEY_COMMAND = ("python -c 'from cryptography.fernet import Fernet; "
               "print(Fernet.generate_key().decode())'")
#: What each use needs.
CONNECT = ("ASC_ENCRYPTION_KEYS", "ASC_AMAZON_REDIRECT_URI", "ASC_AMAZON_CLIENT_ID",
           "ASC_AMAZON_CLIENT_SECRET", "ASC_AMAZON_APPLICATION_ID")
_warned: set[tuple[str, ...]] = set()


def keys_given(config) -> bool:
    raw = config.get("ASC_ENCRYPTION_KEYS")
    if isinstance(raw, bytes):
        raw = raw.decode("ascii", "replace")
    if isinstance(raw, str):
        return any(key.strip() for key in raw.split(","))
    return bool(raw)


def ephemeral_key_allowed(app: Flask) -> bool:
    return bool(app.config["ASC_ALLOW_EPHEMERAL_KEY"] or app.testing or app.debug)


def missing(app: Flask | None = None, needed=CONNECT) -> list[str]:
    """The settings among ``needed`` this app lacks, in the order of ``needed``."""
    app = app or current_app
    config = app.config
    lacking = []
    for key in needed:
        if key == "ASC_ENCRYPTION_KEYS":
            ok = keys_given(config) or ephemeral_key_allowed(app)
        elif key == "ASC_AMAZON_REDIRECT_URI":
            ok = bool(config[key] or config.get("SERVER_NAME") or app.debug or app.testing)
        else:
            ok = bool(config.get(key))
        if not ok:
            lacking.append(key)
    return lacking


def describe(key: str, app: Flask | None = None) -> str:
    app = app or current_app
    return f"{key}: " + gettext(HELP[key], prefix=app.config["ASC_URL_PREFIX"].rstrip("/"),
                                command=KEY_COMMAND)


def require(needed, app: Flask | None = None) -> None:
    """Refuse (:class:`SettingsMissing`, the message check-config prints) unless every setting
    in ``needed`` is there."""
    lacking = missing(app, needed)
    if lacking:
        raise SettingsMissing(lacking)


def warn_once(app: Flask) -> None:
    """At start-up: one warning per process naming what is missing (nothing is refused yet)."""
    lacking = tuple(missing(app, ("ASC_ENCRYPTION_KEYS", "ASC_AMAZON_REDIRECT_URI")))
    if lacking and lacking not in _warned:
        _warned.add(lacking)
        logging.getLogger("asc_plugin").warning(
            "The Amazon Sales Channel is missing settings: %s. The host runs as usual, but "
            "Connect, token use and the job worker are refused until they are set; run "
            "`flask asc check-config` to see what to set.", ", ".join(lacking))
