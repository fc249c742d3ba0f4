"""The SP-API website authorization flow against the sandbox over real HTTP."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from amazon_seller import Seller
from conftest import csrf_from
from helpers import PREFIX, add_store, callback_path, connect, start_connect, store_named

from asc_plugin import signals
from asc_plugin.extension import state
from asc_plugin.models import ActivityLog, ConnectionState, Store, StoreStatus
from asc_plugin.sandbox import config as sandbox_config


def _flashes(client):
    with client.session_transaction() as session:
        return [m for _level, m in session.get("_flashes", [])]


def _log(app, store_id):
    with app.app_context():
        return [(e.event, e.outcome, e.message) for e in state().session.query(ActivityLog)
                .filter_by(store_id=store_id).order_by(ActivityLog.id)]


def _snapshot(app, store_id):
    with app.app_context():
        s = state().session.get(Store, store_id)
        return {c.name: getattr(s, c.name) for c in Store.__table__.columns}


def test_consent_url_is_exactly_what_amazon_documents(app, admin, sandbox):
    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    url = start_connect(admin, store.id)
    parts = urlsplit(url)
    consent = f"{parts.scheme}://{parts.netloc}{parts.path}"
    assert consent == f"{sandbox.url}/na/apps/authorize/consent"
    query = parse_qs(parts.query)
    assert set(query) == {"application_id", "state", "redirect_uri", "version"}
    assert query["application_id"] == [sandbox_config.APPLICATION_ID]
    assert query["version"] == ["beta"]
    assert query["redirect_uri"] == ["http://localhost/admin/amazon/connect/callback"]
    assert len(query["state"][0]) >= 40


def test_published_app_omits_version_beta(make_app, sandbox):
    app = make_app(ASC_AMAZON_DRAFT_APP=False)
    admin = app.test_client()
    with admin.session_transaction() as s:
        s["admin"] = "admin"
    add_store(admin)
    url = start_connect(admin, store_named(app, "Amazon Store USA").id)
    assert "version" not in parse_qs(urlsplit(url).query)


def test_connect_end_to_end_stores_encrypted_token(app, admin, sandbox):
    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    received = []
    signals.store_connected.connect(lambda sender, **kw: received.append(kw), weak=False)
    response = connect(admin, store.id)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{PREFIX}/")
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert _flashes(admin) == ["Connected as Example Outfitters (A3FH4EXAMPLE)."]
    after = store_named(app, "Amazon Store USA")
    assert after.connection_state is ConnectionState.CONNECTED
    assert after.status is StoreStatus.ACTIVE
    assert after.seller_id == "A3FH4EXAMPLE"
    assert (after.authorization_expires_at - after.authorized_at).days == 365
    issued = requests.get(f"{sandbox.url}/_sandbox/authorizations", timeout=5).json()
    refresh_token = issued["authorizations"][0]["refresh_token"]
    assert refresh_token not in after.refresh_token_encrypted
    with app.app_context():
        assert state().cipher.decrypt(after.refresh_token_encrypted) == refresh_token
        raw = state().db.engine.connect().exec_driver_sql(
            "SELECT refresh_token_encrypted FROM asc_store").scalar()
    assert "Atzr|" not in raw
    assert received and received[-1]["renewed"] is False
    page = admin.get(f"{PREFIX}/").text
    assert "Connected as Example Outfitters (A3FH4EXAMPLE)." in page
    assert refresh_token not in page and "Atza|" not in page
    events = [e for e, _o, _m in _log(app, store.id)]
    assert events[-2:] == ["connect_started", "connected"]


def test_new_tab_callback_says_the_tab_can_close(app, admin):
    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    response = connect(admin, store.id, new_tab=True)
    assert response.status_code == 200
    assert "You can close this tab" in response.text
    assert "data-asc-autoclose" in response.text
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_waiting_card_polls_then_shows_connected_with_banner(app, admin):
    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    htmx = {"HX-Request": "true"}
    waiting = admin.get(f"{PREFIX}/stores/{store.id}/connect/status", headers=htmx)
    assert "Waiting for Amazon" in waiting.text
    assert 'hx-trigger="every 2s"' in waiting.text
    poll_url = waiting.text.split('hx-get="')[1].split('"')[0].replace("&amp;", "&")
    still = admin.get(poll_url, headers=htmx)
    assert "Waiting for Amazon" in still.text
    connect(admin, store.id, new_tab=True)
    done = admin.get(poll_url, headers=htmx)
    assert "Waiting for Amazon" not in done.text
    assert "every 2s" not in done.text
    assert done.headers["HX-Trigger"] == (
        '{"asc:banner": {"level": "success", "message": '
        '"Connected as Example Outfitters (A3FH4EXAMPLE)."}}')


def test_seller_not_participating_in_the_marketplace_is_refused(app, admin):
    add_store(admin, name="Amazon Store Canada", marketplace="CA", website="2")
    store = store_named(app, "Amazon Store Canada")
    before = _snapshot(app, store.id)
    response = connect(admin, store.id, seller=Seller("us-only@example.com"))
    assert response.status_code == 303
    (message,) = _flashes(admin)
    assert "does not sell in Canada" in message
    after = _snapshot(app, store.id)
    assert {k: v for k, v in after.items() if k != "updated_at"} == {
        k: v for k, v in before.items() if k != "updated_at"}
    assert _log(app, store.id)[-1][:2] == ("connect_failed", "failure")


def test_wrong_region_seller_is_refused_at_seller_central(app, admin, sandbox):
    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    consent = start_connect(admin, store.id)
    seller = Seller("uk-seller@example.com")
    page = seller.open(consent)
    result = seller.sign_in_at(page)
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
    with admin.session_transaction() as s:
        s.pop("_flashes", None)
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


def test_expired_state_is_refused(app, admin):
    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    back = Seller().authorize(start_connect(admin, store.id))
    with app.app_context():
        from asc_plugin.models import OAuthState, utcnow

        for row in state().session.query(OAuthState):
            row.expires_at = utcnow().replace(year=2000)
        state().session.commit()
    admin.get(callback_path(back))
    assert "expired" in _flashes(admin)[0]


def test_expired_code_is_invalid_grant(app, admin, sandbox):
    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    back = Seller().authorize(start_connect(admin, store.id))
    requests.post(f"{sandbox.url}/_sandbox/clock", json={"offset": 301}, timeout=5)
    admin.get(callback_path(back))
    message = _flashes(admin)[0]
    assert "expires after 5 minutes" in message
    assert store_named(app, "Amazon Store USA").refresh_token_encrypted is None


@pytest.mark.parametrize("fault, expected, audience", [
    ({"token": "invalid_client"}, "client secret has expired", "operator"),
    ({"token": "500"}, "did not answer properly", "seller"),
    ({"token": "badjson"}, "did not answer properly", "seller"),
    ({"token": "norefresh"}, "sent no refresh token", "seller"),
    ({"sellers": "403"}, "access denied", "seller"),
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
    requests.post(f"{sandbox.url}/_sandbox/faults", json=fault, timeout=5)
    admin.get(callback_path(back))
    assert expected in _flashes(admin)[0]
    assert _snapshot(app, store.id) == before
    assert failures[-1]["audience"] == audience
    event, outcome, message = _log(app, store.id)[-1]
    assert (event, outcome) == ("connect_failed", "failure") and expected in message


def test_token_timeout_is_reported(make_app, sandbox):
    app = make_app(ASC_AMAZON_HTTP_TIMEOUT=0.5)
    admin = app.test_client()
    with admin.session_transaction() as s:
        s["admin"] = "admin"
    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    back = Seller().authorize(start_connect(admin, store.id))
    requests.post(f"{sandbox.url}/_sandbox/faults", json={"delay": 1.5}, timeout=5)
    admin.get(callback_path(back))
    assert "did not answer in time" in _flashes(admin)[0]


def test_same_seller_cannot_link_two_stores_of_one_marketplace(app, admin):
    add_store(admin, name="Store A")
    add_store(admin, name="Store B")
    connect(admin, store_named(app, "Store A").id)
    admin.get(f"{PREFIX}/")
    connect(admin, store_named(app, "Store B").id)
    assert "already connected to the store “Store A”" in _flashes(admin)[0]
    assert store_named(app, "Store B").seller_id is None


def test_renewal_from_the_card_keeps_seller_and_extends(app, admin):
    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    connect(admin, store.id)
    first = store_named(app, "Amazon Store USA")
    connect(admin, store.id)
    renewed = store_named(app, "Amazon Store USA")
    assert "Authorization renewed" in _flashes(admin)[-1]
    assert renewed.authorized_at > first.authorized_at
    assert renewed.refresh_token_encrypted != first.refresh_token_encrypted


def test_renewal_with_a_different_seller_is_refused(app, admin):
    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    connect(admin, store.id)
    before = _snapshot(app, store.id)
    admin.get(f"{PREFIX}/")
    connect(admin, store.id, seller=Seller("us-only@example.com", otp=None))
    assert "different Amazon seller account" in _flashes(admin)[0]
    assert _snapshot(app, store.id) == before


def test_renewal_started_from_manage_your_apps(app, admin, live, sandbox):
    """Amazon's Login URI flow: Re-Authorize in Seller Central, through the admin, and back."""
    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    connect(admin, store.id)
    first = store_named(app, "Amazon Store USA")

    browser = requests.Session()  # one browser: Seller Central and the admin share it
    seller = Seller()
    seller.http = browser
    manage = seller.sign_in_at(browser.get(f"{sandbox.url}/na/apps/manage", timeout=10))
    assert "Manage Your Apps" in manage.text and "Re-Authorize" in manage.text
    csrf = csrf_from(manage.text)
    to_login_uri = browser.post(f"{sandbox.url}/na/apps/manage/reauthorize",
                                data={"csrf_token": csrf}, allow_redirects=False, timeout=10)
    login_uri = to_login_uri.headers["Location"]
    assert login_uri.startswith(f"{live.url}{PREFIX}/connect/login?")
    assert {"amazon_callback_uri", "amazon_state", "selling_partner_id", "version"} <= set(
        parse_qs(urlsplit(login_uri).query))
    # The admin is not signed in in this browser yet: the host sends them to its sign-in.
    login_page = browser.get(login_uri, timeout=10)
    assert "Sign in to the Demo Shop admin" in login_page.text
    signed_in = browser.post(f"{live.url}/login", data={
        "csrf_token": csrf_from(login_page.text),
        "username": "admin", "password": "admin",
        "next": login_page.text.split('name="next" value="')[1].split('"')[0].replace(
            "&amp;", "&")}, timeout=10)
    assert "renew the authorization for seller" in signed_in.text
    assert "Amazon Store USA" in signed_in.text
    form = {"csrf_token": csrf_from(signed_in.text),
            "store_id": str(store.id)}
    for field in ("amazon_callback_uri", "amazon_state", "selling_partner_id"):
        form[field] = signed_in.text.split(f'name="{field}" value="')[1].split('"')[0].replace(
            "&amp;", "&")
    to_amazon = browser.post(f"{live.url}{PREFIX}/connect/login", data=form,
                             allow_redirects=False, timeout=10)
    assert to_amazon.status_code == 303
    back_at_amazon = urlsplit(to_amazon.headers["Location"])
    query = parse_qs(back_at_amazon.query)
    assert {"amazon_state", "state", "redirect_uri", "version"} == set(query)
    back = seller.authorize(to_amazon.headers["Location"])  # consent page, Next, Continue
    final = browser.get(back, timeout=10)
    assert "Authorization renewed" in final.text
    renewed = store_named(app, "Amazon Store USA")
    assert renewed.authorized_at > first.authorized_at


