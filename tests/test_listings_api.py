"""The Listings Items, Restrictions, Definitions and Feeds clients against the live sandbox,
and each way Amazon answers: accepted and processed later, refused with issues, needing
approval, rate-limited, refused for a missing role, unavailable."""

from __future__ import annotations

import gzip
import json

import pytest
import requests
from test_catalog_api import US, token  # noqa: F401 - the token fixture

from asc_plugin.amazon import definitions, feeds, listings, restrictions, spapi
from asc_plugin.sandbox import listings as sandbox_listings
from asc_plugin.sandbox.listings import PROCESSING_SECONDS, verdict

SELLER_ID = "A3FH4EXAMPLE"


def asin_with(kind: str, skip: int = 0) -> str:
    """A well-formed ASIN the sandbox treats as ``kind`` (approval, price_cap, ok, …)."""
    found = [f"B0T{n:07d}" for n in range(5000) if verdict(f"B0T{n:07d}") == kind]
    return found[skip]


@pytest.fixture()
def seller(token):  # noqa: F811
    return spapi.Seller(region="NA", access_token=token, seller_id=SELLER_ID,
                        marketplace_id=US)


def offer(asin, price="19.99", quantity=5, currency="USD", condition="new_new"):
    return listings.offer_body(product_type="SHOES", marketplace_id=US, asin=asin,
                               condition=condition, price=__import__("decimal").Decimal(price),
                               currency=currency, quantity=quantity, handling_days=2)


def later(sandbox, seconds=PROCESSING_SECONDS + 1):
    sandbox.move_clock(days=seconds / 86400)


def faults(sandbox, **switches):
    requests.post(f"{sandbox.url}/_sandbox/listings/faults", json=switches,
                  timeout=10).raise_for_status()


def test_an_offer_is_validated_accepted_then_buyable_once_processed(app, sandbox, seller):
    asin = asin_with("ok")
    with app.test_request_context():
        preview = listings.put(seller, "shoe/1 ü", offer(asin), preview=True)
        assert (preview.status, preview.asin, preview.issues) == ("VALID", asin, [])
        assert listings.get(seller, "shoe/1 ü") is None  # a preview keeps nothing
        accepted = listings.put(seller, "shoe/1 ü", offer(asin))
        assert accepted.status == "ACCEPTED" and accepted.submission_id
        assert accepted.request_id
        assert listings.get(seller, "shoe/1 ü") is None  # not processed yet
        later(sandbox)
        listing = listings.get(seller, "shoe/1 ü")
    assert listing.sku == "shoe/1 ü" and listing.asin == asin
    assert listing.statuses == ("BUYABLE", "DISCOVERABLE")
    assert (str(listing.price), listing.currency, listing.quantity) == ("19.99", "USD", 5)
    made = requests.get(f"{sandbox.url}/_sandbox/listings/requests", timeout=10).json()
    assert any(r["path"].endswith("/shoe/1 ü") for r in made["requests"])


@pytest.mark.parametrize(("change", "code"), [
    ({"condition": "brand_new"}, "4000001"),
    ({"currency": "EUR"}, "8560"),
    ({"price": "0"}, "8541"),
])
def test_an_invalid_offer_is_refused_with_amazons_issue(app, seller, change, code):
    with app.test_request_context():
        answer = listings.put(seller, "sku-bad", offer(asin_with("ok"), **change))
        assert answer.status == "INVALID"
        assert code in {i.code for i in answer.issues}
        assert all(i.severity == "ERROR" and i.message for i in answer.issues)


def test_a_missing_condition_is_amazons_90220(app, seller):
    body = offer(asin_with("ok"))
    del body["attributes"]["condition_type"]
    with app.test_request_context():
        answer = listings.put(seller, "sku-nocond", body)
    (issue,) = answer.issues
    assert (issue.code, issue.attribute_names, issue.categories) == (
        "90220", ("condition_type",), ("MISSING_ATTRIBUTE",))
    assert issue.message == "'condition_type' is required but not supplied."


