"""The SP-API website authorization flow against the sandbox over real HTTP.

Amazon routes a connect two ways (straight to the redirect URI, or through the Login URI after
consent); the flows that matter run under both (``ROUTINGS``).
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from helpers import (
    HX,
    PREFIX,
    Seller,
    add_store,
    callback_path,
    connect,
    csrf_from,
    start_connect,
    store_named,
)

from asc_plugin import signals
from asc_plugin.models import (
    ActivityLog,
    ConnectAttempt,
    ConnectionState,
    Store,
    StoreStatus,
    utcnow,
)
from asc_plugin.sandbox import config as sandbox_config
from asc_plugin.services import activity_messages
from asc_plugin.state import plugin_state

ROUTINGS = ["direct", "login_uri"]


@pytest.fixture(params=ROUTINGS)
def routing(request, sandbox):
    sandbox.settings(routing=request.param)
    return request.param


def _flashes(client):
    with client.session_transaction() as session:
        return [m for _level, m in session.pop("_flashes", [])]


def _log(app, store_id):
    with app.app_context():
        return [(e.event, e.outcome, activity_messages.text(e))
                for e in plugin_state().session.query(ActivityLog).filter_by(
                    store_id=store_id).order_by(ActivityLog.id)]


def _snapshot(app, store_id):
    with app.app_context():
        s = plugin_state().session.get(Store, store_id)
        return {c.name: getattr(s, c.name) for c in Store.__table__.columns}


def _banner(response) -> str:
    """The banner texts an htmx response carries in HX-Trigger."""
    import json

    detail = json.loads(response.headers["HX-Trigger"])["asc:banner"]
    return " ".join(b["message"] for b in detail.get("banners", [detail]))


def _attempts(app):
    with app.app_context():
        return [(a.routing, a.outcome) for a in
                plugin_state().session.query(ConnectAttempt).order_by(ConnectAttempt.id)]


def _set(app, store_id, **values):
    with app.app_context():
        store = plugin_state().session.get(Store, store_id)
        for key, value in values.items():
            setattr(store, key, value)
        plugin_state().session.commit()


def test_consent_url_is_exactly_what_amazon_documents(app, admin, sandbox):
    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    url = start_connect(admin, store.id)
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        f"{sandbox.url}/na/apps/authorize/consent")
    query = parse_qs(parts.query)
    assert set(query) == {"application_id", "state", "redirect_uri", "version"}
    assert query["application_id"] == [sandbox_config.APPLICATION_ID]
    assert query["version"] == ["beta"]
    assert query["redirect_uri"] == ["http://localhost/admin/amazon/connect/callback"]
    assert len(query["state"][0]) >= 40
    with app.app_context():
        attempt = plugin_state().session.query(ConnectAttempt).one()
        assert query["state"][0] not in (attempt.state_hash, attempt.details or "")
    with admin.session_transaction() as session:
        assert not any(query["state"][0] in str(v) for v in session.values())


def test_published_app_omits_version_beta(make_app, sandbox):
    app = make_app(ASC_AMAZON_DRAFT_APP=False)
    admin = app.test_client()
    with admin.session_transaction() as s:
        s["admin"] = "admin"
    add_store(admin)
    url = start_connect(admin, store_named(app, "Amazon Store USA").id)
    assert "version" not in parse_qs(urlsplit(url).query)


def test_connect_end_to_end_under_both_routings(app, admin, sandbox, routing):
    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    received = []
    signals.store_connected.connect(lambda sender, **kw: received.append(kw), weak=False)
    response = connect(admin, store.id)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{PREFIX}/")
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert _flashes(admin) == [
        "“Amazon Store USA” is connected as Example Outfitters (A3FH4EXAMPLE)."]
    after = store_named(app, "Amazon Store USA")
    assert after.connection_state is ConnectionState.CONNECTED
    assert after.status is StoreStatus.ACTIVE
    assert after.seller_id == "A3FH4EXAMPLE"
    assert (after.authorization_expires_at - after.authorized_at).days == 365
    refresh_token = sandbox.authorizations()["authorizations"][0]["refresh_token"]
    with app.app_context():
        assert plugin_state().cipher.decrypt(after.refresh_token_encrypted) == refresh_token
        raw = plugin_state().db.engine.connect().exec_driver_sql(
            "SELECT refresh_token_encrypted FROM asc_store").scalar()
    assert "Atzr|" not in raw
    assert received and received[-1]["renewed"] is False
    page = admin.get(f"{PREFIX}/").text
    assert "365 days left" in page
    assert refresh_token not in page and "Atza|" not in page
    assert [e for e, _o, _m in _log(app, store.id)][-2:] == ["connect_started", "connected"]
    assert _attempts(app) == [(routing, "connected")]


def test_the_login_uri_mid_connect_continues_without_a_click(app, admin, sandbox):
    """Seller Central loads the Login URI after consent: the pending attempt goes straight on
    to amazon_callback_uri with a fresh state of its own, checked against the store's region."""
    sandbox.settings(routing="login_uri")
    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    consent = start_connect(admin, store.id)
    seller = Seller()
    login_uri = seller.authorize(consent)
    assert urlsplit(login_uri).path == f"{PREFIX}/connect/login"
    assert {"amazon_callback_uri", "amazon_state", "selling_partner_id", "version"} == set(
        parse_qs(urlsplit(login_uri).query))
    onward = admin.get(callback_path(login_uri))
    assert onward.status_code == 303  # no chooser, no extra click
    target = urlsplit(onward.headers["Location"])
    assert target.path == "/na/apps/authorize/confirm"
    query = parse_qs(target.query)
    assert set(query) == {"amazon_state", "state", "redirect_uri", "version"}
    assert query["state"] != parse_qs(urlsplit(consent).query)["state"]
    back = seller.confirm(onward.headers["Location"])
    admin.get(callback_path(back))
    assert store_named(app, "Amazon Store USA").connection_state is ConnectionState.CONNECTED


