"""Every route of the plugin, the demo host and the sandbox, every parameter it reads, hostile
values: no 5xx anywhere, and nothing written where a request was refused.

Which parameters a route reads is not listed by hand: a first, ordinary request to each route
records every key its view looks up in the query string and the form; then each key gets the
hostile set (huge and negative integers, floats, NaN, CR/LF, NUL, invalid UTF-8, bad
percent-encoding, a file where text is expected, repeated keys, very long strings).
"""

from __future__ import annotations

import io
import json
import re
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from flask import Request
from helpers import PREFIX, add_store, connect, csrf_from, start_match, store_named
from werkzeug.datastructures import ImmutableMultiDict

from asc_plugin.models import ListingItem, metadata
from asc_plugin.state import plugin_state
from asc_plugin.testing import run_match_jobs

HOSTILE_TEXT = [
    "99999999999999999999", "-99999999999999999999", "-1", "0", "1e20", "-1e20", "nan", "inf",
    "3.5", "a\r\nSet-Cookie: pwned=1", "\x00", "%zz%", "/\t/attacker.example/x",
    "//attacker.example", "<script>alert(1)</script>", "x" * 20000,
    # Digits to str.isdigit() that int() refuses ("²") or reads as 12 ("١٢"); a float that
    # overflows to infinity.
    "²", "١٢", "1e309", "-1e309",
]
#: Posted keys a FieldList reads as row indexes: only ASCII digits may reach int().
HOSTILE_KEYS = ["conditions-²-field", "conditions-١٢-field", "conditions-99999999999-field",
                "conditions-0-field-²-x"]
#: Raw query-string values (already percent-encoded): invalid UTF-8 and broken escapes.
HOSTILE_RAW = ["%ff%fe%fd", "%c3%28", "%zz", "%", "a%0d%0aLocation:%20//evil"]
LOOKED_UP: set[str] = set()


class RecordingDict(ImmutableMultiDict):
    """Query and form data that note every key a view asks for."""

    def __getitem__(self, key):
        LOOKED_UP.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None, type=None):  # noqa: A002 - MultiDict's own signature
        LOOKED_UP.add(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):  # noqa: A002
        LOOKED_UP.add(key)
        return super().getlist(key, type)

    def __contains__(self, key):
        LOOKED_UP.add(key)
        return super().__contains__(key)


class RecordingRequest(Request):
    parameter_storage_class = RecordingDict


def _snapshot(app) -> dict:
    with app.app_context():
        with plugin_state().db.engine.connect() as connection:
            return {name: sorted(map(tuple, connection.execute(sa.select(table)).all()))
                    for name, table in metadata.tables.items()}


def _path(rule, store_id, item_id=1) -> str:
    values = {"store_id": str(store_id), "key": "selling_plan", "field": "name",
              "item_id": str(item_id),
              "filename": "asc/asc.css", "region": "na", "_rest": "x", "order_id": "1",
              "offer_id": "1", "seller_id": "A3FH4EXAMPLE", "sku": "sku-1",
              "product_type": "SHOES", "feed_id": "1", "document_id": "doc-1",
              "product_id": "1-000001"}
    return re.sub(r"<(?:[^:>]+:)?(\w+)>", lambda m: values[m.group(1)], rule.rule)


def _discover(client, rule, method, path, token) -> set[str]:
    LOOKED_UP.clear()
    data = {"csrf_token": token} if method == "POST" else None
    client.open(path, method=method, data=data)
    client.open(path, method=method, data=data, headers={"HX-Request": "true"})
    return set(LOOKED_UP) - {"csrf_token"}


