"""Seller Central's screens: the consent flow (consent, sign-in, MFA, review, almost done,
cancel, the Login URI's callback), Manage Your Apps (re-authorize, remove) and sign-out.

Amazon checks an authorization request before it shows anything (MD1000, MD5101, MD4010,
MD9000, MD9100, MD9999), and routes consent either straight to the redirect URI or through the
app's Login URI; the sandbox's settings choose which (``POST /_sandbox/settings``).
"""

from __future__ import annotations

import secrets
import time
from urllib.parse import urlencode

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from werkzeug.datastructures import MultiDict

from .. import i18n
from ..i18n import N_, _
from ..safe_redirect import safe_next
from . import config as sandbox_config
from .data import Seller, find_seller, seller_by_id
from .guards import REGIONS, Answer, current_sandbox, region_or_404, same

bp = Blueprint("seller_central", __name__)

REGION_NAMES = {"na": N_("North America"), "eu": N_("Europe"), "fe": N_("Far East")}
MD_ERRORS = {
    "MD1000": N_("This app is in Draft and can only be authorized with version=beta in the "
              "authorization URL."),
    "MD5101": N_("The redirect_uri in the request is not one of the app's registered redirect "
              "URIs."),
    "MD4010": N_("You signed in to the Seller Central of a region where your seller account is not "
              "registered."),
    "MD9000": N_("The authorization request is not valid (unknown application id, or version=beta "
              "for an app that is published and has no Draft to authorize)."),
    "MD9100": N_("The authorization request is missing a required parameter."),
    "MD9999": N_("Something went wrong with this authorization request. Start again from the app."),
}


@bp.app_template_filter("sbdate")
def sbdate(epoch: float) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(epoch))


@bp.app_context_processor
def names() -> dict:
    return {"app_name": current_app.config["SANDBOX_APP_NAME"], "region_names": REGION_NAMES,
            "_": i18n.gettext, "gettext": i18n.gettext, "ngettext": i18n.ngettext,
            "sb_lang": i18n.html_lang()}


def _error(code: str, region: str | None = None, status: int = 400) -> Answer:
    return render_template("asc_sandbox/error.html", code=code, message=_(MD_ERRORS[code]),
                           region=region), status


def _signed_in_seller() -> Seller | None:
    return seller_by_id(session.get("seller_id", ""))


def _next() -> str | None:
    return safe_next(request.values.get("next"), "") or None


def _redirect_back(target: str, params: dict) -> Answer:
    separator = "&" if "?" in target else "?"
    return redirect(f"{target}{separator}{urlencode(params)}", 302)


def _registered(redirect_uri: str | None) -> bool:
    return not redirect_uri or redirect_uri in current_app.config["SANDBOX_REDIRECT_URIS"]


@bp.get("/<region>/apps/authorize/consent")
def consent(region: str) -> Answer:
    region_or_404(region)
    if request.args.get("application_id") != sandbox_config.APPLICATION_ID:
        return _error("MD9000", region)
    return _begin_review(region)


@bp.get("/<region>/apps/authorize/confirm")
@bp.get("/<region>/apps/authorize/confirm/<path:_rest>")
def confirm_from_app(region: str, _rest: str | None = None) -> Answer:
    """amazon_callback_uri of the Login URI: the app sends the seller back here."""
    region_or_404(region)
    pending = session.get("amazon_state") or {}
    if not pending.get("value") or not same(
            pending["value"], request.args.get("amazon_state", "")):
        return _error("MD9999", region)
    if not request.args.get("state"):
        return _error("MD9100", region)
    if pending.get("consented"):  # consent came first; the code goes out now
        session.pop("amazon_state", None)
        redirect_uri = request.args.get("redirect_uri") or pending["consented"]["redirect_uri"]
        if not _registered(redirect_uri):
            return _error("MD5101", region)
        return _issue_code(seller_by_id(pending["consented"]["seller"]),
                           request.args["state"], redirect_uri)
    return _begin_review(region, consumes="amazon_state")


