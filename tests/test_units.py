"""Small pieces with one boundary each: encryption, product-id checks, htmx headers, config."""

from __future__ import annotations

import json

import pytest
from cryptography.fernet import Fernet
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st

from asc_plugin import htmx, marketplaces
from asc_plugin.config import DEFAULTS
from asc_plugin.crypto import KeyMismatch, TokenCipher
from asc_plugin.demo.app import config_from_env
from asc_plugin.htmx import trigger
from asc_plugin.models import ProductIdType
from asc_plugin.services.product_ids import check


def _gtin(body: str) -> str:
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return body + str((10 - total % 10) % 10)


def test_cipher_round_trip_and_rotation():
    old, new = Fernet.generate_key(), Fernet.generate_key()
    token = "Atzr|IwEBIA-example"
    encrypted_old = TokenCipher([old]).encrypt(token)
    both = TokenCipher([new, old])
    assert both.decrypt(encrypted_old) == token
    rotated = both.rotate(encrypted_old)
    assert TokenCipher([new]).decrypt(rotated) == token
    with pytest.raises(KeyMismatch):
        TokenCipher([new]).decrypt(encrypted_old)
    assert token not in encrypted_old


def test_cipher_keys_from_comma_separated_config():
    a, b = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    cipher = TokenCipher.from_config({**DEFAULTS, "ASC_ENCRYPTION_KEYS": f"{a}, {b}"})
    assert TokenCipher([b.encode()]).encrypt("x") and cipher.decrypt(
        TokenCipher([b.encode()]).encrypt("x")) == "x"


@pytest.mark.parametrize("id_type, value, ok", [
    (ProductIdType.UPC, "036000291452", True),
    (ProductIdType.UPC, "036000291453", False),
    (ProductIdType.UPC, "12345", False),
    (ProductIdType.EAN, "4006381333931", True),
    (ProductIdType.EAN, "4006381333932", False),
    (ProductIdType.ISBN, "9780306406157", True),
    (ProductIdType.ISBN, "0-306-40615-2", True),
    (ProductIdType.ISBN, "0306406153", False),
    (ProductIdType.ISBN, "1234567890123", False),
    (ProductIdType.ASIN, "B07XJ8C8F5", True),
    (ProductIdType.ASIN, "B07XJ8C8F", False),
    (ProductIdType.GCID, "0123456789ABCDEF", True),
    (ProductIdType.SELLER_SKU, "x" * 41, False),
    (ProductIdType.SELLER_SKU, "", False),
])
def test_product_id_checks(id_type, value, ok):
    assert check(id_type, value)[0] is ok


@given(st.text(alphabet="0123456789", min_size=11, max_size=11))
def test_every_upc_with_its_check_digit_is_valid(body):
    assert check(ProductIdType.UPC, _gtin(body)) == (True, "valid")


@given(st.text(alphabet="0123456789", min_size=12, max_size=12), st.integers(1, 9))
def test_a_wrong_ean_check_digit_is_caught(body, delta):
    good = _gtin(body)
    bad = good[:-1] + str((int(good[-1]) + delta) % 10)
    assert check(ProductIdType.EAN, bad) == (False, "check digit is wrong")


@given(st.sampled_from(list(ProductIdType)), st.text())
def test_checks_never_crash(id_type, value):
    ok, reason = check(id_type, value)
    assert isinstance(ok, bool) and reason


def test_trigger_merges_and_escapes():
    app = Flask(__name__)
    with app.test_request_context():
        response = app.response_class()
        trigger(response, "asc:close-dialog")
        trigger(response, "asc:banner", {"level": "success", "message": "<b>“Tokyo” 店</b>"})
        assert response.headers["HX-Trigger"] == (
            '{"asc:close-dialog": null, "asc:banner": {"level": "success", "message": '
            '"\\u003cb\\u003e\\u201cTokyo\\u201d \\u5e97\\u003c/b\\u003e"}}')
        assert json.loads(response.headers["HX-Trigger"])["asc:banner"]["message"] == (
            "<b>“Tokyo” 店</b>")