def test_a_relative_amazon_callback_uri_resolves_against_the_regions_seller_central(
        app, admin, sandbox):
    sandbox.settings(routing="login_uri", relative_callback=True)
    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    seller = Seller()
    login_uri = seller.authorize(start_connect(admin, store.id))
    assert parse_qs(urlsplit(login_uri).query)["amazon_callback_uri"] == [
        "/apps/authorize/confirm"]
    onward = admin.get(callback_path(login_uri))
    assert onward.headers["Location"].startswith(f"{sandbox.url}/na/apps/authorize/confirm?")
    admin.get(callback_path(seller.confirm(onward.headers["Location"])))
    assert store_named(app, "Amazon Store USA").is_connected


@pytest.mark.parametrize("callback_uri, reason", [
    ("https://evil.example.com/apps/authorize/confirm", "not an Amazon Seller Central"),
    ("http://sellercentral.amazon.com/apps/authorize/confirm", "not an Amazon Seller Central"),
    ("/somewhere/else", "not an Amazon Seller Central"),
    ("https://sellercentral.amazon.com/apps/authorize/confirm\r\nSet-Cookie: x=1", "malformed"),
    ("https://sellercentral.amazon.com/apps/authorize/confirm\n", "malformed"),
    ("//evil.example.com/apps/authorize/confirm", "not an Amazon Seller Central"),
])
def test_login_uri_refuses_what_is_not_seller_central(admin, callback_uri, reason):
    response = admin.get(f"{PREFIX}/connect/login", query_string={
        "amazon_callback_uri": callback_uri, "amazon_state": "x",
        "selling_partner_id": "A3FH4EXAMPLE"})
    assert response.status_code == 400
    assert reason in response.text
    assert "Location" not in response.headers


def test_login_uri_from_the_wrong_region_ends_the_attempt_and_the_card_says_so(
        app, admin, sandbox):
    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    start_connect(admin, store.id, new_tab=True)
    europe = f"{sandbox.url}/eu/apps/authorize/confirm"
    response = admin.get(f"{PREFIX}/connect/login", query_string={
        "amazon_callback_uri": europe, "amazon_state": "x", "selling_partner_id": "A3FH4EXAMPLE"})
    assert response.status_code == 400
    assert "does not serve United States (North America)" in response.text
    card = admin.get(f"{PREFIX}/stores/{store.id}/connect/status",
                     query_string={"attempt": "1"}, headers=HX)
    assert "does not serve United States" in _banner(card)
    assert _attempts(app)[-1][1] == "wrong_seller_central"