def _attack(client, method, path, key, token):
    """Yield (description, response) for every hostile value of one parameter."""
    # A way back to the route itself (so it passes a "same page" prefix check), with a header
    # smuggled in after CR/LF.
    for value in [*HOSTILE_TEXT, f"{path}?\r\nSet-Cookie: pwned=1", f"{path}\n"]:
        if method == "GET":
            yield value[:20], client.get(path, query_string={key: value})
        else:
            yield value[:20], client.post(path, data={"csrf_token": token, key: value})
    for raw in HOSTILE_RAW:
        if method == "GET":
            yield raw, client.get(f"{path}?{quote(key)}={raw}")
        else:
            yield raw, client.post(path, data=f"csrf_token={quote(token)}&{quote(key)}={raw}",
                                   content_type="application/x-www-form-urlencoded")
    if method == "POST":
        for bad_key in HOSTILE_KEYS:
            yield bad_key, client.post(path, data={"csrf_token": token, bad_key: "sku",
                                                   key: "1", "action": "add"})
        yield "file", client.post(path, content_type="multipart/form-data", data={
            "csrf_token": token, key: (io.BytesIO(b"\x89PNG\r\n\x00binary"), "x.png")})
        yield "1 MB", client.post(path, data={"csrf_token": token, key: "y" * 1_000_000})
        yield "json", client.post(path, json=[1, 2], headers={"X-CSRFToken": token})
    yield "array", client.open(path, method=method, query_string=[(key, "1"), (key, "2")],
                               data={"csrf_token": token} if method == "POST" else None)


@pytest.mark.slow
@pytest.mark.db
def test_every_route_and_parameter_survives_hostile_input(app, admin, sandbox):
    app.request_class = RecordingRequest
    add_store(admin)
    add_store(admin, name="Second", marketplace="CA", website="2")
    store = store_named(app, "Amazon Store USA")
    connect(admin, store.id)
    several = _several_matches(app, admin, sandbox, store.id)  # so that choose reaches its redirect
    token = csrf_from(admin.get(f"{PREFIX}/learning").text)
    failures, requests_sent = [], 0
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint in ("static", "asc.static", "logout"):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            path = _path(rule, store.id, several.id)
            keys = _discover(admin, rule, method, path, token)
            for key in sorted(keys):
                for label, response in _attack(admin, method, path, key, token):
                    requests_sent += 1
                    before_refusal = response.status_code >= 400
                    if response.status_code >= 500:
                        failures.append((method, rule.rule, key, label, response.status_code))
                    if before_refusal:
                        assert "Set-Cookie" not in response.headers.get("Location", "")
            for bad in ("99999999999999999999", "-1", "0", "1e20", "x%0d%0a"):
                if "<int" in rule.rule:
                    response = admin.open(rule.rule.split("<")[0] + bad, method=method,
                                          data={"csrf_token": token})
                    requests_sent += 1
                    assert response.status_code < 500, (rule.rule, bad)
    print(f"\n{requests_sent} hostile requests")
    assert failures == []
    assert requests_sent > 500


def _several_matches(app, admin, sandbox, store_id) -> ListingItem:
    """Match the store's catalog (quickly) and return a product with several matches."""
    sandbox.settings(catalog_rate=50, catalog_burst=50)
    app.config.update(ASC_CATALOG_RATE=50, ASC_CATALOG_BACKOFF_SECONDS=0.05)
    start_match(admin, store_id)
    assert run_match_jobs(app) == ["done"]
    with app.app_context():
        item = plugin_state().session.scalars(sa.select(ListingItem).where(
            ListingItem.store_id == store_id, ListingItem.status == "several")).first()
        plugin_state().session.expunge(item)
    return item


def test_choose_with_cr_lf_in_back_redirects_safely_and_keeps_the_choice(app, admin, sandbox):
    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    connect(admin, store.id)
    several = _several_matches(app, admin, sandbox, store.id)
    asin = json.loads(several.candidates)[0]["asin"]
    listing = f"{PREFIX}/stores/{store.id}/listing"
    token = csrf_from(admin.get(listing).text)
    for back in (f"{listing}?status=several\r\nSet-Cookie: pwned=1", f"{listing}\n",
                 f"{listing}/../../../../../elsewhere", f"{listing}x", "//attacker.example"):
        response = admin.post(f"{listing}/{several.id}/choose",
                              data={"csrf_token": token, "asin": asin, "back": back})
        assert response.status_code == 303, (back, response.status_code)
        assert response.headers["Location"] == listing, back
        assert "pwned" not in str(response.headers)
    kept = admin.post(f"{listing}/{several.id}/choose", data={
        "csrf_token": token, "asin": asin, "back": f"{listing}?status=several&page=2"})
    assert kept.headers["Location"] == f"{listing}?status=several&page=2"
    with app.app_context():
        item = plugin_state().session.get(ListingItem, several.id)
        assert (item.status, item.asin) == ("matched", asin)


