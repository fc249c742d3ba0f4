"""Test support for hosts: the sandbox on a free port, and a connect flow in a few lines.

Installing asc_plugin registers this module as a pytest plugin (entry point ``pytest11``), so a
host's own test suite gets these fixtures without importing anything:

``asc_sandbox`` (session)
    A :class:`SandboxServer`: the local Seller Central, Login with Amazon and SP-API, served on
    127.0.0.1 in a thread for the whole session.
``asc_sandbox_config``
    The sandbox reset to its defaults, and the ``ASC_*`` settings that point an app at it, with
    the Flask test client's callback (``http://localhost/admin/amazon/connect/callback``)
    registered; :func:`connect_store` registers the app's own redirect URI too (its
    ``ASC_AMAZON_REDIRECT_URI``, or the test client's under its ``ASC_URL_PREFIX``).
    Build your app with them::

        @pytest.fixture
        def app(asc_sandbox_config):
            return create_app({"TESTING": True, **asc_sandbox_config})

        def test_merchant_connects(app, admin_client):
            store_id = ...  # add a store through your admin, or with the plugin's form
            response = connect_store(admin_client, store_id)
            assert response.status_code == 303

:func:`add_store` adds a store through the plugin's form; :func:`connect_store` walks the
whole flow with a Flask test client: Connect store, the seller
at the sandbox's Seller Central (sign in, 2FA, "I understand", Continue), Amazon's redirect
back. :class:`SandboxSeller` drives the sandbox's screens over real HTTP on its own. The
helpers find the plugin at the app's ``ASC_URL_PREFIX`` (or ``prefix=``)::

    store_id = add_store(client, name="Shop Canada", website_id="2", marketplace="CA",
                         id_type="EAN", attribute="ean")
    connect_store(client, store_id)
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from html import unescape
from typing import Any, cast
from urllib.parse import urljoin, urlsplit

import pytest
import requests
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server
from werkzeug.test import TestResponse

from .jobs import run_match_job, run_offer_job
from .models import JobStatus, MatchJob, OfferJob, Store
from .sandbox import create_sandbox_app, sandbox_config_for
from .sandbox.data import SandboxState
from .state import plugin_state

__all__ = [
    "SandboxSeller",
    "SandboxServer",
    "add_store",
    "asc_sandbox",
    "asc_sandbox_config",
    "connect_store",
    "plugin_csrf",
    "run_match_jobs",
    "run_offer_jobs",
]

DEFAULT_PREFIX = "/admin/amazon"
#: A JSON object as the sandbox's test endpoints answer it.
JSONObject = dict[str, Any]
#: A value the sandbox's switches take (sent as JSON).
JSONValue = str | int | float | bool | None | Sequence["JSONValue"] | Mapping[str, "JSONValue"]


class SandboxServer:
    """The sandbox served on 127.0.0.1 in a thread, with the switches tests flip."""

    #: Sandboxes running in this process, so :func:`connect_store` can register an app's own
    #: redirect URI on the one its settings point at.
    running: list[SandboxServer] = []

    def __init__(self, **options: Any) -> None:
        """``options`` go to :func:`~asc_plugin.sandbox.create_sandbox_app` (``login_uri``,
        ``published``, ``app_name``, …)."""
        self.app = create_sandbox_app(redirect_uris=[], **options)
        self.app.testing = True
        self._catalog_names = self.app.config["SANDBOX_CATALOG_NAMES"]
        self._server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        SandboxServer.running.append(self)

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(5)
        if self in SandboxServer.running:
            SandboxServer.running.remove(self)

    @property
    def state(self) -> SandboxState:
        found = self.app.extensions["asc_sandbox"]
        assert isinstance(found, SandboxState)
        return found

    def config(self, *, draft: bool = True) -> dict[str, object]:
        """ASC_* settings pointing an app at this sandbox."""
        return sandbox_config_for(self.url, draft=draft)

    def register(self, base_url: str, prefix: str = DEFAULT_PREFIX, *,
                 login_uri: bool = True) -> str:
        """Register an admin served at base_url (its plugin under ``prefix``) as the SP-API
        app's redirect (and Login) URI; returns the redirect URI."""
        return self.register_redirect_uri(
            f"{base_url.rstrip('/')}{prefix.rstrip('/')}/connect/callback", login_uri=login_uri)

    def register_redirect_uri(self, callback: str, *, login_uri: bool = True) -> str:
        """Register this exact redirect URI (…/connect/callback) and, beside it, the Login URI
        (…/connect/login)."""
        uris = self.app.config["SANDBOX_REDIRECT_URIS"]
        if callback not in uris:
            uris.insert(0, callback)
        if login_uri and callback.endswith("/callback"):
            self.app.config["SANDBOX_LOGIN_URI"] = callback[: -len("/callback")] + "/login"
        return callback

    def reset(self) -> None:
        """Forget every code, token, authorization, rate bucket, request and fault countdown;
        defaults for every switch (a test starts from the sandbox as it was made)."""
        self.state.reset()
        self.app.config.update(SANDBOX_REDIRECT_URIS=[], SANDBOX_LOGIN_URI=None,
                               SANDBOX_PUBLISHED=False,
                               SANDBOX_CATALOG_NAMES=self._catalog_names)

    def faults(self, **faults: JSONValue) -> None:
        """Arm the sandbox's faults:
        ``token="500"|"badjson"|"norefresh"|"invalid_client"|"unauthorized_client"``,
        ``sellers="403"|"403_role"|"429"|"500"|"badjson"``,
        ``catalog="403"|"403_role"|"429"|"429_empty"|"500"|"503"|"badjson"|"slow"`` (a timeout)
        or ``"odd"`` (odd data) (for ``catalog_times`` requests, when given),
        ``delay=seconds``."""
        _post(f"{self.url}/_sandbox/faults", faults)

    def settings(self, **settings: JSONValue) -> None:
        """routing="direct"|"login_uri", relative_callback=bool, roles=[...],
        catalog_rate=requests per second (searchCatalogItems; Amazon's: 2), catalog_burst
        (Amazon's: 2), rate_header=bool, refused_identifiers=[...] (searchCatalogItems
        answers 400 InvalidInput to any request holding one)."""
        _post(f"{self.url}/_sandbox/settings", settings)

    def catalog_requests(self) -> list[JSONObject]:
        """Every searchCatalogItems request so far: at (monotonic seconds), seller,
        identifiers, type, status."""
        return cast(list[JSONObject], _get(f"{self.url}/_sandbox/catalog/requests")["requests"])

    def place_order(self, sku: str, quantity: int = 1, **options: JSONValue) -> list[str]:
        """Place an Amazon order for a SKU (seller_id, marketplace_id, count, pending_minutes);
        returns the order ids."""
        response = requests.post(f"{self.url}/_sandbox/orders",
                                 json={"sku": sku, "quantity": quantity, **options}, timeout=30)
        response.raise_for_status()
        return cast(list[str], response.json()["order_ids"])

    def cancel_order(self, order_id: str) -> None:
        _post(f"{self.url}/_sandbox/orders/{order_id}/cancel", {})

    def order_settings(self, **settings: JSONValue) -> None:
        """interval (seconds between generated orders; 0: none), lookback, search_rate,
        search_burst, get_rate, get_burst."""
        _post(f"{self.url}/_sandbox/orders/settings", settings)

    def order_faults(self, fault: str | None = None, *, times: int | None = None,
                     operation: str | None = None) -> None:
        """fault="403"|"403_role"|"429"|"429_empty"|"500"|"503"|"badjson"|"slow", for
        ``times`` requests (else until changed), of operation "search" or "get" (else both)."""
        _post(f"{self.url}/_sandbox/orders/faults",
              {"fault": fault, "times": times, "operation": operation})

    def order_requests(self) -> list[JSONObject]:
        """Every Orders API request so far: operation, at (monotonic), params, status."""
        return cast(list[JSONObject], _get(f"{self.url}/_sandbox/orders/requests")["requests"])

    def move_clock(self, *, days: float) -> None:
        _post(f"{self.url}/_sandbox/clock", {"days": days})

    def authorizations(self) -> JSONObject:
        return _get(f"{self.url}/_sandbox/authorizations")

    def seller(self, login: str = "seller@example.com", password: str = "sandbox",
               otp: str | None = "123456") -> SandboxSeller:
        return SandboxSeller(login, password, otp)