def test_a_second_marketplace_of_a_connected_seller_connects(app, admin, sandbox, routing):
    add_store(admin, name="US store")
    add_store(admin, name="Canada store", marketplace="CA", website="2")
    us, ca = store_named(app, "US store"), store_named(app, "Canada store")
    connect(admin, us.id)
    _flashes(admin)
    connect(admin, ca.id)
    flashes = _flashes(admin)
    assert flashes[0].startswith("“Canada store” is connected as Example Outfitters")
    assert "“US store”" in flashes[0]  # one authorization serves the seller's region
    us, ca = store_named(app, "US store"), store_named(app, "Canada store")
    assert ca.seller_id == us.seller_id == "A3FH4EXAMPLE"
    assert us.refresh_token_encrypted == ca.refresh_token_encrypted
    assert [outcome for _r, outcome in _attempts(app)] == ["connected", "connected"]


def test_seller_not_participating_in_the_marketplace_is_refused(app, admin):
    add_store(admin, name="Amazon Store Canada", marketplace="CA", website="2")
    store = store_named(app, "Amazon Store Canada")
    before = _snapshot(app, store.id)
    response = connect(admin, store.id, seller=Seller("us-only@example.com", otp=None))
    assert response.status_code == 303
    (message,) = _flashes(admin)
    assert message.startswith("“Amazon Store Canada” was not connected:")
    assert "does not sell in Canada" in message
    assert _snapshot(app, store.id) == before
    assert _log(app, store.id)[-1][:2] == ("connect_failed", "failure")


def test_wrong_region_seller_is_refused_at_seller_central(app, admin, sandbox):
    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    consent = start_connect(admin, store.id)
    seller = Seller("uk-seller@example.com")
    result = seller.sign_in_at(seller.open(consent))
    assert result.status_code == 403 and "MD4010" in result.text


def test_cancel_on_amazon_keeps_the_store(app, admin):
    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    before = _snapshot(app, store.id)
    back = Seller().authorize(start_connect(admin, store.id), cancel=True)
    assert "error=access_denied" in back
    admin.get(callback_path(back))
    assert "cancelled on Amazon" in _flashes(admin)[0]
    assert _snapshot(app, store.id) == before


@pytest.mark.parametrize("mutate, expected", [
    (lambda q: q.pop("state"), "did not say which connection"),
    (lambda q: q.update(state="forged-state-value"), "already used or was not started"),
    (lambda q: q.pop("spapi_oauth_code"), "missing the authorization code"),
    (lambda q: q.update(selling_partner_id="<script>"), "missing the authorization code"),
])
def test_bad_callback_parameters_change_nothing(app, admin, mutate, expected):
    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    before = _snapshot(app, store.id)
    back = Seller().authorize(start_connect(admin, store.id))
    query = {k: v[0] for k, v in parse_qs(urlsplit(back).query).items()}
    mutate(query)
    response = admin.get(f"{PREFIX}/connect/callback", query_string=query)
    assert response.status_code == 303
    assert expected in _flashes(admin)[0]
    assert _snapshot(app, store.id) == before


def test_reused_callback_is_refused(app, admin):
    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    back = Seller().authorize(start_connect(admin, store.id))
    admin.get(callback_path(back))
    _flashes(admin)
    admin.get(callback_path(back))
    assert "already used" in _flashes(admin)[0]


def test_state_from_another_browser_is_refused(app, admin):
    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    back = Seller().authorize(start_connect(admin, store.id))
    other = app.test_client()
    with other.session_transaction() as s:
        s["admin"] = "admin"
    other.get(callback_path(back))
    assert "another browser" in _flashes(other)[0]
    assert store_named(app, "Amazon Store USA").connection_state is ConnectionState.NOT_CONNECTED


def test_expired_attempt_is_refused(app, admin):
    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    back = Seller().authorize(start_connect(admin, store.id))
    with app.app_context():
        for row in plugin_state().session.query(ConnectAttempt):
            row.expires_at = utcnow() - timedelta(seconds=1)
        plugin_state().session.commit()
    admin.get(callback_path(back))
    assert "expired" in _flashes(admin)[0]


def test_expired_code_is_invalid_grant(app, admin, sandbox):
    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    back = Seller().authorize(start_connect(admin, store.id))
    requests.post(f"{sandbox.url}/_sandbox/clock", json={"offset": 301}, timeout=5)
    admin.get(callback_path(back))
    assert "expires after 5 minutes" in _flashes(admin)[0]
    assert store_named(app, "Amazon Store USA").refresh_token_encrypted is None