@pytest.mark.parametrize("path, data", [
    ("/learning/tasks/currency", {"done": "1", "next": "/\t/attacker.example/x"}),
    ("/stores/new", {"name": "x\r\nLocation: //evil", "contact_email": "a@b.c"}),
])
def test_refused_requests_write_nothing(app, admin, path, data):
    add_store(admin)
    before = _snapshot(app)
    token = csrf_from(admin.get(f"{PREFIX}/learning").text)
    response = admin.post(f"{PREFIX}{path}", data={"csrf_token": token, **data})
    assert response.status_code < 500
    if path.startswith("/stores/new"):
        assert _snapshot(app) == before  # the form refused it: nothing written
    else:
        assert response.headers["Location"] == f"{PREFIX}/learning"  # not the tab trick


def test_refusals_leave_the_database_exactly_as_it_was(app, admin):
    """Every hostile value sent to the store forms: when the answer is a refusal (4xx, or the
    form again with its errors), no table changed."""
    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    token = csrf_from(admin.get(f"{PREFIX}/stores/{store.id}").text)
    forms = {f"/stores/{store.id}/settings": {"name": "Kept", "contact_email": "k@example.com"},
             f"/stores/{store.id}/mapping": {"amazon_id_type": "UPC", "host_attribute": "upc"},
             "/stores/new": {"name": "New", "contact_email": "n@example.com", "website_id": "1",
                             "marketplace": "US", "amazon_id_type": "UPC",
                             "host_attribute": "upc"}}
    for path, valid in forms.items():
        for key in valid:
            for value in [*HOSTILE_TEXT, ""]:
                if value in ("-1", "0", "3.5", "nan", "inf", "1e20", "-1e20") and key in (
                        "name",):
                    continue  # a perfectly good store name
                before = _snapshot(app)
                response = admin.post(f"{PREFIX}{path}",
                                      data={"csrf_token": token, **valid, key: value})
                refused = response.status_code >= 400 or "asc-error" in response.text
                assert response.status_code < 500, (path, key, value[:20])
                if refused:
                    assert _snapshot(app) == before, (path, key, value[:20])


@pytest.mark.slow
def test_the_sandbox_survives_hostile_input(sandbox):
    client = sandbox.app.test_client()
    for rule in sandbox.app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        path = _path(rule, 1)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            for value in HOSTILE_TEXT:
                for key in ("next", "state", "redirect_uri", "application_id", "amazon_state",
                            "login", "otp", "code", "refresh_token", "grant_type", "days",
                            "routing", "delay", "version"):
                    if method == "GET":
                        response = client.get(path, query_string={key: value})
                    else:
                        response = client.post(path, data={key: value})
                    assert response.status_code < 500, (method, rule.rule, key, value[:20])


def test_one_parser_for_numbers_takes_ascii_digits_only():
    from asc_plugin.params import clean_keys, parse_int

    assert [parse_int(v, -7) for v in ("12", "0", "²", "١٢", "1e309", " 1", "+1", "-1", "",
                                       None, "2147483648", "99999999999")] == [
        12, 0, -7, -7, -7, -7, -7, -7, -7, -7, -7, -7]
    assert parse_int("5", 1, min=1, max=4) == 1
    posted = ImmutableMultiDict([("conditions-0-field", "sku"), ("conditions-²-field", "sku"),
                                 ("conditions-١٢-value", "x"), ("conditions-123456-field", "x"),
                                 ("match", "all")])
    assert list(clean_keys(posted)) == ["conditions-0-field", "match"]


def test_product_ids_take_ascii_digits_only():
    """Arabic-Indic digits match \\d and int() reads them: such a "UPC" would go to Amazon."""
    from asc_plugin.amazon.catalog import same_gtin
    from asc_plugin.models import ProductIdType
    from asc_plugin.services.product_ids import catalog_identifier, check

    arabic = "".join(chr(0x660 + int(d)) for d in "036000291452")
    assert check(ProductIdType.UPC, "036000291452") == (True, "valid")
    assert check(ProductIdType.UPC, arabic)[0] is False
    assert catalog_identifier(ProductIdType.EAN, "0" + arabic)[0] == "invalid"
    assert check(ProductIdType.ISBN, "030640615²")[0] is False
    assert same_gtin("036000291452", "0036000291452") and not same_gtin(arabic, arabic)
