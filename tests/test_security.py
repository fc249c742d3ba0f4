"""Every plugin route, found from the URL map: refused to anonymous users, CSRF on mutations."""

from __future__ import annotations

import re

import pytest
from helpers import PREFIX, add_store, csrf_from, store_named

from asc_plugin.models import Store
from asc_plugin.state import plugin_state


def _plugin_rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint.startswith("asc.")]


def _url(rule, store_id=1):
    path = re.sub(r"<(?:int(?:\([^)]*\))?:)?store_id>", str(store_id), rule.rule)
    path = re.sub(r"<(?:path:)?filename>", "asc/asc.css", path)
    path = re.sub(r"<key>", "selling_plan", path)
    path = re.sub(r"<field>", "name", path)
    path = re.sub(r"<(?:int(?:\([^)]*\))?:)?(?:item|order|offer)_id>", "1", path)
    assert "<" not in path, path
    return path


def test_every_route_refuses_anonymous_users(app, client):
    rules = _plugin_rules(app)
    assert len(rules) >= 15
    token = csrf_from(client.get("/login").text)  # a valid token, so only the access check is left
    for rule in rules:
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = client.open(_url(rule), method=method, data={"csrf_token": token})
            assert response.status_code in (302, 403), (rule.rule, method)
            if response.status_code == 302:
                assert response.headers["Location"].startswith("/login?next=")


def test_every_mutation_refuses_missing_or_wrong_csrf(app, admin):
    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    posts = [r for r in _plugin_rules(app) if "POST" in r.methods]
    assert posts
    for rule in posts:
        for headers, data in (({}, {}), ({}, {"csrf_token": "forged"}),
                              ({"HX-Request": "true", "X-CSRFToken": "forged"}, {})):
            response = admin.post(_url(rule, store.id), headers=headers, data=data)
            assert response.status_code == 400, (rule.rule, headers, data)
            if headers:
                assert response.headers["HX-Reswap"] == "none"
                assert "form has expired" in response.headers["HX-Trigger"]
    with app.app_context():
        assert plugin_state().session.get(Store, store.id) is not None


def test_htmx_csrf_header_is_accepted(app, admin):
    page = admin.get(f"{PREFIX}/learning")
    token = re.search(r'"X-CSRFToken": "([^"]+)"', page.text).group(1)
    response = admin.post(f"{PREFIX}/learning/tasks/currency", data={"done": "1"},
                          headers={"HX-Request": "true", "X-CSRFToken": token})
    assert response.status_code == 200