@pytest.mark.parametrize("fault, expected, audience", [
    ({"token": "invalid_client"}, "ASC_AMAZON_CLIENT_SECRET", "operator"),
    ({"token": "unauthorized_client"}, "ASC_AMAZON_CLIENT_ID", "operator"),
    ({"token": "500"}, "did not answer properly", "seller"),
    ({"token": "badjson"}, "did not answer properly", "seller"),
    ({"token": "norefresh"}, "sent no refresh token", "seller"),
    ({"sellers": "403"}, "access denied", "seller"),
    ({"sellers": "403_role"}, "lacks the role", "operator"),
    ({"sellers": "429"}, "rate-limiting", "seller"),
    ({"sellers": "500"}, "Sellers API did not answer", "seller"),
    ({"sellers": "badjson"}, "Sellers API did not answer", "seller"),
])
def test_amazon_faults_give_plain_banners_and_keep_the_store(app, admin, sandbox, fault,
                                                             expected, audience):
    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    before = _snapshot(app, store.id)
    failures = []
    signals.connection_failed.connect(lambda sender, **kw: failures.append(kw), weak=False)
    back = Seller().authorize(start_connect(admin, store.id))
    sandbox.faults(**fault)
    admin.get(callback_path(back))
    assert expected in _flashes(admin)[0]
    assert _snapshot(app, store.id) == before
    assert failures[-1]["audience"] == audience
    event, outcome, message = _log(app, store.id)[-1]
    assert (event, outcome) == ("connect_failed", "failure") and expected in message


def test_a_missing_app_role_is_the_operators_also_as_the_sandbox_setting(app, admin, sandbox):
    sandbox.settings(roles=[])
    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    connect(admin, store.id)
    message = _flashes(admin)[0]
    assert "lacks the role" in message and "signing in again will not help" in message


def test_token_timeout_is_reported(make_app, sandbox):
    app = make_app(ASC_AMAZON_HTTP_TIMEOUT=0.5)
    admin = app.test_client()
    with admin.session_transaction() as s:
        s["admin"] = "admin"
    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    back = Seller().authorize(start_connect(admin, store.id))
    sandbox.faults(delay=1.5)
    admin.get(callback_path(back))
    assert "did not answer in time" in _flashes(admin)[0]


def test_same_seller_cannot_link_two_stores_of_one_marketplace(app, admin):
    add_store(admin, name="Store A")
    add_store(admin, name="Store B")
    connect(admin, store_named(app, "Store A").id)
    _flashes(admin)
    connect(admin, store_named(app, "Store B").id)
    assert "already connected to the store “Store A”" in _flashes(admin)[0]
    assert store_named(app, "Store B").seller_id is None


def test_renewal_from_the_card_keeps_seller_and_extends(app, admin, sandbox, routing):
    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    connect(admin, store.id)
    first = store_named(app, "Amazon Store USA")
    sandbox.move_clock(days=300)
    assert "65 days left" in admin.get(f"{PREFIX}/").text
    _flashes(admin)
    connect(admin, store.id)
    renewed = store_named(app, "Amazon Store USA")
    assert _flashes(admin)[-1].startswith(
        "Authorization of “Amazon Store USA” renewed: connected as Example Outfitters "
        "(A3FH4EXAMPLE) until")
    assert renewed.authorized_at > first.authorized_at
    assert renewed.refresh_token_encrypted != first.refresh_token_encrypted
    assert "365 days left" in admin.get(f"{PREFIX}/").text
    assert _attempts(app)[-1] == (routing, "renewed")


def test_renewal_with_a_different_seller_is_refused(app, admin):
    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    connect(admin, store.id)
    before = _snapshot(app, store.id)
    _flashes(admin)
    connect(admin, store.id, seller=Seller("us-only@example.com", otp=None))
    assert "different Amazon seller account" in _flashes(admin)[0]
    assert _snapshot(app, store.id) == before


def test_an_edited_seller_id_cannot_renew_a_store_with_another_sellers_token(app, admin):
    """selling_partner_id comes from the URL: what Amazon says about the token decides."""
    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    connect(admin, store.id)
    before = _snapshot(app, store.id)
    _flashes(admin)
    back = Seller("us-only@example.com", otp=None).authorize(start_connect(admin, store.id))
    query = {k: v[0] for k, v in parse_qs(urlsplit(back).query).items()}
    query["selling_partner_id"] = "A3FH4EXAMPLE"  # claims to be the store's seller
    admin.get(f"{PREFIX}/connect/callback?{urlencode(query)}")
    assert "different Amazon seller account" in _flashes(admin)[0]
    assert _snapshot(app, store.id) == before