def _post(url: str, data: Mapping[str, JSONValue]) -> None:
    response = requests.post(url, json=data, timeout=10)
    response.raise_for_status()


def _get(url: str) -> JSONObject:
    answer = requests.get(url, timeout=10).json()
    if not isinstance(answer, dict):
        raise AssertionError(f"the sandbox answered {url} with no JSON object")
    return answer


class SandboxSeller:
    """A seller at the sandbox's Seller Central, driven over real HTTP with requests."""

    def __init__(self, login: str = "seller@example.com", password: str = "sandbox",
                 otp: str | None = "123456", http: requests.Session | None = None):
        self.login, self.password, self.otp = login, password, otp
        self.http = http or requests.Session()

    def _post(self, url: str, data: dict[str, str]) -> requests.Response:
        return self.http.post(url, data=data, allow_redirects=False, timeout=10)

    def open(self, url: str) -> requests.Response:
        return self.http.get(url, timeout=10)

    def sign_in_at(self, page: requests.Response) -> requests.Response:
        """Fill the sign-in (and 2FA) forms; returns the page signing in leads to."""
        if "Sign in" not in page.text:
            raise AssertionError(f"not a sign-in page: {page.text[:300]}")
        response = self._post(page.url, {"csrf_token": _csrf(page.text), "login": self.login,
                                         "password": self.password, **_next_field(page.text)})
        if response.status_code != 302:
            return response
        page = self.open(urljoin(page.url, response.headers["Location"]))
        if "Two-Step Verification" in page.text:
            response = self._post(page.url, {"csrf_token": _csrf(page.text), "otp": self.otp or "",
                                             **_next_field(page.text)})
            if response.status_code != 302:
                raise AssertionError(f"2FA refused: {response.text[:300]}")
            page = self.open(urljoin(page.url, response.headers["Location"]))
        return page

    def authorize(self, consent_url: str, *, cancel: bool = False) -> str:
        """Walk the consent screens; return where Amazon sends the browser next (the app's
        redirect URI with the code, or its Login URI when Amazon routes through it)."""
        page = self.open(consent_url)
        if "Sign in" in page.text and "I understand" not in page.text:
            page = self.sign_in_at(page)
        if "I understand" not in page.text:
            raise AssertionError(f"no consent page: {page.text[:500]}")
        if cancel:
            action = re.search(r'formaction="([^"]+)"', page.text)
            if not action:
                raise AssertionError(f"no Cancel button: {page.text[:500]}")
            url = urljoin(page.url, action.group(1))
            return self._post(url, {"csrf_token": _csrf(page.text)}).headers["Location"]
        response = self._post(page.url, {"csrf_token": _csrf(page.text), "understand": "yes"})
        page = self.open(urljoin(page.url, response.headers["Location"]))
        if "You are almost done" not in page.text:
            raise AssertionError(f"no 'almost done' page: {page.text[:500]}")
        response = self._post(page.url, {"csrf_token": _csrf(page.text)})
        if response.status_code != 302:
            raise AssertionError(f"Continue refused: {response.text[:500]}")
        return response.headers["Location"]

    def confirm(self, amazon_callback_url: str) -> str:
        """Seller Central's side of amazon_callback_uri: after a consent routed through the
        Login URI, Amazon answers with the redirect to the app's redirect URI."""
        response = self.http.get(amazon_callback_url, allow_redirects=False, timeout=10)
        if response.status_code not in (302, 303):
            raise AssertionError(f"Seller Central refused the return: {response.text[:500]}")
        return response.headers["Location"]


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    if not match:
        raise AssertionError("no CSRF token on the sandbox page")
    return match.group(1)


