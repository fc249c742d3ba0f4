"""The blueprint: access guard, CSRF for every mutation, limits, headers, one module per screen.

Everything here applies to the plugin's own routes only; the host's app keeps its own hooks.
"""

from __future__ import annotations

from flask import Blueprint, current_app, request
from flask_wtf.csrf import CSRFError
from markupsafe import Markup, escape
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from .. import clock, csrf, dates, i18n, paths
from ..htmx import client_redirect, is_boosted, is_htmx, refresh, reswap, vary_on_htmx
from ..i18n import _
from ..models import (
    ItemStatus,
    JobStatus,
    MatchPhase,
    OfferKind,
    OfferPending,
    OfferStatus,
    OrderStatus,
)
from ..services import activity_messages
from ..services.binding import ensure_session_binding
from ..state import plugin_state
from . import assets, connect, home, listing, markup, offers, orders, rules, stores, sync
from .banners import banner, split_category
from .connect import signed_out_arrival
from .layout import page
from .lookup import StoreNotFound

#: Which entry of the plugin's sub-navigation a page belongs to (the rest belong to the stores).
SECTIONS = {"asc.learning": "learning", "asc.attributes": "attributes",
            "asc.activity": "activity"}
#: The named states templates compare with (``item.status == ItemStatus.MATCHED``).
STATES = {state.__name__: state for state in (
    ItemStatus, JobStatus, MatchPhase, OfferKind, OfferPending, OfferStatus, OrderStatus)}


def create_blueprint() -> Blueprint:
    bp = Blueprint(
        "asc", __name__, template_folder=paths.TEMPLATES, static_folder=paths.STATIC,
        static_url_path="/static",
    )

    @bp.before_request
    def full_page_for_boosted_visits():
        """A host's boosted link (or boosted sign-in redirect) into a plugin page: htmx is told
        to navigate for real (HX-Redirect), so the page comes with its CSS and JS."""
        if is_boosted() and request.method in ("GET", "HEAD"):
            return client_redirect(current_app.response_class("", status=200),
                                   request.script_root + request.full_path.rstrip("?"))
        return None

    @bp.before_request
    def guard():
        host = plugin_state().host
        if not host.can_access():
            return signed_out_arrival() or _unauthorized(host)
        limit = current_app.config["ASC_MAX_REQUEST_BYTES"]
        if (request.content_length or 0) > limit:  # a host hook may have read the body already
            raise RequestEntityTooLarge()
        request.max_content_length = limit
        request.max_form_memory_size = limit
        ensure_session_binding()
        csrf.protection.protect()
        return None

    @bp.after_request
    def headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.endpoint not in ("asc.static", "asc.htmx"):
            # Pages carry CSRF tokens and OAuth states; an admin's pages are nobody's to keep.
            response.headers["Cache-Control"] = "no-store"
        return vary_on_htmx(response)

    @bp.context_processor
    def plugin_context():
        gettext, ngettext = i18n.bound()
        format_day, format_when = dates.formatters()
        catalog = i18n.domain.get_translations()

        def count(singular: str, plural: str, num: int, **values) -> Markup:
            """A counted phrase with its numbers in bold (the phrase comes from our catalog;
            other values are escaped text)."""
            def shown(value):
                return Markup("<strong>%s</strong>") % f"{value:,}" if isinstance(
                    value, int) else value

            return escape(catalog.ungettext(singular, plural, num)) % {
                "num": shown(num), **{key: shown(value) for key, value in values.items()}}

        space = i18n.sentence_space()
        now = int(clock.now().timestamp())
        return {
            "asc_count": count,
            "asc_badge": markup.badge_renderer(space),
            "asc_when": markup.when_renderer(format_day, format_when, dates.exact_utc),
            "asc_platform": current_app.config["ASC_PLATFORM_NAME"],
            "asc_gettext": gettext, "asc_ngettext": ngettext,
            "asc_csrf_token": csrf.token, "asc_csrf_field_name": csrf.field_name(),
            "asc_csrf_header": csrf.header_names()[0],
            "asc_date": format_day, "asc_datetime": format_when, "asc_utc": dates.exact_utc,
            "asc_lang": i18n.html_lang(),
            # Between two sentences or a label and its value: a space in English, none in
            # Chinese (whose full-width punctuation carries its own spacing).
            "asc_space": space,
            "asc_now": now,
            "asc_connect_button": markup.connect_button_renderer(csrf.field_name(), csrf.token,
                                                                 now),
            "asc_banner_category": split_category,
            "asc_section": SECTIONS.get(request.endpoint or "", "home"),
            "asc_activity": activity_messages,  # text(entry), actor(entry), details(entry)
            **STATES,
        }

    @bp.errorhandler(404)
    def not_found(error):
        message = (error.description if isinstance(error, StoreNotFound)
                   else _("This page does not exist in the Amazon Sales Channel."))
        return page("asc/error.html", title=_("Not found"), message=message), 404

    @bp.errorhandler(RequestEntityTooLarge)
    def too_large(_error):
        return _refused(413, _("Too much data"), _(
            "That was more than this form accepts. Shorten what you entered and try again."))

    @bp.errorhandler(CSRFError)
    def csrf_error(_error):
        return _csrf_refused()

    for screen in (assets, home, stores, connect, rules, listing, offers, orders, sync):
        screen.register(bp)
    return bp


def _unauthorized(host):
    """The host's answer for a visitor who may not enter; for htmx, a real navigation.

    An htmx request follows a redirect to the host's sign-in page inside the XHR and would swap
    that page into a fragment, so htmx gets ``HX-Refresh`` instead: the browser reloads the
    page, and the host's guard answers that full page as it sees fit.
    """
    if is_htmx():
        return refresh(current_app.response_class("", status=401))
    try:
        return current_app.make_response(host.unauthorized())
    except HTTPException as exc:
        return exc.get_response()


def _csrf_refused():
    return _refused(400, _("Please try again"), _(
        "This form has expired or was not sent from this admin. Reload the page and try again."))


def _refused(status: int, title: str, message: str):
    """A request the plugin will not serve: for htmx, a banner (the page stays as it is);
    otherwise an error page."""
    if is_htmx():
        return banner(reswap(current_app.response_class("", status=status), "none"), "error",
                      message)
    return page("asc/error.html", title=title, message=message), status