def test_renewal_started_from_manage_your_apps(app, admin, live, sandbox):
    """Amazon's Login URI with no connect pending: the admin signs in (the parameters wait on
    the server, not in the sign-in URL), confirms the store, and Amazon renews."""
    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    connect(admin, store.id)
    first = store_named(app, "Amazon Store USA")

    browser = requests.Session()  # one browser: Seller Central and the admin share it
    seller = Seller(http=browser)
    manage = seller.sign_in_at(browser.get(f"{sandbox.url}/na/apps/manage", timeout=10))
    assert "Manage Your Apps" in manage.text and "Re-Authorize" in manage.text
    to_login_uri = browser.post(f"{sandbox.url}/na/apps/manage/reauthorize",
                                data={"csrf_token": csrf_from(manage.text)},
                                allow_redirects=False, timeout=10)
    login_uri = to_login_uri.headers["Location"]
    assert login_uri.startswith(f"{live.url}{PREFIX}/connect/login?")
    amazon_state = parse_qs(urlsplit(login_uri).query)["amazon_state"][0]
    # Not signed in to the admin in this browser: the host's sign-in, with a clean next.
    login_page = browser.get(login_uri, timeout=10)
    assert "Sign in to the Demo Shop admin" in login_page.text
    assert amazon_state not in login_page.url and amazon_state not in login_page.text
    assert "handoff%3D" in login_page.url
    next_url = login_page.text.split('name="next" value="')[1].split('"')[0].replace("&amp;", "&")
    signed_in = browser.post(f"{live.url}/login", data={
        "csrf_token": csrf_from(login_page.text), "username": "admin", "password": "admin",
        "next": next_url}, timeout=10)
    assert "renew the authorization of seller A3FH4EXAMPLE" in signed_in.text
    assert "Amazon Store USA" in signed_in.text
    form = {"csrf_token": csrf_from(signed_in.text), "store_id": str(store.id)}
    for field in ("amazon_callback_uri", "amazon_state", "selling_partner_id", "version"):
        form[field] = signed_in.text.split(f'name="{field}" value="')[1].split('"')[0].replace(
            "&amp;", "&")
    to_amazon = browser.post(f"{live.url}{PREFIX}/connect/login", data=form,
                             allow_redirects=False, timeout=10)
    assert to_amazon.status_code == 303
    assert {"amazon_state", "state", "redirect_uri", "version"} == set(
        parse_qs(urlsplit(to_amazon.headers["Location"]).query))
    back = seller.authorize(to_amazon.headers["Location"])  # consent page, Next, Continue
    final = browser.get(back, timeout=10)
    assert "Authorization of “Amazon Store USA” renewed" in final.text
    assert store_named(app, "Amazon Store USA").authorized_at > first.authorized_at
    assert browser.get(live.url + next_url, timeout=10).status_code == 400  # used once


def test_amazons_answer_in_a_signed_out_browser_is_not_kept_in_the_sign_in_url(app, admin,
                                                                              client):
    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    back = Seller().authorize(start_connect(admin, store.id, new_tab=True))
    code = parse_qs(urlsplit(back).query)["spapi_oauth_code"][0]
    arrived = client.get(callback_path(back))  # the same browser, signed out meanwhile
    assert arrived.status_code == 303 and arrived.headers["Location"] == f"{PREFIX}/"
    signin = client.get(arrived.headers["Location"])
    assert signin.headers["Location"] == "/login?next=/admin/amazon/"
    assert code not in signin.headers["Location"]
    card = admin.get(f"{PREFIX}/stores/{store.id}/connect/status",
                     query_string={"attempt": "1"}, headers=HX)
    assert "signed out of the admin" in _banner(card)


