"""The sandbox app: Seller Central screens, LWA token endpoint, Sellers API, test switches.

Where Amazon is documented or reported to behave in more than one way, the sandbox can show
each way (``POST /_sandbox/settings``): consent routed straight to the redirect URI or through
the app's Login URI; an absolute or a relative ``amazon_callback_uri``; the app's roles (the
Sellers API answers 403 without details when a role is missing); and faults on every API
(``POST /_sandbox/faults``). Its clock moves with ``POST /_sandbox/clock``.
"""

from __future__ import annotations

import hmac
import ipaddress
import re
import secrets
import time
import uuid
from urllib.parse import urlencode

from flask import Flask, abort, jsonify, redirect, render_template, request, session, url_for
from flask_wtf import CSRFProtect

from .. import i18n, paths
from ..i18n import N_, _
from ..params import parse_int
from ..safe_redirect import safe_next
from . import catalog, orders
from . import config as sandbox_config
from . import feeds as sandbox_feeds
from . import listings as sandbox_listings
from .data import (
    CATALOG_ROLE,
    REQUIRED_ROLE,
    Authorization,
    Faults,
    SandboxState,
    Settings,
    find_seller,
    participations,
    seller_by_id,
)

REGIONS = {"na": "NA", "eu": "EU", "fe": "FE"}
#: How long the "slow" catalog fault keeps a request waiting (longer than tests' timeouts).
SLOW_SECONDS = 1.0
REGION_NAMES = {"na": N_("North America"), "eu": N_("Europe"), "fe": N_("Far East")}
#: Amazon's documented user-agent: AppName/AppVersion (Language=…[; Platform=…]), ≤ 500 chars.
USER_AGENT = re.compile(r"[^/\s()]+/[^\s()]+ \(Language=[^;()]+(?:;\s*[^;()]+)*\)")

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


def create_sandbox_app(*, redirect_uris: list[str], login_uri: str | None = None,
                       published: bool = False, secret_key: str | None = None,
                       app_name: str = sandbox_config.APP_NAME,
                       catalog_names: catalog.Names | None = None) -> Flask:
    """A sandbox Seller Central for an SP-API app registered with these URIs.

    ``app_name`` is the app's name as the consent page and Manage Your Apps show it;
    ``catalog_names(identifiers_type, identifier)`` may name the catalog's items ((name, brand)
    or None), so matches read like the products they match.
    """
    app = Flask(__name__, template_folder=paths.TEMPLATES,
                static_folder=f"{paths.STATIC}/asc_sandbox")
    app.config.update(
        SECRET_KEY=secret_key or secrets.token_hex(32),
        SESSION_COOKIE_NAME="amazon_sandbox_session",
        SANDBOX_REDIRECT_URIS=list(redirect_uris),
        SANDBOX_LOGIN_URI=login_uri,
        SANDBOX_PUBLISHED=published,
        SANDBOX_APP_NAME=app_name,
        SANDBOX_CATALOG_NAMES=catalog_names,
    )
    csrf = CSRFProtect(app)
    state = SandboxState()
    app.extensions["asc_sandbox"] = state
    _seller_central(app, state)
    for view in _apis(app, state) + orders.register(app, state):
        csrf.exempt(view)
    sandbox_listings.register(app, state, csrf)
    sandbox_feeds.register(app, state, csrf)
    return app


def _same(given: str, expected: str) -> bool:
    """Constant-time comparison that takes any text ("²" included: compare_digest refuses
    non-ASCII str)."""
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"),
                               expected.encode("utf-8", "surrogatepass"))


def _error(code: str, region: str | None = None, status: int = 400):
    return render_template("asc_sandbox/error.html", code=code, message=_(MD_ERRORS[code]),
                           region=region), status


def _region(region: str) -> str:
    if region not in REGIONS:
        abort(404)
    return region


def _signed_in_seller():
    return seller_by_id(session.get("seller_id", ""))


def _next() -> str | None:
    return safe_next(request.values.get("next"), "") or None


def _redirect_back(target: str, params: dict):
    separator = "&" if "?" in target else "?"
    return redirect(f"{target}{separator}{urlencode(params)}", 302)