def test_restrictions_name_the_approval_link_and_not_eligible(app, seller):
    with app.test_request_context():
        (approval,) = restrictions.get(seller, asin_with("approval"), "new_new")
        (refused,) = restrictions.get(seller, asin_with("not_eligible"), "new_new")
        assert restrictions.get(seller, asin_with("ok"), "new_new") == []
        put = listings.put(seller, "sku-gated", offer(asin_with("approval")))
    assert approval.reason_code == "APPROVAL_REQUIRED"
    assert approval.link.startswith("https://sellercentral.amazon.com/")
    assert refused.reason_code == "NOT_ELIGIBLE" and refused.link is None
    assert put.status == "INVALID" and put.issues[0].categories == ("QUALIFICATION_REQUIRED",)


def test_a_price_over_the_asins_maximum_is_an_error_after_processing(app, sandbox, seller):
    asin = asin_with("price_cap")
    with app.test_request_context():
        assert listings.put(seller, "sku-cap", offer(asin, price="89.99")).status == "ACCEPTED"
        assert listings.put(seller, "sku-cheap", offer(asin, price="29.99")).status == \
            "ACCEPTED"
        later(sandbox)
        page = listings.search(seller, ["sku-cap", "sku-cheap"])
    by_sku = {listing.sku: listing for listing in page.listings}
    (issue,) = by_sku["sku-cap"].issues
    assert issue.severity == "ERROR" and issue.attribute_names == ("purchasable_offer",)
    assert "Maximum Seller Allowed Price" in issue.message
    assert by_sku["sku-cap"].statuses == ()
    assert by_sku["sku-cheap"].statuses == ("BUYABLE", "DISCOVERABLE")


def test_definitions_say_whether_the_offer_takes_a_handling_time(app, seller):
    with app.test_request_context():
        schema = definitions.offer_only(seller, "SHOES")
    assert schema.handling_time and "purchasable_offer" in schema.attributes
    assert schema.version


def test_search_pages_twenty_at_most_with_a_token_for_the_same_query(app, sandbox, seller):
    faults(sandbox, rate_scale=20)
    with app.test_request_context():
        for n in range(25):
            listings.put(seller, f"sku-{n:02d}", offer(asin_with("ok", n)))
        later(sandbox)
        first = listings.search(seller, page_size=20)
        second = listings.search(seller, page_token=first.next_token, page_size=20)
        assert (len(first.listings), first.total, len(second.listings)) == (20, 25, 5)
        assert second.next_token is None
        assert {x.sku for x in first.listings + second.listings} == {
            f"sku-{n:02d}" for n in range(25)}
        with pytest.raises(spapi.Rejected):  # a token is valid only for its own query
            listings.search(seller, ["sku-01"], page_token=first.next_token)
        with pytest.raises(ValueError):
            listings.search(seller, [f"s{n}" for n in range(21)])


def test_ending_an_offer_deletes_it(app, sandbox, seller):
    with app.test_request_context():
        listings.put(seller, "sku-end", offer(asin_with("ok")))
        later(sandbox)
        assert listings.delete(seller, "sku-end").status == "ACCEPTED"
        assert listings.get(seller, "sku-end") is None


def test_the_listings_rate_limit_is_amazons_and_429_has_no_rate_header(sandbox, token):  # noqa: F811
    url = f"{sandbox.url}/spapi/na/listings/2021-08-01/items/{SELLER_ID}"
    headers = {"x-amz-access-token": token, "user-agent": "t/1 (Language=Python)"}
    answers = [requests.get(url, params={"marketplaceIds": US}, headers=headers, timeout=10)
               for _ in range(7)]
    statuses = [a.status_code for a in answers]
    assert statuses[:5] == [200] * 5 and 429 in statuses[5:]
    refused = next(a for a in answers if a.status_code == 429)
    assert "x-amzn-RateLimit-Limit" not in refused.headers
    assert refused.headers["x-amzn-RequestId"]
    assert refused.json()["errors"][0]["code"] == "QuotaExceeded"
    assert answers[0].headers["x-amzn-RateLimit-Limit"] == "5"


@pytest.mark.parametrize(("fault", "error"), [
    ("403_role", spapi.RoleMissing), ("403", spapi.TokenRefused), ("429", spapi.Throttled),
    ("429_empty", spapi.Throttled), ("500", spapi.Unavailable), ("503", spapi.Unavailable),
    ("badjson", spapi.Unavailable)])