def _draft_problem(args: MultiDict[str, str]) -> str | None:
    published = current_app.config["SANDBOX_PUBLISHED"]
    if not published and args.get("version") != "beta":
        return "MD1000"
    if published and args.get("version") == "beta":
        return "MD9000"
    return None


def _begin_review(region: str, consumes: str | None = None) -> Answer:
    """Amazon's checks on an authorization request, then on to the consent screens."""
    args = request.args
    if not args.get("state"):
        return _error("MD9100", region)
    problem = _draft_problem(args)
    if problem:
        return _error(problem, region)
    redirect_uri = args.get("redirect_uri")
    if not _registered(redirect_uri):
        return _error("MD5101", region)
    if consumes:
        session.pop(consumes, None)
    session["pending"] = {"state": args["state"], "redirect_uri": redirect_uri,
                          "region": region, "via_login_uri": bool(consumes)}
    return redirect(url_for(".review", region=region))


@bp.route("/<region>/signin", methods=["GET", "POST"])
def signin(region: str) -> Answer:
    region_or_404(region)
    error = None
    if request.method == "POST":
        seller = find_seller(request.form.get("login", ""))
        if seller is None:
            error = _("We cannot find an account with that email address or mobile "
                      "number.")
        elif not same(request.form.get("password", ""), seller.password):
            error = _("Your password is incorrect.")
        elif REGIONS[region] != seller.region:
            return _error("MD4010", region, 403)
        else:
            session.pop("seller_id", None)
            if seller.otp:
                session["mfa_seller"] = seller.selling_partner_id
                return redirect(url_for(".mfa", region=region, next=_next()))
            session["seller_id"] = seller.selling_partner_id
            return redirect(_next() or url_for(".manage", region=region))
    return render_template("asc_sandbox/signin.html", region=region, error=error,
                           next=_next()), (401 if error else 200)


@bp.route("/<region>/signin/mfa", methods=["GET", "POST"])
def mfa(region: str) -> Answer:
    region_or_404(region)
    seller = seller_by_id(session.get("mfa_seller", ""))
    if seller is None:
        return redirect(url_for(".signin", region=region))
    error = None
    if request.method == "POST":
        if same(request.form.get("otp", "").strip(), seller.otp or ""):
            session.pop("mfa_seller", None)
            session["seller_id"] = seller.selling_partner_id
            return redirect(_next() or url_for(".manage", region=region))
        error = _("The One Time Password (OTP) you entered is not valid. Please try "
                  "again.")
    return render_template("asc_sandbox/mfa.html", region=region, error=error, seller=seller,
                           next=_next()), (401 if error else 200)


@bp.route("/<region>/apps/authorize/review", methods=["GET", "POST"])
def review(region: str) -> Answer:
    region_or_404(region)
    pending = session.get("pending")
    if not pending or pending["region"] != region:
        return _error("MD9999", region)
    seller = _signed_in_seller()
    if seller is None:
        return redirect(url_for(".signin", region=region, next=request.path))
    if seller.region != REGIONS[region]:
        return _error("MD4010", region, 403)
    error = None
    if request.method == "POST":
        if request.form.get("understand") == "yes":
            return redirect(url_for(".almost_done", region=region), 303)
        error = _("Tick the box to confirm you understand, or cancel.")
    return render_template("asc_sandbox/consent.html", region=region, seller=seller,
                           error=error)


@bp.route("/<region>/apps/authorize/almost-done", methods=["GET", "POST"])
def almost_done(region: str) -> Answer:
    region_or_404(region)
    pending = session.get("pending")
    seller = _signed_in_seller()
    if not pending or seller is None:
        return _error("MD9999", region)
    if request.method == "POST":
        session.pop("pending", None)
        login_uri = current_app.config["SANDBOX_LOGIN_URI"]
        if (current_sandbox().settings.routing == "login_uri" and login_uri
                and not pending.get("via_login_uri")):
            return _through_login_uri(region, seller, pending, login_uri)
        return _issue_code(seller, pending["state"], pending["redirect_uri"])
    return render_template("asc_sandbox/almost_done.html", region=region, seller=seller)


