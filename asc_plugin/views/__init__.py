"""The blueprint: access guard, CSRF for every mutation, security headers, one module per screen."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_wtf.csrf import CSRFError, ValidationError, generate_csrf, validate_csrf

from .. import i18n, paths
from ..amazon.oauth import ensure_session_binding
from ..extension import state
from ..htmx import is_htmx, vary_on_htmx
from ..i18n import _
from .banners import banner

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def create_blueprint() -> Blueprint:
    bp = Blueprint(
        "asc", __name__, template_folder=paths.TEMPLATES, static_folder=paths.STATIC,
        static_url_path="/static",
    )

    @bp.before_request
    def guard():
        host = state().host
        if not host.can_access():
            return host.unauthorized()
        ensure_session_binding()
        if request.method not in SAFE_METHODS:
            token = request.form.get("csrf_token") or request.headers.get("X-CSRFToken")
            try:
                validate_csrf(token)
            except ValidationError:
                return _csrf_refused()
        return None

    @bp.after_request
    def headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return vary_on_htmx(response)

    @bp.context_processor
    def plugin_context():
        gettext, ngettext = i18n.bound()
        format_day, format_when = i18n.date_formatters()
        return {
            "asc_host_base": state().host.base_template,
            "asc_platform": current_app.config["ASC_PLATFORM_NAME"],
            # Hosts without CSRFProtect have no csrf_token() global: the plugin brings its own.
            "csrf_token": generate_csrf,
            # The plugin's own catalog, falling back to the host's for the host's templates.
            "_": gettext, "gettext": gettext, "ngettext": ngettext,
            "asc_datetime": format_when, "asc_date": format_day, "asc_lang": html_lang(),
        }

    @bp.errorhandler(404)
    def not_found(_error):
        return render_template("asc/error.html", title=_("Not found"),
                               message=_("This store does not exist (any more).")), 404

    @bp.errorhandler(CSRFError)
    def csrf_error(_error):
        return _csrf_refused()

    from . import connect, home, stores

    home.register(bp)
    stores.register(bp)
    connect.register(bp)
    return bp


def _csrf_refused():
    message = _("This form has expired or was not sent from this admin. "
                "Reload the page and try again.")
    if is_htmx():
        response = current_app.response_class("", status=400)
        response.headers["HX-Reswap"] = "none"
        return banner(response, "error", message)
    return render_template("asc/error.html", title=_("Please try again"), message=message), 400


def html_lang() -> str:
    from flask_babel import get_locale

    from ..i18n import catalog_for

    try:
        return "zh-Hant" if catalog_for(get_locale()) == "zh_Hant" else "en"
    except (KeyError, RuntimeError):
        return "en"