def test_login_uri_refuses_foreign_callback_hosts(admin):
    response = admin.get(f"{PREFIX}/connect/login", query_string={
        "amazon_callback_uri": "https://evil.example.com/apps/authorize/confirm",
        "amazon_state": "x", "selling_partner_id": "A3FH4EXAMPLE"})
    assert response.status_code == 400
    assert "not an Amazon Seller Central address" in response.text


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


def test_access_token_is_cached_then_refreshed(app, admin, sandbox):
    from asc_plugin.models import utcnow
    from asc_plugin.services import tokens

    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    connect(admin, store.id)
    count = lambda: requests.get(f"{sandbox.url}/_sandbox/authorizations",  # noqa: E731
                                 timeout=5).json()["token_requests"]
    with app.app_context():
        before = count()
        first = tokens.access_token(store.id)
        assert count() == before  # cached from the connection
        s = state().session.get(Store, store.id)
        s.access_token_expires_at = utcnow()
        state().session.commit()
        second = tokens.access_token(store.id)
        assert count() == before + 1
        assert second != first and second.startswith("Atza|")
        assert tokens.access_token(store.id) == second


def test_revocation_in_seller_central_is_found_by_the_cron_check(app, admin, sandbox):
    from asc_plugin.models import utcnow

    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    connect(admin, store.id)
    seller = Seller()
    manage = seller.sign_in_at(seller.open(f"{sandbox.url}/na/apps/manage"))
    csrf = csrf_from(manage.text)
    seller.http.post(f"{sandbox.url}/na/apps/manage/remove", data={"csrf_token": csrf},
                     timeout=10)
    with app.app_context():
        s = state().session.get(Store, store.id)
        s.access_token_expires_at = utcnow()
        state().session.commit()
    revoked = []
    signals.authorization_revoked.connect(lambda sender, **kw: revoked.append(kw), weak=False)
    result = app.test_cli_runner().invoke(args=["asc", "check-authorizations"])
    assert result.exit_code == 1
    assert "Amazon Store USA" in result.output and "revoked" in result.output
    assert store_named(app, "Amazon Store USA").connection_state is ConnectionState.REVOKED
    assert revoked[-1]["state"] == "revoked"
    card = admin.get(f"{PREFIX}/").text
    assert "Authorization revoked" in card and "Renew authorization" in card