def test_each_fault_is_read_as_what_it_means(app, sandbox, seller, fault, error):
    faults(sandbox, listings=fault, times=1)
    with app.test_request_context(), pytest.raises(error) as raised:
        listings.search(seller, ["sku-1"])
    if fault != "badjson":
        assert raised.value.request_id
    if fault == "403_role":
        assert "Product Listing" in raised.value.message
        assert raised.value.audience == "operator"
    with app.test_request_context():  # the fault was for one request only
        assert listings.search(seller, ["sku-1"]).listings == []


# --- Feeds --------------------------------------------------------------------------------------

def _run_feed(app, sandbox, seller, messages):
    import time

    with app.test_request_context():
        doc = feeds.create_document(seller)
        content = feeds.document(seller, messages)
        feeds.upload(doc.url, content)
        feed_id = feeds.create_feed(seller, doc.document_id)
        seen = []
        for _ in range(100):
            feed = feeds.get_feed(seller, feed_id)
            if not seen or seen[-1] != feed.status:
                seen.append(feed.status)
            if feed.status in feeds.FINAL:
                break
            time.sleep(0.5)  # getFeed's rate is 2/s
        report = feeds.download_report(feeds.get_document(seller, feed.result_document_id))
    return content, seen, report


def _message(n, asin, **kwargs):
    body = offer(asin, **kwargs)
    return {"messageId": n, "sku": f"feed-{n}", "operationType": "UPDATE",
            "productType": body["productType"], "requirements": "LISTING_OFFER_ONLY",
            "attributes": body["attributes"]}


@pytest.mark.parametrize("zipped", [True, False])
def test_a_feed_is_queued_processed_and_reported_per_message(app, sandbox, seller, zipped):
    faults(sandbox, gzip=zipped)
    messages = [_message(1, asin_with("ok")), _message(2, asin_with("ok", 1), currency="CAD"),
                _message(3, asin_with("approval"))]
    content, seen, report = _run_feed(app, sandbox, seller, messages)
    assert seen[0] in ("IN_QUEUE", "IN_PROGRESS") and seen[-1] == "DONE"
    issues = feeds.report_issues(report)
    assert set(issues) == {2, 3}
    assert issues[2][0]["code"] == "8560" and issues[2][0]["attribute_names"] == [
        "purchasable_offer"]
    assert report["summary"]["messagesAccepted"] == 1
    later(sandbox)
    with app.test_request_context():
        assert listings.get(seller, "feed-1").statuses == ("BUYABLE", "DISCOVERABLE")
        assert listings.get(seller, "feed-2") is None


def test_the_upload_url_expires_after_five_minutes(app, sandbox, seller):
    with app.test_request_context():
        doc = feeds.create_document(seller)
        sandbox.move_clock(days=301 / 86400)
        with pytest.raises(spapi.Rejected):
            feeds.upload(doc.url, feeds.document(seller, [_message(1, asin_with("ok"))]))


def test_a_feed_that_is_not_a_listings_feed_is_fatal(app, sandbox, seller, token):  # noqa: F811
    with app.test_request_context():
        doc = feeds.create_document(seller)
        requests.put(doc.url, data=b"not json", timeout=10).raise_for_status()
        feed_id = feeds.create_feed(seller, doc.document_id)
        import time
        for _ in range(20):
            feed = feeds.get_feed(seller, feed_id)
            if feed.status in feeds.FINAL:
                break
            time.sleep(0.5)
    assert feed.status == "FATAL"


def test_json_listings_feed_allows_five_submissions_per_five_minutes(app, sandbox, seller):
    with app.test_request_context():
        refused = None
        for n in range(6):
            doc = feeds.create_document(seller)
            feeds.upload(doc.url, feeds.document(seller, [_message(1, asin_with("ok"))]))
            try:
                feeds.create_feed(seller, doc.document_id)
            except spapi.Throttled as throttled:
                refused = n
                assert throttled.request_id
                break
    assert refused == 5


def test_the_sandbox_report_is_gzip_when_it_says_so(app, sandbox, seller):
    _content, _seen, report = _run_feed(app, sandbox, seller, [_message(1, asin_with("ok"))])
    assert report["header"]["sellerId"] == SELLER_ID and report["summary"]["errors"] == 0
    feed_ids = list(sandbox.state.offers.feeds)
    doc = sandbox.state.offers.documents[sandbox.state.offers.feeds[feed_ids[-1]]["result"]]
    assert json.loads(gzip.decompress(doc["data"]))["summary"]["messagesProcessed"] == 1
    assert sandbox_listings.PROCESSING_SECONDS > 0