def test_disconnect_deletes_tokens(app, admin):
    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    connect(admin, store.id)
    page = admin.get(f"{PREFIX}/stores/{store.id}/disconnect")
    assert "Manage Your Apps" in page.text
    response = admin.post(f"{PREFIX}/stores/{store.id}/disconnect",
                          data={"csrf_token": csrf_from(page.text)})
    assert response.status_code == 303
    after = store_named(app, "Amazon Store USA")
    assert after.connection_state is ConnectionState.NOT_CONNECTED
    assert after.refresh_token_encrypted is None and after.access_token_encrypted is None
    assert "Manage Your Apps" in _flashes(admin)[-1]
    dashboard = admin.get(f"{PREFIX}/stores/{store.id}").text
    assert "Last verified" not in dashboard and "Test connection" not in dashboard


def test_access_token_is_cached_then_refreshed(app, admin, sandbox):
    import asc_plugin as tokens  # what host code calls: asc_plugin.access_token

    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    connect(admin, store.id)

    def count():
        return sandbox.authorizations()["token_requests"]

    with app.app_context():
        before = count()
        first = tokens.access_token(store.id)
        assert count() == before  # cached from the connection
    _set(app, store.id, access_token_expires_at=utcnow())
    with app.app_context():
        second = tokens.access_token(store.id)
        assert count() == before + 1
        assert second != first and second.startswith("Atza|")
        assert tokens.access_token(store.id) == second


def _remove_in_seller_central(sandbox):
    seller = Seller()
    manage = seller.sign_in_at(seller.open(f"{sandbox.url}/na/apps/manage"))
    seller.http.post(f"{sandbox.url}/na/apps/manage/remove",
                     data={"csrf_token": csrf_from(manage.text)}, timeout=10)


def test_revocation_is_found_by_every_cron_check_and_by_test_connection(app, admin, sandbox):
    """The check proves the authorization with a refresh grant even with a fresh cached token,
    and keeps naming the revoked store on every later run."""
    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    connect(admin, store.id)
    ok = app.test_cli_runner().invoke(args=["asc", "check-authorizations"])
    assert ok.exit_code == 0, ok.output
    _remove_in_seller_central(sandbox)
    revoked = []
    signals.authorization_revoked.connect(lambda sender, **kw: revoked.append(kw), weak=False)
    for _run in range(2):
        result = app.test_cli_runner().invoke(args=["asc", "check-authorizations"])
        assert result.exit_code == 1, result.output
        assert "Amazon Store USA" in result.output
        assert "Authorization revoked" in result.output
        assert "revoked in Seller Central" in result.output
    assert store_named(app, "Amazon Store USA").connection_state is ConnectionState.REVOKED
    assert revoked[-1]["state"] == "revoked"
    card = admin.get(f"{PREFIX}/").text
    assert "Authorization revoked" in card and "Renew authorization" in card
    assert "Not syncing" in card and "</span>Active</span>" not in card


def test_test_connection_says_what_amazon_says(app, admin, sandbox):
    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    connect(admin, store.id)
    _flashes(admin)
    page = admin.get(f"{PREFIX}/stores/{store.id}")
    token = csrf_from(page.text)
    ok = admin.post(f"{PREFIX}/stores/{store.id}/connect/test", headers=HX,
                    data={"csrf_token": token})
    assert "Amazon accepts the authorization of “Amazon Store USA”" in _banner(ok)
    sandbox.faults(token="invalid_client")
    refused = admin.post(f"{PREFIX}/stores/{store.id}/connect/test", headers=HX,
                         data={"csrf_token": token})
    assert "ASC_AMAZON_CLIENT_SECRET" in _banner(refused)
    assert "For the administrator" in refused.text  # the panel keeps saying so
    sandbox.faults()
    _remove_in_seller_central(sandbox)
    revoked = admin.post(f"{PREFIX}/stores/{store.id}/connect/test", headers=HX,
                         data={"csrf_token": token})
    assert "removed in Seller Central" in _banner(revoked)
    assert "Authorization revoked" in revoked.text


def test_an_invalid_grant_met_by_host_code_shows_on_the_card(app, admin, sandbox):
    from asc_plugin.errors import AuthorizationRevoked
    from asc_plugin.services import tokens

    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    connect(admin, store.id)
    _remove_in_seller_central(sandbox)
    _set(app, store.id, access_token_expires_at=utcnow())
    with app.app_context(), pytest.raises(AuthorizationRevoked):
        tokens.access_token(store.id)
    assert "Authorization revoked" in admin.get(f"{PREFIX}/").text