def test_cron_check_passes_for_healthy_stores_and_warns_before_expiry(app, admin):
    from datetime import timedelta

    from asc_plugin.models import utcnow

    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    connect(admin, store.id)
    ok = app.test_cli_runner().invoke(args=["asc", "check-authorizations"])
    assert ok.exit_code == 0, ok.output
    assert "ok" in ok.output
    with app.app_context():
        s = state().session.get(Store, store.id)
        s.authorization_expires_at = utcnow() + timedelta(days=5, hours=1)
        state().session.commit()
    soon = app.test_cli_runner().invoke(args=["asc", "check-authorizations"])
    assert soon.exit_code == 1 and "renew within 5 days" in soon.output
    page = admin.get(f"{PREFIX}/").text
    assert "expires in 5 days" in page
    dashboard = admin.get(f"{PREFIX}/stores/{store.id}").text
    assert "The Amazon authorization ends in 5 days." in dashboard


def test_waiting_gives_up_after_the_state_lifetime(app, admin):
    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    response = admin.get(f"{PREFIX}/stores/{store.id}/connect/status",
                         query_string={"since": "0", "t": "1"}, headers={"HX-Request": "true"})
    assert "Waiting for Amazon" not in response.text
    assert "No answer came back from Amazon in 10 minutes" in response.headers["HX-Trigger"]
    garbage = admin.get(f"{PREFIX}/stores/{store.id}/connect/status",
                        query_string={"since": "x", "t": "nan"}, headers={"HX-Request": "true"})
    assert garbage.status_code == 200 and "Waiting for Amazon" in garbage.text


