"""CSRF protection of the plugin's own routes, whatever the host's Flask-WTF settings are.

It is Flask-WTF's: tokens made and checked by ``generate_csrf``/``validate_csrf``, taken from the
form field or an ``X-CSRFToken``/``X-CSRF-Token`` header, plus Flask-WTF's referrer check on
HTTPS. What differs is that it never reads settings that only ``CSRFProtect.init_app`` sets and
never changes the host's: it holds with ``WTF_CSRF_ENABLED=False``, without ``CSRFProtect``, and
with a renamed ``WTF_CSRF_FIELD_NAME`` (the plugin's forms then use the host's field name, so a
host ``CSRFProtect`` accepts them too).
"""

from __future__ import annotations

from flask import current_app, g, request
from flask_wtf.csrf import CSRFError, CSRFProtect, generate_csrf, same_origin, validate_csrf
from wtforms import ValidationError

DEFAULT_HEADERS = ("X-CSRFToken", "X-CSRF-Token")
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def field_name() -> str:
    """The form field carrying the token: the host's WTF_CSRF_FIELD_NAME, else csrf_token."""
    return current_app.config.get("WTF_CSRF_FIELD_NAME") or "csrf_token"


def header_names() -> list[str]:
    return list(current_app.config.get("WTF_CSRF_HEADERS") or DEFAULT_HEADERS)


def token() -> str:
    return generate_csrf()


class PluginCSRF(CSRFProtect):
    """``CSRFProtect.protect`` for one blueprint, reading the host's settings with defaults.

    Never ``init_app``-ed: that would install a check on every route of the host's app and
    change its config.
    """

    def _get_csrf_token(self):
        name = field_name()
        value = request.form.get(name)
        if value:
            return value
        for header in header_names():
            value = request.headers.get(header)
            if value:
                return value
        return None

    def protect(self, apply_exemptions=False):
        if request.method not in UNSAFE_METHODS or g.get("csrf_valid", False):
            return  # a host CSRFProtect may already have checked this very request
        try:
            validate_csrf(self._get_csrf_token())
        except ValidationError as error:
            raise CSRFError(error.args[0]) from None
        if request.is_secure and current_app.config.get("WTF_CSRF_SSL_STRICT", True):
            if not request.referrer:
                raise CSRFError("The referrer header is missing.")
            if not same_origin(request.referrer, f"https://{request.host}/"):
                raise CSRFError("The referrer does not match the host.")
        g.csrf_valid = True


protection = PluginCSRF()