def _through_login_uri(region: str, seller: Seller, pending: dict, login_uri: str) -> Answer:
    """Amazon's other routing: Seller Central loads the app's Login URI after consent."""
    value = secrets.token_urlsafe(24)
    session["amazon_state"] = {"value": value, "consented": {
        "seller": seller.selling_partner_id, "redirect_uri": pending["redirect_uri"]}}
    return redirect(f"{login_uri}?{urlencode(_login_uri_params(region, seller, value))}", 302)


def _login_uri_params(region: str, seller: Seller, value: str) -> dict:
    confirm = url_for(".confirm_from_app", region=region)
    if not current_sandbox().settings.relative_callback:
        confirm = url_for(".confirm_from_app", region=region, _external=True)
    else:  # integrators report Seller Central sending the path alone
        confirm = confirm.removeprefix(f"/{region}")
    params = {"amazon_callback_uri": confirm, "amazon_state": value,
              "selling_partner_id": seller.selling_partner_id}
    if not current_app.config["SANDBOX_PUBLISHED"]:
        params["version"] = "beta"
    return params


def _issue_code(seller: Seller | None, oauth_state: str, redirect_uri: str | None) -> Answer:
    if seller is None:  # the seller's record is gone: start again
        return _error("MD9999")
    target = redirect_uri or current_app.config["SANDBOX_REDIRECT_URIS"][0]
    code = current_sandbox().issue_code(seller=seller, redirect_uri=redirect_uri)
    return _redirect_back(target, {"state": oauth_state,
                                   "selling_partner_id": seller.selling_partner_id,
                                   "spapi_oauth_code": code})


@bp.post("/<region>/apps/authorize/cancel")
def cancel(region: str) -> Answer:
    region_or_404(region)
    pending = session.pop("pending", None)
    if not pending:
        return _error("MD9999", region)
    target = pending["redirect_uri"] or current_app.config["SANDBOX_REDIRECT_URIS"][0]
    return _redirect_back(target, {"state": pending["state"], "error": "access_denied",
                                   "error_description": "The seller cancelled the "
                                                        "authorization."})


@bp.get("/<region>/apps/manage")
def manage(region: str) -> Answer:
    region_or_404(region)
    seller = _signed_in_seller()
    if seller is None:
        return redirect(url_for(".signin", region=region, next=request.path))
    auths = [a for a in current_sandbox().authorizations
             if a.seller_id == seller.selling_partner_id and not a.revoked]
    first = min((a.authorized_at for a in auths), default=None)
    return render_template("asc_sandbox/manage.html", region=region, seller=seller,
                           authorized=bool(auths), authorized_at=first,
                           login_uri=current_app.config["SANDBOX_LOGIN_URI"])


@bp.post("/<region>/apps/manage/reauthorize")
def reauthorize(region: str) -> Answer:
    region_or_404(region)
    seller = _signed_in_seller()
    login_uri = current_app.config["SANDBOX_LOGIN_URI"]
    if seller is None or not login_uri:
        return _error("MD9999", region)
    value = secrets.token_urlsafe(24)
    session["amazon_state"] = {"value": value}
    return redirect(f"{login_uri}?{urlencode(_login_uri_params(region, seller, value))}", 303)


@bp.post("/<region>/apps/manage/remove")
def remove(region: str) -> Answer:
    region_or_404(region)
    seller = _signed_in_seller()
    if seller is None:
        return redirect(url_for(".signin", region=region))
    current_sandbox().revoke(seller.selling_partner_id)
    return redirect(url_for(".manage", region=region, removed=1), 303)


@bp.post("/<region>/signout")
def signout(region: str) -> Answer:
    session.clear()
    return redirect(url_for(".signin", region=region_or_404(region)), 303)
