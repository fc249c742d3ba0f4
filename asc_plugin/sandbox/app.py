"""The sandbox app: Seller Central screens, LWA token endpoint, Sellers API, test switches."""

from __future__ import annotations

import hmac
import secrets
import time
from urllib.parse import urlencode

from flask import Flask, abort, jsonify, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_wtf import CSRFProtect

from .. import i18n, paths
from ..i18n import N_, _
from . import config as sandbox_config
from .data import Authorization, Faults, SandboxState, find_seller, participations, seller_by_id

REGIONS = {"na": "NA", "eu": "EU", "fe": "FE"}
REGION_NAMES = {"na": N_("North America"), "eu": N_("Europe"), "fe": N_("Far East")}

MD_ERRORS = {
    "MD1000": N_("This app is in Draft and can only be authorized with version=beta in the "
              "authorization URL."),
    "MD5101": N_("The redirect_uri in the request is not one of the app's registered redirect "
              "URIs."),
    "MD4010": N_("You signed in to the Seller Central of a region where your seller account is not "
              "registered."),
    "MD9000": N_("The authorization request is not valid (unknown application id)."),
    "MD9100": N_("The authorization request is missing a required parameter."),
    "MD9999": N_("Something went wrong with this authorization request. Start again from the app."),
}


def create_sandbox_app(*, redirect_uris: list[str], login_uri: str | None = None,
                       published: bool = False, secret_key: str | None = None) -> Flask:
    app = Flask(__name__, template_folder=paths.TEMPLATES,
                static_folder=f"{paths.STATIC}/asc_sandbox")
    app.config.update(
        SECRET_KEY=secret_key or secrets.token_hex(32),
        SESSION_COOKIE_NAME="amazon_sandbox_session",
        SANDBOX_REDIRECT_URIS=list(redirect_uris),
        SANDBOX_LOGIN_URI=login_uri,
        SANDBOX_PUBLISHED=published,
    )
    csrf = CSRFProtect(app)
    i18n.init_app(app)
    state = SandboxState()
    app.extensions["asc_sandbox"] = state
    _seller_central(app)
    api = _apis(app, state)
    for view in api:
        csrf.exempt(view)
    return app


def _state() -> SandboxState:
    from flask import current_app

    return current_app.extensions["asc_sandbox"]


def _error(code: str, region: str | None = None, status: int = 400):
    return render_template("asc_sandbox/error.html", code=code, message=_(MD_ERRORS[code]),
                           region=region), status


def _region(region: str) -> str:
    if region not in REGIONS:
        abort(404)
    return region


def _signed_in_seller():
    return seller_by_id(session.get("seller_id", ""))