def _next_field(html: str) -> dict[str, str]:
    match = re.search(r'name="next" value="([^"]*)"', html)
    return {"next": unescape(match.group(1))} if match else {}


def app_prefix(client: FlaskClient) -> str:
    """Where the plugin is mounted in the client's app (its ASC_URL_PREFIX)."""
    return str(client.application.config.get("ASC_URL_PREFIX", DEFAULT_PREFIX)).rstrip("/")


def redirect_uri_of(app: Flask) -> str:
    """The redirect URI the app sends Amazon: its ASC_AMAZON_REDIRECT_URI, else what it builds
    in testing for the Flask test client (http://localhost, or SERVER_NAME)."""
    configured = app.config.get("ASC_AMAZON_REDIRECT_URI")
    if configured:
        return str(configured)
    server = app.config.get("SERVER_NAME") or "localhost"
    scheme = app.config.get("PREFERRED_URL_SCHEME", "http") if app.config.get(
        "SERVER_NAME") else "http"
    prefix = app.config.get("ASC_URL_PREFIX", DEFAULT_PREFIX).rstrip("/")
    return f"{scheme}://{server}{prefix}/connect/callback"


def _sandbox_of(app: Flask) -> SandboxServer | None:
    token_url = str(app.config.get("ASC_AMAZON_TOKEN_URL") or "")
    for server in SandboxServer.running:
        if token_url.startswith(server.url + "/"):
            return server
    return None


def plugin_csrf(client: FlaskClient, prefix: str | None = None) -> tuple[str, str]:
    """(header name, token) the plugin's pages send with htmx, read from its home page.
    ``prefix``: where the plugin is mounted; by default the app's ASC_URL_PREFIX."""
    prefix = app_prefix(client) if prefix is None else prefix.rstrip("/")
    page = client.get(f"{prefix}/")
    match = re.search(r"hx-headers='([^']+)'", page.get_data(as_text=True))
    if not match:
        raise AssertionError(f"the plugin's home page did not render: {page.status_code}")
    ((header, token),) = json.loads(unescape(match.group(1))).items()
    return header, token