def _seller_central(app: Flask, state: SandboxState) -> None:
    @app.template_filter("sbdate")
    def sbdate(epoch):
        return time.strftime("%Y-%m-%d", time.gmtime(epoch))

    @app.context_processor
    def names():
        return {"app_name": app.config["SANDBOX_APP_NAME"], "region_names": REGION_NAMES,
                "_": i18n.gettext, "gettext": i18n.gettext, "ngettext": i18n.ngettext,
                "sb_lang": i18n.html_lang()}

    @app.get("/")
    def index():
        from .data import SELLERS

        return render_template("asc_sandbox/index.html", sellers=SELLERS,
                               settings=state.settings, clock_days=state.clock_offset / 86400)

    @app.get("/<region>/apps/authorize/consent")
    def consent(region):
        _region(region)
        if request.args.get("application_id") != sandbox_config.APPLICATION_ID:
            return _error("MD9000", region)
        return _begin_review(region)

    @app.get("/<region>/apps/authorize/confirm")
    @app.get("/<region>/apps/authorize/confirm/<path:_rest>")
    def confirm_from_app(region, _rest=None):
        """amazon_callback_uri of the Login URI: the app sends the seller back here."""
        _region(region)
        pending = session.get("amazon_state") or {}
        if not pending.get("value") or not _same(
                pending["value"], request.args.get("amazon_state", "")):
            return _error("MD9999", region)
        if not request.args.get("state"):
            return _error("MD9100", region)
        if pending.get("consented"):  # consent came first; the code goes out now
            session.pop("amazon_state", None)
            redirect_uri = request.args.get("redirect_uri") or pending["consented"]["redirect_uri"]
            if redirect_uri and redirect_uri not in app.config["SANDBOX_REDIRECT_URIS"]:
                return _error("MD5101", region)
            return _issue_code(seller_by_id(pending["consented"]["seller"]),
                               request.args["state"], redirect_uri)
        return _begin_review(region, consumes="amazon_state")

    def _draft_problem(args) -> str | None:
        published = app.config["SANDBOX_PUBLISHED"]
        if not published and args.get("version") != "beta":
            return "MD1000"
        if published and args.get("version") == "beta":
            return "MD9000"
        return None

    def _begin_review(region, consumes=None):
        """Amazon's checks on an authorization request, then on to the consent screens."""
        args = request.args
        if not args.get("state"):
            return _error("MD9100", region)
        problem = _draft_problem(args)
        if problem:
            return _error(problem, region)
        redirect_uri = args.get("redirect_uri")
        if redirect_uri and redirect_uri not in app.config["SANDBOX_REDIRECT_URIS"]:
            return _error("MD5101", region)
        if consumes:
            session.pop(consumes, None)
        session["pending"] = {"state": args["state"], "redirect_uri": redirect_uri,
                              "region": region, "via_login_uri": bool(consumes)}
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
            elif not _same(request.form.get("password", ""), seller.password):
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
            if _same(request.form.get("otp", "").strip(), seller.otp or ""):
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
            login_uri = app.config["SANDBOX_LOGIN_URI"]
            if (state.settings.routing == "login_uri" and login_uri
                    and not pending.get("via_login_uri")):
                return _through_login_uri(region, seller, pending, login_uri)
            return _issue_code(seller, pending["state"], pending["redirect_uri"])
        return render_template("asc_sandbox/almost_done.html", region=region, seller=seller)

    def _through_login_uri(region, seller, pending, login_uri):
        """Amazon's other routing: Seller Central loads the app's Login URI after consent."""
        value = secrets.token_urlsafe(24)
        session["amazon_state"] = {"value": value, "consented": {
            "seller": seller.selling_partner_id, "redirect_uri": pending["redirect_uri"]}}
        return redirect(f"{login_uri}?{urlencode(_login_uri_params(region, seller, value))}",
                        302)

    def _login_uri_params(region, seller, value) -> dict:
        confirm = url_for("confirm_from_app", region=region)
        if not state.settings.relative_callback:
            confirm = url_for("confirm_from_app", region=region, _external=True)
        else:  # integrators report Seller Central sending the path alone
            confirm = confirm.removeprefix(f"/{region}")
        params = {"amazon_callback_uri": confirm, "amazon_state": value,
                  "selling_partner_id": seller.selling_partner_id}
        if not app.config["SANDBOX_PUBLISHED"]:
            params["version"] = "beta"
        return params

    def _issue_code(seller, oauth_state, redirect_uri):
        target = redirect_uri or app.config["SANDBOX_REDIRECT_URIS"][0]
        code = state.issue_code(seller=seller, redirect_uri=redirect_uri)
        return _redirect_back(target, {"state": oauth_state,
                                       "selling_partner_id": seller.selling_partner_id,
                                       "spapi_oauth_code": code})

    @app.post("/<region>/apps/authorize/cancel")
    def cancel(region):
        _region(region)
        pending = session.pop("pending", None)
        if not pending:
            return _error("MD9999", region)
        target = pending["redirect_uri"] or app.config["SANDBOX_REDIRECT_URIS"][0]
        return _redirect_back(target, {"state": pending["state"], "error": "access_denied",
                                       "error_description": "The seller cancelled the "
                                                            "authorization."})

    @app.get("/<region>/apps/manage")
    def manage(region):
        _region(region)
        seller = _signed_in_seller()
        if seller is None:
            return redirect(url_for("signin", region=region, next=request.path))
        auths = [a for a in state.authorizations
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
        value = secrets.token_urlsafe(24)
        session["amazon_state"] = {"value": value}
        return redirect(f"{login_uri}?{urlencode(_login_uri_params(region, seller, value))}",
                        303)

    @app.post("/<region>/apps/manage/remove")
    def remove(region):
        _region(region)
        seller = _signed_in_seller()
        if seller is None:
            return redirect(url_for("signin", region=region))
        state.revoke(seller.selling_partner_id)
        return redirect(url_for("manage", region=region, removed=1), 303)

    @app.post("/<region>/signout")
    def signout(region):
        session.clear()
        return redirect(url_for("signin", region=_region(region)), 303)


def _lwa_error(error: str, description: str, status: int = 400):
    return jsonify({"error": error, "error_description": description}), status


def _spapi_error(status, code, message, details=""):
    return jsonify({"errors": [{"code": code, "message": message, "details": details}]}), status


def _from_loopback() -> bool:
    try:
        return ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False


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
        if (form.get("client_id") != sandbox_config.CLIENT_ID or not _same(
                form.get("client_secret", ""), sandbox_config.CLIENT_SECRET)
                or fault == "invalid_client"):
            return _lwa_error("invalid_client", "Client authentication failed", 401)
        if fault == "unauthorized_client":
            return _lwa_error("unauthorized_client", "Not authorized for requested operation")
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

    canned_faults = {
        "403": (403, "Unauthorized", "Access to requested resource is denied.",
                "The access token you provided is revoked, malformed or invalid."),
        "403_role": (403, "Unauthorized", "Access to requested resource is denied.", ""),
        "429": (429, "QuotaExceeded", "You exceeded your quota for the requested resource.", ""),
        "500": (500, "InternalFailure", "We encountered an internal error.", ""),
        "503": (503, "ServiceUnavailable", "Service temporarily unavailable.", ""),
    }

    def spapi_guard(region: str, fault: str | None, role: str):
        """Amazon's checks before an SP-API operation runs: the fault switch, the user-agent,
        the access token (known, unexpired, this region), the app's role. Returns the token's
        record, or the error response."""
        if region not in REGIONS:
            abort(404)
        apply_delay()
        if fault in canned_faults:
            return _spapi_error(*canned_faults[fault])
        if fault == "429_empty":  # some gateways answer throttling without Amazon's body
            return "", 429
        if fault == "badjson":
            return "<html>oops</html>", 200
        agent = request.headers.get("user-agent", "")
        if len(agent) > 500 or not USER_AGENT.fullmatch(agent):
            return _spapi_error(400, "InvalidInput",
                                "The user-agent header must read AppName/AppVersion "
                                "(Language=LanguageName) and have at most 500 characters.")
        token = request.headers.get("x-amz-access-token", "")
        with state.lock:
            info = state.access_tokens.get(token)
        if info is None or info["region"] != REGIONS[region]:
            return _spapi_error(403, "Unauthorized", "Access to requested resource is denied.",
                                "The access token you provided is revoked, malformed or "
                                "invalid.")
        if info["expires"] <= state.now():
            return _spapi_error(403, "Unauthorized", "Access to requested resource is denied.",
                                "The access token you provided has expired.")
        if role not in state.settings.roles:
            return _spapi_error(403, "Unauthorized", "Access to requested resource is denied.")
        return info

    app.extensions["asc_sandbox_guard"] = spapi_guard  # for sandbox/listings.py, feeds.py

    def sellers_guard(region):
        info = spapi_guard(region, state.faults.sellers, REQUIRED_ROLE)
        if not isinstance(info, dict):
            return info
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

    def catalog_fault() -> str | None:
        """The catalog fault for this request, counting down catalog_times when set."""
        with state.lock:
            faults = state.faults
            if faults.catalog and faults.catalog_times is not None:
                left = faults.catalog_times - 1
                state.faults = Faults(**{**faults.__dict__, "catalog_times": left,
                                         "catalog": faults.catalog if left > 0 else None})
            return faults.catalog

    @app.get("/spapi/<region>/catalog/2022-04-01/items")
    def search_catalog_items(region):
        """searchCatalogItems by identifiers, under Amazon's rate limit (per seller and app:
        2 requests/s, burst 2) with its 429 body, paged like Amazon's. Every answer carries an
        x-amzn-RequestId; x-amzn-RateLimit-Limit only where Amazon's model declares it (200,
        400 and 404: not on 403, 429 or 5xx)."""
        args = request.args
        asked = [v for v in args.get("identifiers", "").split(",") if v]
        record = {"at": time.monotonic(), "seller": None, "identifiers": asked,
                  "type": args.get("identifiersType"),
                  "params": {key: args.getlist(key) for key in args},
                  "headers": sorted(h.lower() for h in request.headers.keys()), "status": None,
                  "request_id": str(uuid.uuid4())}
        with state.lock:  # recorded as it arrives; its status once answered
            state.catalog_requests.append(record)
        fault = catalog_fault()
        if fault == "slow":  # an answer later than any client waits: a timeout
            time.sleep(SLOW_SECONDS)
        info = spapi_guard(region, fault, CATALOG_ROLE)
        if isinstance(info, dict):
            record["seller"] = info["seller_id"]
            rate = state.settings.catalog_rate
            if not state.take_rate(f"{info['seller_id']}:{info['region']}:catalog",
                                   burst=state.settings.catalog_burst, per_second=rate):
                info = _spapi_error(429, "QuotaExceeded",
                                    "You exceeded your quota for the requested resource.")
            else:
                info = search_answer(info, args, asked, odd=fault == "odd")
        response = app.make_response(info)
        response.headers["x-amzn-RequestId"] = record["request_id"]
        if state.settings.rate_header and response.status_code in (200, 400, 404):
            response.headers["x-amzn-RateLimit-Limit"] = str(state.settings.catalog_rate)
        record["status"] = response.status_code
        return response

    def search_answer(info: dict, args, asked: list[str], *, odd: bool = False):
        refused = catalog_refusal(info, args, asked)
        if refused is not None:
            return refused
        included = args.get("includedData", "summaries").split(",")
        query = "&".join(f"{k}={v}" for k, v in sorted(args.items(multi=True))
                         if k != "pageToken")
        try:
            body = catalog.search(
                args["marketplaceIds"], args["identifiersType"], asked, included,
                app.config["SANDBOX_CATALOG_NAMES"],
                page_size=int(args.get("pageSize", catalog.PAGE_SIZE)),
                page_token=args.get("pageToken"), query=query)
            return jsonify(catalog.odd(body, args["marketplaceIds"], args["identifiersType"],
                                       asked) if odd else body)
        except catalog.BadPageToken:
            return _spapi_error(400, "InvalidInput", "Invalid pageToken: it does not belong to "
                                "this query.")

    def catalog_refusal(info: dict, args, asked: list[str]):
        """Amazon's 400 InvalidInput for a bad identifiers search, or None."""
        marketplaces_asked = [v for v in args.get("marketplaceIds", "").split(",") if v]
        if not marketplaces_asked:
            return _spapi_error(400, "InvalidInput", "Missing required parameter: marketplaceIds.")
        if len(marketplaces_asked) > 1:
            return _spapi_error(400, "InvalidInput", "marketplaceIds: at most 1 value is allowed.")
        seller = seller_by_id(info["seller_id"])
        if marketplaces_asked[0] not in [p["marketplace"]["id"] for p in
                                         participations(seller, info["region"])]:
            return _spapi_error(400, "InvalidInput",
                                f"Invalid marketplaceIds: {marketplaces_asked[0][:20]}.")
        if asked and args.get("keywords"):
            return _spapi_error(400, "InvalidInput",
                                "identifiers and keywords cannot be used together.")
        if not asked:
            return _spapi_error(400, "InvalidInput",
                                "Either identifiers or keywords must be provided.")
        if len(asked) > 20:
            return _spapi_error(400, "InvalidInput",
                                "identifiers: at most 20 values are allowed.")
        kind = args.get("identifiersType")
        if kind not in catalog.IDENTIFIERS_TYPES:
            return _spapi_error(400, "InvalidInput", "identifiersType must be one of "
                                + ", ".join(catalog.IDENTIFIERS_TYPES) + ".")
        if kind == "SKU" and args.get("sellerId") != info["seller_id"]:
            return _spapi_error(400, "InvalidInput", "sellerId is required with "
                                "identifiersType SKU and must be the caller's.")
        included = args.get("includedData", "summaries").split(",")
        if any(value not in catalog.INCLUDED_DATA for value in included):
            return _spapi_error(400, "InvalidInput", "includedData has an unknown value.")
        if parse_int(args.get("pageSize", str(catalog.PAGE_SIZE)), min=1,
                     max=catalog.MAX_PAGE_SIZE) is None:
            return _spapi_error(400, "InvalidInput", "pageSize must be between 1 and 20.")
        refused = [v for v in asked if v in state.settings.refused_identifiers]
        if refused:  # Amazon refuses the whole request for one identifier it will not take
            return _spapi_error(400, "InvalidInput",
                                f"Invalid identifiers: {refused[0][:40]} is not a valid "
                                f"{kind} for this marketplace.")
        return None

    def _data() -> dict:
        data = request.get_json(force=True, silent=True)
        if isinstance(data, dict):
            return data
        return {k: v for k, v in request.form.items() if k != "csrf_token"}

    def _answer(payload: dict):
        """JSON for tests; a page back for the forms on the sandbox's index."""
        if request.form:
            return redirect(url_for("index"), 303)
        return jsonify({"ok": True, **payload})

    @app.post("/_sandbox/faults")
    def faults():
        data = _data()
        try:
            delay = min(float(data.get("delay") or 0), 30.0)
        except (TypeError, ValueError):
            delay = 0.0
        try:
            times = int(data["catalog_times"]) if data.get("catalog_times") else None
        except (TypeError, ValueError):
            times = None
        state.faults = Faults(token=data.get("token"), sellers=data.get("sellers"),
                              catalog=data.get("catalog"), catalog_times=times, delay=delay)
        return _answer({})

    @app.post("/_sandbox/settings")
    def settings():
        data = _data()
        current = state.settings
        roles = data.get("roles", current.roles)
        state.settings = Settings(
            routing="login_uri" if data.get("routing", current.routing) == "login_uri"
            else "direct",
            relative_callback=bool(data.get("relative_callback", current.relative_callback)),
            roles=tuple(roles) if isinstance(roles, (list, tuple)) else current.roles,
            catalog_rate=_rate(data.get("catalog_rate"), current.catalog_rate),
            catalog_burst=_rate(data.get("catalog_burst"), current.catalog_burst),
            rate_header=_flag(data.get("rate_header"), current.rate_header),
            refused_identifiers=_strings(data.get("refused_identifiers"),
                                         current.refused_identifiers))
        return _answer({"settings": state.settings.__dict__})

    @app.post("/_sandbox/clock")
    def clock():
        data = _data()
        try:
            if "days" in data:
                offset = float(data["days"]) * 86400
            else:
                offset = float(data.get("offset", 0))
        except (TypeError, ValueError):
            offset = 0.0
        state.clock_offset = max(-10 * 365 * 86400.0, min(offset, 10 * 365 * 86400.0))
        return _answer({"offset": state.clock_offset})

    @app.post("/_sandbox/reset")
    def reset():
        state.reset()
        return _answer({})

    @app.get("/_sandbox/authorizations")
    def authorizations():
        """Issued refresh tokens, for tests: only in testing, or from this machine."""
        if not (app.testing or _from_loopback()):
            abort(404)
        return jsonify({
            "authorizations": [a.__dict__ for a in state.authorizations],
            "token_requests": state.token_requests,
            "codes": list(state.codes),
        })

    @app.get("/_sandbox/catalog/requests")
    def catalog_requests():
        """Every searchCatalogItems request so far, for tests and the benchmark."""
        if not (app.testing or _from_loopback()):
            abort(404)
        with state.lock:
            return jsonify({"requests": list(state.catalog_requests)})

    return [token, participations_view, account, search_catalog_items, faults, settings, clock,
            reset, authorizations, catalog_requests]


def _rate(value, current: float) -> float:
    try:
        rate = float(value)
    except (TypeError, ValueError):
        return current
    return rate if 0.1 <= rate <= 100 else current


def _strings(value, current: tuple[str, ...]) -> tuple[str, ...]:
    if not isinstance(value, (list, tuple)):
        return current
    return tuple(str(v)[:100] for v in value[:1000])


def _flag(value, current: bool) -> bool:
    if value is None:
        return current
    return value not in (False, "0", "false", "off", "")