def test_trigger_keeps_events_set_by_hand_and_reads_them_back():
    app = Flask(__name__)
    with app.test_request_context():
        response = app.response_class()
        response.headers["HX-Trigger-After-Settle"] = "asc:one, asc:two"
        trigger(response, "asc:three", {"n": 3}, after="settle")
        assert htmx.events(response, after="settle") == {
            "asc:one": None, "asc:two": None, "asc:three": {"n": 3}}
        assert htmx.events(response) == {} and "HX-Trigger" not in response.headers


@pytest.mark.parametrize(("headers", "fragment"), [
    ({"HX-Request": "true", "HX-Target": "asc-orders"}, True),
    ({"HX-Request": "true"}, False),  # htmx swaps the answer into an element without an id
    ({"HX-Request": "true", "HX-Target": "asc-sync"}, False),  # another element's
    ({"HX-Request": "true", "HX-Target": "asc-orders", "HX-Boosted": "true"}, False),
    ({"HX-Request": "true", "HX-Target": "asc-orders",
      "HX-History-Restore-Request": "true"}, False),
    ({"HX-Target": "asc-orders"}, False),  # not htmx at all
])
def test_a_fragment_only_for_htmx_swapping_it_into_its_own_element(headers, fragment):
    app = Flask(__name__)
    with app.test_request_context(headers=headers):
        assert htmx.wants_fragment("asc-orders") is fragment


def test_the_request_details_decode_what_htmx_encoded():
    app = Flask(__name__)
    with app.test_request_context(headers={
            "HX-Request": "true", "HX-Current-URL": "http://shop.example/%E5%95%86%E5%BA%97",
            "HX-Current-URL-URI-AutoEncoded": "true", "HX-Trigger": "asc-x"}):
        found = htmx.details()
        assert found and found.wants_fragment and not found.boosted
        assert found.current_url == "http://shop.example/商店"
        assert found.trigger == "asc-x" and found.target is None and found.trigger_name is None
    with app.test_request_context():
        assert not htmx.details() and not htmx.is_htmx()


def test_one_helper_per_response_header():
    app = Flask(__name__)
    response = app.response_class()
    htmx.reselect(htmx.retarget(htmx.reswap(response, "outerHTML"), "#asc-a"), "#asc-b")
    htmx.push_url(response, False)
    htmx.replace_url(response, "/x?y=1")
    htmx.location(response, "/next", target="#asc-a", swap="innerHTML")
    assert htmx.refresh(htmx.client_redirect(response, "/away")) is response
    assert {k: v for k, v in response.headers.items() if k.startswith("HX-")} == {
        "HX-Reswap": "outerHTML", "HX-Retarget": "#asc-a", "HX-Reselect": "#asc-b",
        "HX-Push-Url": "false", "HX-Replace-Url": "/x?y=1",
        "HX-Location": '{"path": "/next", "target": "#asc-a", "swap": "innerHTML"}',
        "HX-Redirect": "/away", "HX-Refresh": "true"}
    assert htmx.location(app.response_class(), "/plain").headers["HX-Location"] == "/plain"
    assert set(htmx.vary_on_htmx(response).vary) == {"HX-Request", "HX-Target", "HX-Boosted"}


def test_marketplace_table_has_the_seed_four_enabled():
    enabled = marketplaces.enabled(DEFAULTS)
    assert [m.country for m in enabled] == ["United States", "Canada", "Mexico", "United Kingdom"]
    assert marketplaces.get("gb") is marketplaces.get("UK")
    assert marketplaces.get("US").marketplace_id == "ATVPDKIKX0DER"
    assert marketplaces.seller_central_url(DEFAULTS, "UK") == (
        "https://sellercentral-europe.amazon.com")
    assert marketplaces.spapi_endpoint(DEFAULTS, "FE") == "https://sellingpartnerapi-fe.amazon.com"


def test_unconfirmed_marketplaces_need_an_explicit_url():
    config = {**DEFAULTS, "ASC_ENABLED_MARKETPLACES": ("US", "IE")}
    assert [m.code for m in marketplaces.enabled(config)] == ["US"]
    config["ASC_AMAZON_SELLER_CENTRAL_URLS"] = {"IE": "https://sellercentral.amazon.ie"}
    assert [m.code for m in marketplaces.enabled(config)] == ["US", "IE"]