def run_match_jobs(app: Flask) -> list[str]:
    """Run every match job under way to its end, here (no worker needed); their outcomes.

    Start jobs as an admin would (POST the store's "Match with Amazon catalog"), then call
    this; each job runs in an app context of its own, as on a worker.
    """
    with app.app_context():
        ids = plugin_state().session.scalars(sa.select(MatchJob.id).where(
            MatchJob.status.in_((JobStatus.QUEUED, JobStatus.RUNNING)))
            .order_by(MatchJob.id)).all()
    outcomes = []
    for job_id in ids:
        with app.app_context():
            outcomes.append(run_match_job(job_id))
    return outcomes


def run_offer_jobs(app: Flask) -> list[str]:
    """Run every offers job under way (publish, dry run, status) to its end, here; as
    :func:`run_match_jobs`."""
    with app.app_context():
        ids = plugin_state().session.scalars(sa.select(OfferJob.id).where(
            OfferJob.status.in_((JobStatus.QUEUED, JobStatus.RUNNING)))
            .order_by(OfferJob.id)).all()
    outcomes = []
    for job_id in ids:
        with app.app_context():
            outcomes.append(run_offer_job(job_id))
    return outcomes


def local_path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def add_store(client: FlaskClient, *, name: str = "Amazon Store USA", website_id: str = "1",
              marketplace: str = "US", email: str = "owner@example.com", id_type: str = "UPC",
              attribute: str = "upc", prefix: str | None = None) -> int:
    """Add a store through the plugin's own form (as a merchant would); returns its id.

    ``website_id``: the id of one of your ``Host.websites()``; ``marketplace``: a country code
    of ASC_ENABLED_MARKETPLACES; ``id_type``: how products are matched on Amazon ("UPC",
    "EAN", "ISBN", "ASIN", "GCID", "SELLER_SKU"); ``attribute``: the code of one of your
    ``Host.product_attributes()`` holding that id; ``prefix``: where the plugin is mounted (by
    default the app's ASC_URL_PREFIX).
    """
    prefix = app_prefix(client) if prefix is None else prefix.rstrip("/")
    header, token = plugin_csrf(client, prefix)
    response = client.post(f"{prefix}/stores/new", headers={header: token}, data={
        "website_id": website_id, "contact_email": email, "name": name,
        "marketplace": marketplace, "amazon_id_type": id_type, "host_attribute": attribute})
    if response.status_code != 303:
        raise AssertionError(f"Add Amazon Store answered {response.status_code}: the form "
                             "refused the values (is the website or the attribute the host's?)")
    with client.application.app_context():
        return plugin_state().session.scalars(sa.select(Store.id).where(Store.name == name)).one()


def connect_store(client: FlaskClient, store_id: int, *, seller: SandboxSeller | None = None,
                  prefix: str | None = None) -> TestResponse:
    """Connect a store through the sandbox with a Flask test client (already signed in to the
    host's admin); returns the admin's response to Amazon's redirect back.

    The app's own redirect URI (its ASC_AMAZON_REDIRECT_URI, or the test client's) is
    registered on the sandbox its settings point at, so a host's base config and prefix work
    as they are. ``seller``: who signs in at Seller Central (default seller@example.com);
    ``prefix``: where the plugin is mounted (default: the app's ASC_URL_PREFIX).
    """
    prefix = app_prefix(client) if prefix is None else prefix.rstrip("/")
    server = _sandbox_of(client.application)
    if server is not None:
        server.register_redirect_uri(redirect_uri_of(client.application))
    header, token = plugin_csrf(client, prefix)
    started = client.post(f"{prefix}/stores/{store_id}/connect", headers={header: token})
    if started.status_code != 303:
        raise AssertionError(f"Connect store answered {started.status_code}")
    seller = seller or SandboxSeller()
    back = seller.authorize(started.headers["Location"])
    response = client.get(local_path(back))
    if urlsplit(back).path.endswith("/connect/login"):  # Amazon routed through the Login URI
        to_amazon = response.headers["Location"]
        response = client.get(local_path(seller.confirm(to_amazon)))
    return response


@pytest.fixture(scope="session")
def asc_sandbox() -> Iterator[SandboxServer]:
    """The sandbox served on 127.0.0.1 for the whole test session."""
    server = SandboxServer()
    yield server
    server.stop()


@pytest.fixture()
def asc_sandbox_config(asc_sandbox: SandboxServer) -> Iterator[dict[str, object]]:
    """The sandbox, reset, and the settings pointing an app (and its test client) at it."""
    asc_sandbox.reset()
    asc_sandbox.register("http://localhost")
    yield asc_sandbox.config()
    asc_sandbox.reset()