def test_two_admins_connecting_two_stores_do_not_cross(app, sandbox):
    one, two = app.test_client(), app.test_client()
    for client, name in ((one, "alice"), (two, "bob")):
        with client.session_transaction() as s:
            s["admin"] = name
    add_store(one, name="US store")
    add_store(two, name="UK store", marketplace="UK")
    us, uk = store_named(app, "US store"), store_named(app, "UK store")
    consent_us = start_connect(one, us.id)
    consent_uk = start_connect(two, uk.id)
    back_uk = Seller("uk-seller@example.com").authorize(consent_uk)
    back_us = Seller().authorize(consent_us)
    two.get(callback_path(back_uk))
    one.get(callback_path(back_us))
    assert store_named(app, "US store").seller_id == "A3FH4EXAMPLE"
    assert store_named(app, "UK store").seller_id == "A1UKSELLER01"
    # Bob cannot use Alice's callback.
    back_again = Seller().authorize(start_connect(one, us.id))
    two.get(callback_path(back_again))
    assert "another browser" in _flashes(two)[-1]


def test_rotate_keys_reencrypts_every_token(app, admin):
    from cryptography.fernet import Fernet

    from asc_plugin.crypto import TokenCipher

    add_store(admin)
    connect(admin, store_named(app, "Amazon Store USA").id)
    old = app.config["ASC_ENCRYPTION_KEYS"][0]
    new = Fernet.generate_key().decode()
    app.extensions["asc"].cipher = TokenCipher([new.encode(), old.encode()])
    result = app.test_cli_runner().invoke(args=["asc", "rotate-keys"])
    assert result.exit_code == 0 and "tokens of 1 store under the newest key" in result.output
    row = store_named(app, "Amazon Store USA")
    assert TokenCipher([new.encode()]).decrypt(row.refresh_token_encrypted).startswith("Atzr|")
    assert TokenCipher([new.encode()]).decrypt(row.access_token_encrypted).startswith("Atza|")