def test_an_app_side_refusal_tells_the_operator_what_to_change(app, admin, sandbox):
    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    connect(admin, store.id)
    sandbox.faults(token="invalid_client")
    result = app.test_cli_runner().invoke(args=["asc", "check-authorizations"])
    assert result.exit_code == 1
    assert "app credentials refused" in result.output
    assert "ASC_AMAZON_CLIENT_SECRET" in result.output and "try again in a few" not in (
        result.output)
    assert store_named(app, "Amazon Store USA").is_connected  # nothing the seller must do


def test_cron_check_counts_down_with_the_configured_thresholds(make_app, sandbox):
    app = make_app(ASC_RENEWAL_WARNING_DAYS=(60, 20, 10))
    admin = app.test_client()
    with admin.session_transaction() as s:
        s["admin"] = "admin"
    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    connect(admin, store.id)
    for days, level, code in ((61, None, 0), (45, "info", 0), (15, "warning", 0),
                              (9, "error", 1)):
        _set(app, store.id, authorization_expires_at=utcnow() + timedelta(days=days))
        result = app.test_cli_runner().invoke(args=["asc", "check-authorizations"])
        assert result.exit_code == code, (days, result.output)
        home = admin.get(f"{PREFIX}/").text
        if level is None:
            assert "expires in" not in home
        else:
            assert f"asc-banner asc-banner-{level}" in home, days
            assert f"expires in {days} days" in home


def test_rotate_keys_reencrypts_every_token_and_names_what_it_cannot_open(app, admin):
    from cryptography.fernet import Fernet

    from asc_plugin.crypto import TokenCipher

    add_store(admin)
    add_store(admin, name="Other")
    connect(admin, store_named(app, "Amazon Store USA").id)
    old = app.config["ASC_ENCRYPTION_KEYS"][0]
    new = Fernet.generate_key().decode()
    app.extensions["asc"].cipher = TokenCipher([new.encode(), old.encode()])
    result = app.test_cli_runner().invoke(args=["asc", "rotate-keys"])
    assert result.exit_code == 0 and "tokens of 1 store under the newest key" in result.output
    row = store_named(app, "Amazon Store USA")
    assert TokenCipher([new.encode()]).decrypt(row.refresh_token_encrypted).startswith("Atzr|")
    assert TokenCipher([new.encode()]).decrypt(row.access_token_encrypted).startswith("Atza|")
    app.extensions["asc"].cipher = TokenCipher([Fernet.generate_key()])  # the key is lost
    lost = app.test_cli_runner().invoke(args=["asc", "rotate-keys"])
    assert lost.exit_code == 1 and "Amazon Store USA" in lost.output
    assert "ASC_ENCRYPTION_KEYS" in lost.output and "Traceback" not in lost.output


def test_a_wrong_key_is_reported_per_store_and_the_check_goes_on(app, admin):
    from cryptography.fernet import Fernet

    from asc_plugin.crypto import TokenCipher
    from asc_plugin.errors import KeyMismatch
    from asc_plugin.services import tokens

    add_store(admin, name="A")
    add_store(admin, name="B", marketplace="CA", website="2")
    connect(admin, store_named(app, "A").id)
    _flashes(admin)
    connect(admin, store_named(app, "B").id)
    app.extensions["asc"].cipher = TokenCipher([Fernet.generate_key()])
    result = app.test_cli_runner().invoke(args=["asc", "check-authorizations"])
    assert result.exit_code == 1
    assert result.output.count("cannot decrypt tokens") == 2, result.output
    with app.app_context(), pytest.raises(KeyMismatch):
        tokens.access_token(store_named(app, "A").id)


def _poll(admin, store_id, **query):
    return admin.get(f"{PREFIX}/stores/{store_id}/connect/status", query_string=query,
                     headers=HX)


def _next_poll(response) -> str:
    return response.text.split('hx-get="')[1].split('"')[0].replace("&amp;", "&")


def test_the_waiting_card_follows_the_attempt_and_offers_reopen_and_cancel_at_once(app, admin):
    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    first = _poll(admin, store.id, since=int(utcnow().timestamp()), fragment="card")
    assert "Waiting for Amazon" in first.text and "every 2s" in first.text  # POST not seen yet
    start_connect(admin, store.id, new_tab=True)
    waiting = admin.get(_next_poll(first), headers=HX)
    assert "Reopen Seller Central" in waiting.text and ">Cancel" in waiting.text
    assert "attempt=" in _next_poll(waiting)
    token = csrf_from(admin.get(f"{PREFIX}/").text)
    attempt = _next_poll(waiting).split("attempt=")[1].split("&")[0]
    cancelled = admin.post(f"{PREFIX}/stores/{store.id}/connect/cancel", headers=HX,
                           data={"csrf_token": token, "attempt": attempt})
    assert "Waiting for Amazon" not in cancelled.text and "every 2s" not in cancelled.text
    assert "was cancelled; nothing changed" in _banner(cancelled)
    assert _attempts(app)[-1][1] == "cancelled"


