"""The sandbox behaves like Amazon on the points of shared/amazon-sp-api.md (real HTTP)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from helpers import Seller, csrf_from

from asc_plugin.sandbox import config as sc

CALLBACK = "http://localhost/admin/amazon/connect/callback"


@pytest.fixture()
def sandbox_app(asc_sandbox):
    asc_sandbox.reset()
    asc_sandbox.app.config["SANDBOX_REDIRECT_URIS"] = [CALLBACK]
    yield asc_sandbox
    asc_sandbox.reset()


def consent_url(base, **overrides):
    params = {"application_id": sc.APPLICATION_ID, "state": "s" * 40, "version": "beta",
              "redirect_uri": CALLBACK, **overrides}
    return f"{base}/na/apps/authorize/consent?" + urlencode(
        {k: v for k, v in params.items() if v is not None})


@pytest.mark.parametrize("overrides, code", [
    ({"version": None}, "MD1000"),
    ({"redirect_uri": "https://evil.example.com/cb"}, "MD5101"),
    ({"application_id": "amzn1.sellerapps.app.unknown"}, "MD9000"),
    ({"state": None}, "MD9100"),
])
def test_consent_errors(sandbox_app, overrides, code):
    page = requests.get(consent_url(sandbox_app.url, **overrides), timeout=5)
    assert page.status_code == 400 and f"Error code: {code}" in page.text


def test_published_app_needs_no_version_beta_and_refuses_it(sandbox_app):
    sandbox_app.app.config["SANDBOX_PUBLISHED"] = True
    page = requests.get(consent_url(sandbox_app.url, version=None), timeout=5)
    assert page.status_code == 200 and "Sign in" in page.text
    beta = requests.get(consent_url(sandbox_app.url), timeout=5)  # version=beta, published
    assert beta.status_code == 400 and "Error code: MD9000" in beta.text


def test_marketplaces_are_named_as_amazon_names_them(sandbox_app):
    from asc_plugin.sandbox.data import participations, seller_by_id

    uk = {p["marketplace"]["countryCode"]: p["marketplace"]
          for p in participations(seller_by_id("A1UKSELLER01"), "EU")}
    assert uk["GB"]["name"] == "Amazon.co.uk" and uk["GB"]["domainName"] == "www.amazon.co.uk"
    assert uk["GB"]["defaultCurrencyCode"] == "GBP"
    na = {p["marketplace"]["countryCode"]: p["marketplace"]
          for p in participations(seller_by_id("A3FH4EXAMPLE"), "NA")}
    assert na["US"]["domainName"] == "www.amazon.com" and na["MX"]["name"] == "Amazon.com.mx"


def test_consent_can_route_through_the_apps_login_uri(sandbox_app):
    login_uri = "http://localhost/admin/amazon/connect/login"
    sandbox_app.app.config["SANDBOX_LOGIN_URI"] = login_uri
    sandbox_app.settings(routing="login_uri", relative_callback=True)
    seller = Seller()
    back = seller.authorize(consent_url(sandbox_app.url))
    assert back.startswith(login_uri + "?")
    query = parse_qs(urlsplit(back).query)
    assert query["amazon_callback_uri"] == ["/apps/authorize/confirm"]
    assert query["version"] == ["beta"] and query["selling_partner_id"] == ["A3FH4EXAMPLE"]
    wrong = seller.http.get(f"{sandbox_app.url}/na/apps/authorize/confirm", allow_redirects=False,
                            params={"amazon_state": "forged", "state": "t" * 40}, timeout=5)
    assert wrong.status_code == 400 and "MD9999" in wrong.text
    final = seller.confirm(f"{sandbox_app.url}/na/apps/authorize/confirm?" + urlencode(
        {"amazon_state": query["amazon_state"][0], "state": "t" * 40, "redirect_uri": CALLBACK}))
    answer = parse_qs(urlsplit(final).query)
    assert final.startswith(CALLBACK) and answer["state"] == ["t" * 40]
    assert answer["spapi_oauth_code"][0].startswith("ANsb")


def _code(base):
    back = Seller().authorize(consent_url(base))
    query = parse_qs(urlsplit(back).query)
    assert urlsplit(back)._replace(query="").geturl() == CALLBACK
    assert query["state"] == ["s" * 40] and query["selling_partner_id"] == ["A3FH4EXAMPLE"]
    return query["spapi_oauth_code"][0]


def _token(base, **form):
    body = {"client_id": sc.CLIENT_ID, "client_secret": sc.CLIENT_SECRET, **form}
    return requests.post(f"{base}/auth/o2/token", data=body, timeout=5)


def test_codes_are_single_use_and_expire(sandbox_app):
    code = _code(sandbox_app.url)
    first = _token(sandbox_app.url, grant_type="authorization_code", code=code,
                   redirect_uri=CALLBACK)
    assert first.status_code == 200
    token = first.json()
    assert token["token_type"] == "bearer" and token["expires_in"] == 3600
    assert token["access_token"].startswith("Atza|")
    assert token["refresh_token"].startswith("Atzr|")
    again = _token(sandbox_app.url, grant_type="authorization_code", code=code,
                   redirect_uri=CALLBACK)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    late = _code(sandbox_app.url)
    requests.post(f"{sandbox_app.url}/_sandbox/clock", json={"offset": 301}, timeout=5)
    expired = _token(sandbox_app.url, grant_type="authorization_code", code=late,
                     redirect_uri=CALLBACK)
    assert expired.json()["error"] == "invalid_grant"


@pytest.mark.parametrize("form, status, error", [
    ({"client_secret": "wrong"}, 401, "invalid_client"),
    ({"grant_type": "password"}, 400, "unsupported_grant_type"),
    ({"grant_type": None}, 400, "invalid_request"),
])
def test_token_endpoint_errors(sandbox_app, form, status, error):
    body = {"client_id": sc.CLIENT_ID, "client_secret": sc.CLIENT_SECRET,
            "grant_type": "refresh_token", "refresh_token": "Atzr|x", **form}
    response = requests.post(f"{sandbox_app.url}/auth/o2/token",
                             data={k: v for k, v in body.items() if v is not None}, timeout=5)
    assert response.status_code == status
    assert response.json()["error"] == error and response.json()["error_description"]


def test_sellers_api_checks_tokens_headers_and_rate(sandbox_app):
    code = _code(sandbox_app.url)
    access = _token(sandbox_app.url, grant_type="authorization_code", code=code,
                    redirect_uri=CALLBACK).json()["access_token"]
    url = f"{sandbox_app.url}/spapi/na/sellers/v1/marketplaceParticipations"
    agent = "ShopAdmin/1.0 (Language=Python/3.11; Platform=Linux)"
    for wrong in ("t/1", "", "ShopAdmin/1.0", "x" * 490 + "/1 (Language=Python)"):
        refused = requests.get(url, headers={"x-amz-access-token": access, "user-agent": wrong},
                               timeout=5)
        assert refused.status_code == 400, wrong
        assert refused.json()["errors"][0]["code"] == "InvalidInput"
    ok = requests.get(url, headers={"x-amz-access-token": access, "user-agent": agent},
                      timeout=5)
    payload = ok.json()["payload"]
    assert {p["marketplace"]["id"] for p in payload} == {
        "ATVPDKIKX0DER", "A2EUQ1WTGCTBG2", "A1AM78C64UM0Y8"}
    assert all(p["participation"]["isParticipating"] for p in payload)
    bad = requests.get(url, headers={"x-amz-access-token": "Atza|nope", "user-agent": agent},
                       timeout=5)
    assert bad.status_code == 403 and bad.json()["errors"][0]["code"] == "Unauthorized"
    assert "access token" in bad.json()["errors"][0]["details"]
    eu = requests.get(url.replace("/na/", "/eu/"), timeout=5,
                      headers={"x-amz-access-token": access, "user-agent": agent})
    assert eu.status_code == 403
    statuses = [requests.get(url, headers={"x-amz-access-token": access, "user-agent": agent},
                             timeout=5).status_code for _ in range(15)]
    assert statuses[:14] == [200] * 14 and statuses[14] == 429


def test_remove_in_manage_your_apps_revokes_refresh(sandbox_app):
    code = _code(sandbox_app.url)
    refresh = _token(sandbox_app.url, grant_type="authorization_code", code=code,
                     redirect_uri=CALLBACK).json()["refresh_token"]
    assert _token(sandbox_app.url, grant_type="refresh_token",
                  refresh_token=refresh).status_code == 200
    seller = Seller()
    manage = seller.sign_in_at(seller.open(f"{sandbox_app.url}/na/apps/manage"))
    csrf = csrf_from(manage.text)
    seller.http.post(f"{sandbox_app.url}/na/apps/manage/remove", data={"csrf_token": csrf},
                     timeout=5)
    revoked = _token(sandbox_app.url, grant_type="refresh_token", refresh_token=refresh)
    assert revoked.status_code == 400
    assert "User may have revoked" in revoked.json()["error_description"]


def test_sign_in_with_mobile_number_and_wrong_password(sandbox_app):
    seller = Seller(login="+15555550100", password="wrong")
    page = seller.open(consent_url(sandbox_app.url))
    response = seller.sign_in_at(page)
    assert response.status_code == 401 and "Your password is incorrect." in response.text


def test_the_list_of_refresh_tokens_answers_only_in_testing_or_on_this_machine():
    from asc_plugin.sandbox import create_sandbox_app

    app = create_sandbox_app(redirect_uris=[CALLBACK])
    remote = app.test_client()
    assert remote.get("/_sandbox/authorizations",
                      environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code == 404
    assert remote.get("/_sandbox/authorizations",
                      environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 200
    app.testing = True
    assert remote.get("/_sandbox/authorizations",
                      environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code == 200