def test_production_defaults_point_at_the_real_amazon():
    assert DEFAULTS["ASC_AMAZON_TOKEN_URL"] == "https://api.amazon.com/auth/o2/token"
    assert DEFAULTS["ASC_AMAZON_SELLER_CENTRAL_URLS"] == {}
    assert DEFAULTS["ASC_AMAZON_SPAPI_ENDPOINTS"] == {}
    assert DEFAULTS["ASC_AMAZON_HTTP_TIMEOUT"] == 10


def test_demo_reads_config_from_environment():
    env = {"ASC_URL_PREFIX": "/backend/amazon", "ASC_AMAZON_SPAPI_ENDPOINTS": '{"NA": "x"}',
           "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://u@h/db", "PATH": "/bin",
           "ASC_AMAZON_DRAFT_APP": "true"}
    assert config_from_env(env) == {
        "ASC_URL_PREFIX": "/backend/amazon", "ASC_AMAZON_SPAPI_ENDPOINTS": {"NA": "x"},
        "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://u@h/db", "ASC_AMAZON_DRAFT_APP": True}


def test_vendored_htmx_matches_its_recorded_sha256():
    import hashlib
    from pathlib import Path

    vendor = Path(__file__).resolve().parents[1] / "static/asc/vendor"
    digest, name = (vendor / "htmx.sha256").read_text().split()
    assert name.startswith("htmx-2.0.") and name.endswith(".min.js")
    assert hashlib.sha256((vendor / name).read_bytes()).hexdigest() == digest
    assert "Zero-Clause BSD" in (vendor / "htmx-LICENSE.txt").read_text()


def test_two_banners_on_one_htmx_response_are_both_kept():
    from flask import Flask

    from asc_plugin.views.banners import banner

    app = Flask(__name__)
    with app.test_request_context(headers={"HX-Request": "true"}):
        response = app.response_class()
        banner(response, "success", "One.")
        banner(response, "warning", "Two.")
        assert json.loads(response.headers["HX-Trigger"]) == {"asc:banner": {"banners": [
            {"level": "success", "message": "One."}, {"level": "warning", "message": "Two."}]}}


def test_published_readme_images_point_somewhere_real_or_become_text():
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location(
        "hatch_build", Path(__file__).resolve().parents[1] / "hatch_build.py")
    hook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hook)
    text = "See ![The home page](docs/screenshots/09.png) and ![x](https://cdn.example/y.png)."
    assert hook.published_readme(text, None) == (
        "See *(The home page)* and ![x](https://cdn.example/y.png).")
    assert hook.published_readme(text, "https://git.example.org/raw/v1/") == (
        "See ![The home page](https://git.example.org/raw/v1/docs/screenshots/09.png) and "
        "![x](https://cdn.example/y.png).")


def test_every_activity_event_has_a_message_and_every_message_an_event():
    """An event recorded without a message would show an empty line in the activity log."""
    from asc_plugin.models import ActivityEvent
    from asc_plugin.services import activity_messages as messages

    known = set(messages.TEMPLATES) | set(messages.VARIANTS) | set(messages._RENDERERS)
    assert known == {event.value for event in ActivityEvent}
    assert sum(map(len, (messages.TEMPLATES, messages.VARIANTS, messages._RENDERERS))) == \
        len(ActivityEvent)  # one way to render each


def test_stored_states_are_their_plain_values():
    """Enum members go to the database and to templates as the strings they always were."""
    from asc_plugin.models import ItemStatus, JobStatus
    from asc_plugin.services.runner import RunOutcome

    assert JobStatus.PAUSED == "paused" and f"{JobStatus.PAUSED}" == "paused"
    assert str(ItemStatus.NO_MATCH) == "no_match" and json.dumps([RunOutcome.LOST]) == '["lost"]'
    assert {"matched": 1}[ItemStatus.MATCHED] == 1