def test_a_callback_for_a_cancelled_or_superseded_attempt_is_refused_clearly(app, admin):
    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    old = Seller().authorize(start_connect(admin, store.id))
    newer = start_connect(admin, store.id)  # Reopen Seller Central: a new attempt
    admin.get(callback_path(old))
    assert "belongs to an earlier attempt" in _flashes(admin)[0]
    token = csrf_from(admin.get(f"{PREFIX}/").text)
    with app.app_context():
        attempt_id = plugin_state().session.query(ConnectAttempt).order_by(
            ConnectAttempt.id.desc()).first().id
    admin.post(f"{PREFIX}/stores/{store.id}/connect/cancel",
               data={"csrf_token": token, "attempt": attempt_id})
    _flashes(admin)
    admin.get(callback_path(Seller().authorize(newer)))
    assert "cancelled in the admin before Amazon answered" in _flashes(admin)[0]
    assert store_named(app, "Amazon Store USA").connection_state is ConnectionState.NOT_CONNECTED


def test_the_waiting_card_ends_when_the_attempt_expires(app, admin, sandbox):
    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    start_connect(admin, store.id, new_tab=True)
    waiting = _poll(admin, store.id, attempt=1)
    assert "Waiting for Amazon" in waiting.text
    sandbox.move_clock(days=0.01)  # 14 minutes on: past the attempt's 10
    ended = admin.get(_next_poll(waiting), headers=HX)
    assert "Waiting for Amazon" not in ended.text
    assert "within 10 minutes" in _banner(ended)


def test_the_waiting_card_gives_up_when_seller_central_never_opened(app, admin):
    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    response = _poll(admin, store.id, since=int(utcnow().timestamp()), tries=15)
    assert "Waiting for Amazon" not in response.text
    assert "Seller Central did not open" in _banner(response)
    nothing_open = _poll(admin, store.id)
    assert "Seller Central did not open" in _banner(nothing_open)
    garbage = _poll(admin, store.id, since="x", attempt="99999999999999999999", tries="-1")
    assert garbage.status_code == 200


def test_an_attempt_for_a_deleted_store_never_connects_a_store_that_reused_its_id(app, admin):
    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    back = Seller().authorize(start_connect(admin, store.id))
    page = admin.get(f"{PREFIX}/stores/{store.id}/delete")
    admin.post(f"{PREFIX}/stores/{store.id}/delete", data={"csrf_token": csrf_from(page.text)})
    add_store(admin, name="Newcomer")
    newcomer = store_named(app, "Newcomer")
    _flashes(admin)
    admin.get(callback_path(back))
    assert "has been deleted" in _flashes(admin)[0]
    assert store_named(app, "Newcomer").seller_id is None
    if newcomer.id == store.id:  # SQLite reuses the id; the attempt still knows better
        assert store_named(app, "Newcomer").connection_state is ConnectionState.NOT_CONNECTED


def test_an_attempt_does_not_overwrite_what_another_admin_did_meanwhile(app, admin):
    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    mine = Seller("us-only@example.com", otp=None).authorize(start_connect(admin, store.id))
    colleague = app.test_client()
    with colleague.session_transaction() as s:
        s["admin"] = "colleague"
    connect(colleague, store.id)  # connects it to Example Outfitters first
    before = _snapshot(app, store.id)
    admin.get(callback_path(mine))
    assert "changed in the admin" in _flashes(admin)[0]
    assert _snapshot(app, store.id) == before


def test_many_connect_clicks_do_not_grow_the_session_cookie(app, admin):
    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    for _ in range(80):
        start_connect(admin, store.id)
    with admin.session_transaction() as session:
        assert set(session) <= {"admin", "_asc_oauth_binding", "csrf_token", "_flashes"}
    cookie = admin.get_cookie("session")
    assert len(cookie.value) < 600