def _seller_central(app: Flask) -> None:
    @app.template_filter("sbdate")
    def sbdate(epoch):
        return time.strftime("%Y-%m-%d", time.gmtime(epoch))

    @app.context_processor
    def names():
        return {"app_name": sandbox_config.APP_NAME, "region_names": REGION_NAMES,
                "_": i18n.gettext, "gettext": i18n.gettext, "ngettext": i18n.ngettext,
                "sb_lang": "zh-Hant" if i18n.catalog_for(get_locale()) == "zh_Hant" else "en"}

    @app.get("/")
    def index():
        from .data import SELLERS

        return render_template("asc_sandbox/index.html", sellers=SELLERS)

    @app.get("/<region>/apps/authorize/consent")
    def consent(region):
        _region(region)
        if request.args.get("application_id") != sandbox_config.APPLICATION_ID:
            return _error("MD9000", region)
        return _begin_review(region)

    @app.get("/<region>/apps/authorize/confirm")
    def confirm_from_app(region):
        """amazon_callback_uri of the Login URI flow: the app sends the seller back here."""
        _region(region)
        pending = session.get("amazon_state")
        if not pending or not hmac.compare_digest(pending,
                                                  request.args.get("amazon_state", "")):
            return _error("MD9999", region)
        return _begin_review(region, consumes="amazon_state")

    def _begin_review(region, consumes=None):
        """Amazon's checks on an authorization request, then on to the consent screens."""
        args = request.args
        if not args.get("state"):
            return _error("MD9100", region)
        if not app.config["SANDBOX_PUBLISHED"] and args.get("version") != "beta":
            return _error("MD1000", region)
        redirect_uri = args.get("redirect_uri")
        if redirect_uri and redirect_uri not in app.config["SANDBOX_REDIRECT_URIS"]:
            return _error("MD5101", region)
        if consumes:
            session.pop(consumes, None)
        session["pending"] = {"state": args["state"], "redirect_uri": redirect_uri,
                              "region": region}
        return redirect(url_for("review", region=region))

    @app.route("/<region>/signin", methods=["GET", "POST"])
    def signin(region):
        _region(region)
        error = None
        if request.method == "POST":
            seller = find_seller(request.form.get("login", ""))
            if seller is None:
                error = _("We cannot find an account with that email address or mobile "
                          "number.")
            elif not hmac.compare_digest(request.form.get("password", ""), seller.password):
                error = _("Your password is incorrect.")
            elif REGIONS[region] != seller.region:
                return _error("MD4010", region, 403)
            else:
                session.pop("seller_id", None)
                if seller.otp:
                    session["mfa_seller"] = seller.selling_partner_id
                    return redirect(url_for("mfa", region=region, next=_next()))
                session["seller_id"] = seller.selling_partner_id
                return redirect(_next() or url_for("manage", region=region))
        return render_template("asc_sandbox/signin.html", region=region, error=error,
                               next=_next()), (401 if error else 200)

    @app.route("/<region>/signin/mfa", methods=["GET", "POST"])
    def mfa(region):
        _region(region)
        seller = seller_by_id(session.get("mfa_seller", ""))
        if seller is None:
            return redirect(url_for("signin", region=region))
        error = None
        if request.method == "POST":
            if hmac.compare_digest(request.form.get("otp", "").strip(), seller.otp or ""):
                session.pop("mfa_seller", None)
                session["seller_id"] = seller.selling_partner_id
                return redirect(_next() or url_for("manage", region=region))
            error = _("The One Time Password (OTP) you entered is not valid. Please try "
                      "again.")
        return render_template("asc_sandbox/mfa.html", region=region, error=error, seller=seller,
                               next=_next()), (401 if error else 200)

    @app.route("/<region>/apps/authorize/review", methods=["GET", "POST"])
    def review(region):
        _region(region)
        pending = session.get("pending")
        if not pending or pending["region"] != region:
            return _error("MD9999", region)
        seller = _signed_in_seller()
        if seller is None:
            return redirect(url_for("signin", region=region, next=request.path))
        if seller.region != REGIONS[region]:
            return _error("MD4010", region, 403)
        error = None
        if request.method == "POST":
            if request.form.get("understand") == "yes":
                return redirect(url_for("almost_done", region=region), 303)
            error = _("Tick the box to confirm you understand, or cancel.")
        return render_template("asc_sandbox/consent.html", region=region, seller=seller,
                               error=error)

    @app.route("/<region>/apps/authorize/almost-done", methods=["GET", "POST"])
    def almost_done(region):
        _region(region)
        pending = session.get("pending")
        seller = _signed_in_seller()
        if not pending or seller is None:
            return _error("MD9999", region)
        if request.method == "POST":
            session.pop("pending", None)
            redirect_uri = pending["redirect_uri"] or app.config["SANDBOX_REDIRECT_URIS"][0]
            code = _state().issue_code(seller=seller, redirect_uri=pending["redirect_uri"])
            query = urlencode({"state": pending["state"],
                               "selling_partner_id": seller.selling_partner_id,
                               "spapi_oauth_code": code})
            return redirect(f"{redirect_uri}?{query}", 302)
        return render_template("asc_sandbox/almost_done.html", region=region, seller=seller)

    @app.post("/<region>/apps/authorize/cancel")
    def cancel(region):
        _region(region)
        pending = session.pop("pending", None)
        if not pending:
            return _error("MD9999", region)
        redirect_uri = pending["redirect_uri"] or app.config["SANDBOX_REDIRECT_URIS"][0]
        query = urlencode({"state": pending["state"], "error": "access_denied",
                           "error_description": "The seller cancelled the authorization."})
        return redirect(f"{redirect_uri}?{query}", 302)

    @app.get("/<region>/apps/manage")
    def manage(region):
        _region(region)
        seller = _signed_in_seller()
        if seller is None:
            return redirect(url_for("signin", region=region, next=request.path))
        auths = [a for a in _state().authorizations
                 if a.seller_id == seller.selling_partner_id and not a.revoked]
        first = min((a.authorized_at for a in auths), default=None)
        return render_template("asc_sandbox/manage.html", region=region, seller=seller,
                               authorized=bool(auths), authorized_at=first,
                               login_uri=app.config["SANDBOX_LOGIN_URI"])

    @app.post("/<region>/apps/manage/reauthorize")
    def reauthorize(region):
        _region(region)
        seller = _signed_in_seller()
        login_uri = app.config["SANDBOX_LOGIN_URI"]
        if seller is None or not login_uri:
            return _error("MD9999", region)
        amazon_state = secrets.token_urlsafe(24)
        session["amazon_state"] = amazon_state
        params = {"amazon_callback_uri": url_for("confirm_from_app", region=region,
                                                 _external=True),
                  "amazon_state": amazon_state,
                  "selling_partner_id": seller.selling_partner_id}
        if not app.config["SANDBOX_PUBLISHED"]:
            params["version"] = "beta"
        return redirect(f"{login_uri}?{urlencode(params)}", 303)

    @app.post("/<region>/apps/manage/remove")
    def remove(region):
        _region(region)
        seller = _signed_in_seller()
        if seller is None:
            return redirect(url_for("signin", region=region))
        st = _state()
        with st.lock:
            for auth in st.authorizations:
                if auth.seller_id == seller.selling_partner_id:
                    auth.revoked = True
            for token in [t for t, v in st.access_tokens.items()
                          if v["seller_id"] == seller.selling_partner_id]:
                del st.access_tokens[token]
        return redirect(url_for("manage", region=region, removed=1), 303)

    @app.post("/<region>/signout")
    def signout(region):
        session.clear()
        return redirect(url_for("signin", region=_region(region)), 303)