def test_no_get_changes_anything(app, admin):
    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    with app.app_context():
        engine = plugin_state().db.engine
    from sqlalchemy import event

    writes = []

    def listener(conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith("SELECT"):
            writes.append(statement)

    event.listen(engine, "before_cursor_execute", listener)
    try:
        for rule in _plugin_rules(app):
            if "GET" in rule.methods and rule.endpoint not in (
                    "asc.connect_callback", "asc.connect_login"):
                admin.get(_url(rule, store.id), headers={"HX-Request": "true"})
                admin.get(_url(rule, store.id))
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert writes == []


@pytest.mark.parametrize("target", ["//evil.example.com/x", "https://evil.example.com",
                                    "/\\evil.example.com"])
def test_next_urls_refuse_other_hosts(admin, target):
    page = admin.get(f"{PREFIX}/learning")
    response = admin.post(f"{PREFIX}/learning/tasks/currency", data={
        "csrf_token": csrf_from(page.text), "done": "1", "next": target})
    assert response.status_code == 303
    assert response.headers["Location"] == f"{PREFIX}/learning"


def test_pages_use_no_inline_script_or_handlers(admin):
    add_store(admin)
    for path in ("/", "/learning", "/attributes", "/stores/new?step=form", "/stores/1"):
        html = admin.get(f"{PREFIX}{path}").text
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert not re.search(r"\son[a-z]+=", html), path
        assert " style=" not in html, path


HOSTILE = [
    "<script>alert(1)</script>",
    '" onmouseover="alert(1)" x="',
    "javascript:alert(1)",
    "'><svg/onload=alert(1)>",
]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_strings_are_escaped_everywhere(app, admin, hostile):
    import json

    response = add_store(admin, name=hostile, htmx=True)
    banner = json.loads(response.headers["HX-Trigger"])["asc:banner"]["message"]
    assert hostile in banner  # the JSON carries the text; asc.js inserts it with textContent
    assert "<" not in response.headers["HX-Trigger"]
    store = store_named(app, hostile)
    for path in ("/", f"/stores/{store.id}", "/attributes", f"/stores/{store.id}/delete",
                 f"/stores/{store.id}/disconnect"):
        html = admin.get(f"{PREFIX}{path}").text
        assert hostile not in html or not any(c in hostile for c in "<>\"'"), path
        assert "<script>alert" not in html and "<svg/onload" not in html
        assert 'onmouseover="alert' not in html


@pytest.mark.parametrize("control", ["\u202e", "\u202a", "\u2066", "\u2069"])
def test_text_direction_controls_are_refused_in_names(app, admin, control):
    """They make a name read differently than it is stored, and reorder the CLI's columns."""
    response = add_store(admin, name=f"{control}evil{control} RTL")
    assert "Remove the invisible text-direction characters" in response.text
    with app.app_context():
        assert plugin_state().session.query(Store).count() == 0


def test_very_long_and_nul_input_is_refused_with_a_message(app, admin):
    long = add_store(admin, name="x" * 5000)
    assert "A store name has at most 100 characters." in long.text
    nul = add_store(admin, name="a\x00b", email="a\x00@example.com")
    assert "Remove the invisible control characters" in nul.text
    with app.app_context():
        assert plugin_state().session.query(Store).count() == 0


def test_secrets_never_reach_pages_logs_or_the_activity_log(app, admin, sandbox, caplog):
    import logging

    import requests
    from helpers import connect

    from asc_plugin.models import ActivityLog
    from asc_plugin.sandbox import config as sandbox_config

    caplog.set_level(logging.DEBUG)
    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    seen = [connect(admin, store.id).get_data(as_text=True)]
    for path in ("/", f"/stores/{store.id}", f"/stores/{store.id}/card",
                 f"/stores/{store.id}/connect/status"):
        seen.append(admin.get(f"{PREFIX}{path}").text)
    issued = requests.get(f"{sandbox.url}/_sandbox/authorizations", timeout=5).json()
    refresh_token = issued["authorizations"][0]["refresh_token"]
    with app.app_context():
        from asc_plugin.services import tokens

        access_token = tokens.access_token(store.id)
        log = " ".join(f"{e.message} {e.params}" for e in plugin_state().session.query(ActivityLog))
    secrets = [refresh_token, access_token, sandbox_config.CLIENT_SECRET, *issued["codes"]]
    for secret in secrets:
        assert secret not in caplog.text
        assert secret not in log
        assert all(secret not in page for page in seen)


def test_access_log_lines_lose_codes_and_states():
    from asc_plugin.logs import redact

    line = ('127.0.0.1 - - "GET /admin/amazon/connect/callback?state=abc&selling_partner_id=A1'
            '&spapi_oauth_code=ANsecret HTTP/1.1" 303 -')
    assert redact(line) == ('127.0.0.1 - - "GET /admin/amazon/connect/callback?state=[redacted]'
                            '&selling_partner_id=A1&spapi_oauth_code=[redacted] HTTP/1.1" 303 -')


@pytest.mark.parametrize("line, secret", [
    ('"GET /login?next=/admin/amazon/connect/callback%3Fstate%3DS3CR3T%26selling_partner_id%3D'
     'A1%26spapi_oauth_code%3DANsecret HTTP/1.1" 302 -', "ANsecret"),
    ('"GET /login?next=%2Fadmin%2Famazon%2Fconnect%2Fcallback%253Fstate%253DS3CR3T%2526'
     'spapi_oauth_code%253DANsecret HTTP/1.1" 302 -', "ANsecret"),
    ('"GET /login?next=/admin/amazon/connect/login%3Famazon_callback_uri%3Dhttps%253A%252F%252F'
     'sellercentral.amazon.com%26amazon_state%3DAMZSTATE%26selling_partner_id%3DA1 HTTP/1.1"',
     "AMZSTATE"),
    ('"GET /admin/amazon/connect/login?handoff=H4ND0FF HTTP/1.1" 303 -', "H4ND0FF"),
])
def test_encoded_codes_and_states_are_redacted_too(line, secret):
    from asc_plugin.logs import redact

    assert secret not in redact(line) and "S3CR3T" not in redact(line)
    assert "[redacted]" in redact(line)


@pytest.mark.parametrize("target", ["/\t/attacker.example/x", "/%09/attacker.example/x",
                                    "/\r\n/attacker.example", "/\\attacker.example",
                                    "https://attacker.example", "//attacker.example",
                                    " /x", "/x\x00", "java\tscript:alert(1)"])
def test_one_safe_redirect_check_for_plugin_demo_and_sandbox(app, admin, client, sandbox, target):
    from urllib.parse import unquote

    from asc_plugin.safe_redirect import is_safe_path

    assert not is_safe_path(unquote(target))
    page = admin.get(f"{PREFIX}/learning")
    plugin = admin.post(f"{PREFIX}/learning/tasks/currency", data={
        "csrf_token": csrf_from(page.text), "done": "1", "next": unquote(target)})
    assert plugin.headers["Location"] == f"{PREFIX}/learning"
    login_page = client.get("/login", query_string={"next": unquote(target)})
    assert 'name="next" value="/dashboard"' in login_page.text
    demo = client.post("/login", data={"csrf_token": csrf_from(login_page.text),
                                       "username": "admin", "password": "admin",
                                       "next": unquote(target)})
    assert demo.headers["Location"] == "/dashboard"
    from asc_plugin.sandbox.seller_central import _next

    with sandbox.app.test_request_context("/", query_string={"next": unquote(target)}):
        assert _next() is None


def test_pages_and_redirects_are_not_cached_and_the_demo_sends_the_same_headers(app, admin,
                                                                               client):
    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    page = admin.get(f"{PREFIX}/stores/{store.id}")
    connect = admin.post(f"{PREFIX}/stores/{store.id}/connect",
                         data={"csrf_token": csrf_from(page.text)})
    for response in (page, connect, admin.get(f"{PREFIX}/"), client.get("/login"),
                     client.get(f"{PREFIX}/"), admin.get("/dashboard")):
        assert response.headers["Cache-Control"] == "no-store", response.request.path
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert connect.headers["Referrer-Policy"] == "no-referrer"
    assert admin.get(f"{PREFIX}/static/asc/asc.css").headers.get("Cache-Control") != "no-store"


def test_a_huge_form_is_refused_with_a_clear_message_and_long_fields_are_not_echoed(app, admin):
    page = admin.get(f"{PREFIX}/stores/new?step=form")
    token = csrf_from(page.text)
    huge = admin.post(f"{PREFIX}/stores/new", data={"csrf_token": token, "name": "x" * 5_000_000})
    assert huge.status_code == 413
    assert "more than this form accepts" in huge.text and len(huge.text) < 50_000
    htmx = admin.post(f"{PREFIX}/stores/new", headers={"HX-Request": "true"},
                      data={"csrf_token": token, "name": "x" * 5_000_000})
    assert htmx.status_code == 413 and "more than this form accepts" in htmx.headers["HX-Trigger"]
    long = admin.post(f"{PREFIX}/stores/new", data={"csrf_token": token, "name": "y" * 60_000})
    assert "A store name has at most 100 characters." in long.text
    assert "y" * 102 not in long.text
    with app.app_context():
        assert plugin_state().session.query(Store).count() == 0


def test_per_store_access_when_the_host_decides_it(make_app, sandbox):
    """A host's can_manage(store): every store route, list and count follows it."""
    from flask import session

    from asc_plugin.demo.app import DemoHost

    class TenantHost(DemoHost):
        def can_manage(self, store):
            return store.name.startswith(session.get("admin", "") + ":")

    app = make_app()
    app.extensions["asc"].host = TenantHost(app.extensions["asc"].host.catalog)
    alice, bob = app.test_client(), app.test_client()
    for client, name in ((alice, "alice"), (bob, "bob")):
        with client.session_transaction() as s:
            s["admin"] = name
    add_store(alice, name="alice:US")
    add_store(bob, name="bob:CA", marketplace="CA", website="2")
    theirs = store_named(app, "bob:CA")
    token = csrf_from(alice.get(f"{PREFIX}/learning").text)
    for rule in _plugin_rules(app):
        if "store_id" not in rule.rule:
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = alice.open(_url(rule, theirs.id), method=method,
                                  data={"csrf_token": token})
            assert response.status_code == 404, (rule.rule, method)
    for path in ("/", "/attributes"):
        page = alice.get(f"{PREFIX}{path}").text
        assert "alice:US" in page and "bob:CA" not in page
    assert "bob:CA" in bob.get(f"{PREFIX}/").text
    assert store_named(app, "bob:CA").name == "bob:CA"  # untouched by alice's attempts