def _next() -> str | None:
    target = request.values.get("next") or ""
    return target if target.startswith("/") and not target.startswith("//") else None


def _lwa_error(error: str, description: str, status: int = 400):
    return jsonify({"error": error, "error_description": description}), status


def _apis(app: Flask, state: SandboxState):
    """LWA and the Sellers API, plus the test switches. Returns views exempt from CSRF."""

    def apply_delay():
        if state.faults.delay:
            time.sleep(state.faults.delay)

    @app.post("/auth/o2/token")
    def token():
        state.token_requests += 1
        apply_delay()
        fault = state.faults.token
        if fault == "500":
            return "<html><body>Internal Server Error</body></html>", 500
        if fault == "badjson":
            return "<html><body>Service temporarily unavailable</body></html>", 200
        form = request.form
        if (form.get("client_id") != sandbox_config.CLIENT_ID or not hmac.compare_digest(
                form.get("client_secret", ""), sandbox_config.CLIENT_SECRET)
                or fault == "invalid_client"):
            return _lwa_error("invalid_client", "Client authentication failed", 401)
        grant = form.get("grant_type")
        if grant == "authorization_code":
            with state.lock:
                code = state.codes.get(form.get("code", ""))
                usable = code and not code["used"] and code["expires"] > state.now()
                if code:
                    code["used"] = True
            if not usable:
                return _lwa_error("invalid_grant",
                                  "The request has an invalid grant parameter : code")
            if code["redirect_uri"] and form.get("redirect_uri") != code["redirect_uri"]:
                return _lwa_error("invalid_grant", "redirect_uri does not match")
            auth = Authorization(code["seller_id"], code["region"],
                                 "Atzr|sb" + secrets.token_urlsafe(60), state.now())
            with state.lock:
                state.authorizations.append(auth)
        elif grant == "refresh_token":
            with state.lock:
                auth = next((a for a in state.authorizations
                             if a.refresh_token == form.get("refresh_token")), None)
            if auth is None or auth.revoked or state.now() - auth.authorized_at > 365 * 86400:
                return _lwa_error("invalid_grant", "The request has an invalid grant parameter : "
                                  "refresh_token. User may have revoked or didn't grant the "
                                  "permission.")
        elif not grant:
            return _lwa_error("invalid_request", "The request is missing grant_type")
        else:
            return _lwa_error("unsupported_grant_type", "Unsupported grant type")
        body = {"access_token": state.issue_access_token(auth), "token_type": "bearer",
                "expires_in": 3600}
        if fault != "norefresh":
            body["refresh_token"] = auth.refresh_token
        return jsonify(body)

    def sellers_guard(region):
        if region not in REGIONS:
            abort(404)
        apply_delay()
        fault = state.faults.sellers
        if fault in ("403", "429", "500"):
            codes = {"403": ("Unauthorized", "Access to requested resource is denied."),
                     "429": ("QuotaExceeded", "You exceeded your quota for the requested "
                                              "resource."),
                     "500": ("InternalFailure", "We encountered an internal error.")}
            code, message = codes[fault]
            return jsonify({"errors": [{"code": code, "message": message, "details": ""}]}), int(
                fault)
        if fault == "badjson":
            return "<html>oops</html>", 200
        if not request.headers.get("user-agent"):
            return _spapi_error(400, "InvalidInput", "Missing user-agent header.")
        token = request.headers.get("x-amz-access-token", "")
        with state.lock:
            info = state.access_tokens.get(token)
        if info is None:
            return _spapi_error(403, "Unauthorized", "Access to requested resource is denied.")
        if info["expires"] <= state.now():
            return _spapi_error(403, "Unauthorized", "The access token you provided has expired.")
        if info["region"] != REGIONS[region]:
            return _spapi_error(403, "Unauthorized", "Access to requested resource is denied.")
        if not state.take_rate(f"{info['seller_id']}:participations"):
            return _spapi_error(429, "QuotaExceeded",
                                "You exceeded your quota for the requested resource.")
        return seller_by_id(info["seller_id"])

    @app.get("/spapi/<region>/sellers/v1/marketplaceParticipations")
    def participations_view(region):
        result = sellers_guard(region)
        if not hasattr(result, "selling_partner_id"):
            return result
        return jsonify({"payload": participations(result, REGIONS[region])})

    @app.get("/spapi/<region>/sellers/v1/account")
    def account(region):
        result = sellers_guard(region)
        if not hasattr(result, "selling_partner_id"):
            return result
        return jsonify({"payload": {
            "marketplaceParticipationList": participations(result, REGIONS[region]),
            "businessType": "PRIVATE_LIMITED", "sellingPlan": result.selling_plan,
        }})

    @app.post("/_sandbox/faults")
    def faults():
        data = request.get_json(force=True, silent=True) or {}
        state.faults = Faults(token=data.get("token"), sellers=data.get("sellers"),
                              delay=float(data.get("delay", 0)))
        return jsonify({"ok": True})

    @app.post("/_sandbox/clock")
    def clock():
        data = request.get_json(force=True, silent=True) or {}
        state.clock_offset = float(data.get("offset", 0))
        return jsonify({"ok": True, "offset": state.clock_offset})

    @app.post("/_sandbox/reset")
    def reset():
        with state.lock:
            state.codes.clear()
            state.access_tokens.clear()
            state.authorizations.clear()
            state.rate.clear()
            state.faults = Faults()
            state.clock_offset = 0.0
            state.token_requests = 0
        return jsonify({"ok": True})

    @app.get("/_sandbox/authorizations")
    def authorizations():
        return jsonify({
            "authorizations": [a.__dict__ for a in state.authorizations],
            "token_requests": state.token_requests,
            "codes": list(state.codes),
        })

    return [token, participations_view, account, faults, clock, reset, authorizations]


def _spapi_error(status, code, message):
    return jsonify({"errors": [{"code": code, "message": message, "details": ""}]}), status
