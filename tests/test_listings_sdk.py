"""The sandbox's Listings, Restrictions, Definitions and Feeds APIs as Amazon's own SDK sees
them, every request the plugin made replayed through the SDK, and the feed document checked
against the JSON_LISTINGS_FEED schema's required structure."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace

import jsonschema
import pytest
import requests
from test_catalog_api import US, token  # noqa: F401 - the token fixture
from test_listings_api import SELLER_ID, asin_with, faults, later, offer, seller  # noqa: F401

from asc_plugin.amazon import feeds, listings

#: The required structure of schemas/feeds/listings-feed-schema-v2.json (header with sellerId
#: and version 2.0; messages 1–25,000 with messageId 1..2^31-1, sku, operationType; UPDATE needs
#: productType and attributes), transcribed from shared/amazon-listings-orders.md §2.
LISTINGS_FEED = {
    "type": "object", "required": ["header", "messages"],
    "properties": {
        "header": {"type": "object", "required": ["sellerId", "version"], "properties": {
            "sellerId": {"type": "string"}, "version": {"const": "2.0"},
            "issueLocale": {"type": "string"},
            "report": {"type": "object", "properties": {"includedData": {"type": "array"}}}}},
        "messages": {"type": "array", "minItems": 1, "maxItems": 25000, "items": {
            "type": "object", "required": ["messageId", "sku", "operationType"],
            "properties": {
                "messageId": {"type": "integer", "minimum": 1, "maximum": 2147483647},
                "sku": {"type": "string"},
                "operationType": {"enum": ["UPDATE", "PARTIAL_UPDATE", "PATCH", "DELETE"]},
                "productType": {"type": "string"},
                "requirements": {"enum": ["LISTING", "LISTING_PRODUCT_ONLY",
                                          "LISTING_OFFER_ONLY"]},
                "attributes": {"type": "object"}, "patches": {"type": "array"}},
            "allOf": [
                {"if": {"properties": {"operationType": {"const": "UPDATE"}}},
                 "then": {"required": ["productType", "attributes"]}},
                {"if": {"properties": {"operationType": {"const": "PARTIAL_UPDATE"}}},
                 "then": {"required": ["productType", "attributes"],
                          "not": {"required": ["requirements"]}}},
                {"if": {"properties": {"operationType": {"const": "PATCH"}}},
                 "then": {"required": ["productType", "patches"]}}]}}}}


@pytest.fixture()
def sdk(sandbox, token):  # noqa: F811
    from spapi.api.feeds_v2021_06_30.feeds_api import FeedsApi
    from spapi.api.listings_items_v2021_08_01.listings_api import ListingsApi
    from spapi.api.listings_restrictions_v2021_08_01.listings_restrictions_api import (
        ListingsRestrictionsApi,
    )
    from spapi.api.product_type_definitions_v2020_09_01.definitions_api import DefinitionsApi
    from spapi.api_client import ApiClient
    from spapi.configuration import Configuration

    configuration = Configuration()
    configuration.host = f"{sandbox.url}/spapi/na"
    configuration.access_token_cache = SimpleNamespace(get_lwa_access_token=lambda: token)
    client = ApiClient(configuration=configuration)
    client.user_agent = "asc_plugin-tests/1.0 (Language=Python)"
    faults(sandbox, rate_scale=20)
    return SimpleNamespace(client=client, listings=ListingsApi(client),
                           restrictions=ListingsRestrictionsApi(client),
                           definitions=DefinitionsApi(client), feeds=FeedsApi(client))


def model(sdk, module: str, name: str, data):
    sdk.client.api_models_module = f"spapi.models.{module}"
    return sdk.client.deserialize(SimpleNamespace(data=json.dumps(data)), name)


LI = "listings_items_v2021_08_01"


def test_the_sdk_puts_an_offer_and_reads_it_back(sdk, sandbox):
    asin = asin_with("price_cap")
    body = model(sdk, LI, "ListingsItemPutRequest", offer(asin, price="99.00"))
    preview = sdk.listings.put_listings_item(SELLER_ID, "sdk-1", [US], body,
                                             mode="VALIDATION_PREVIEW",
                                             included_data=["issues", "identifiers"])
    assert preview.status == "VALID" and preview.identifiers[0].asin == asin
    assert sdk.listings.put_listings_item(SELLER_ID, "sdk-1", [US], body).status == "ACCEPTED"
    later(sandbox)
    found = sdk.listings.search_listings_items(
        SELLER_ID, [US], identifiers=["sdk-1"], identifiers_type="SKU",
        included_data=["summaries", "issues", "offers", "fulfillmentAvailability"])
    (item,) = found.items
    assert item.summaries[0].status == [] and item.issues[0].severity == "ERROR"
    assert item.offers[0].price.currency_code == "USD"
    assert item.fulfillment_availability[0].quantity == 5
    single = sdk.listings.get_listings_item(SELLER_ID, "sdk-1", [US],
                                            included_data=["summaries", "issues"])
    assert single.sku == "sdk-1" and single.summaries[0].product_type == "SHOES"
    patched = sdk.listings.patch_listings_item(SELLER_ID, "sdk-1", [US], model(
        sdk, LI, "ListingsItemPatchRequest", {"productType": "SHOES", "patches": [
            {"op": "merge", "path": "/attributes/fulfillment_availability",
             "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 0}]}]}))
    assert patched.status == "ACCEPTED"
    assert sdk.listings.delete_listings_item(SELLER_ID, "sdk-1", [US]).status == "ACCEPTED"


def test_the_sdk_reads_restrictions_and_the_offer_only_definition(sdk):
    answer = sdk.restrictions.get_listings_restrictions(asin_with("approval"), SELLER_ID, [US],
                                                        condition_type="new_new")
    (restriction,) = answer.restrictions
    assert restriction.reasons[0].reason_code == "APPROVAL_REQUIRED"
    assert restriction.reasons[0].links[0].verb == "GET"
    definition = sdk.definitions.get_definitions_product_type(
        "SHOES", [US], seller_id=SELLER_ID, requirements="LISTING_OFFER_ONLY")
    assert definition.requirements == "LISTING_OFFER_ONLY"
    assert definition.var_schema.link.resource.startswith("http")


def test_the_sdk_runs_a_feed_and_its_errors_are_amazons_error_list(sdk, sandbox):
    from spapi.rest import ApiException

    created = sdk.feeds.create_feed_document({"contentType": feeds.CONTENT_TYPE})
    content = {"header": {"sellerId": SELLER_ID, "version": "2.0"}, "messages": [
        {"messageId": 1, "sku": "f-1", "operationType": "DELETE"}]}
    requests.put(created.url, data=json.dumps(content),
                 headers={"content-type": feeds.CONTENT_TYPE}, timeout=10).raise_for_status()
    feed = sdk.feeds.create_feed({"feedType": "JSON_LISTINGS_FEED", "marketplaceIds": [US],
                                  "inputFeedDocumentId": created.feed_document_id})
    status = sdk.feeds.get_feed(feed.feed_id)
    assert status.processing_status in feeds.STATUSES
    faults(sandbox, listings="429", times=1)
    with pytest.raises(ApiException) as refused:
        sdk.listings.search_listings_items(SELLER_ID, [US])
    assert refused.value.status == 429
    errors = model(sdk, LI, "ErrorList", json.loads(refused.value.body))
    assert errors.errors[0].code == "QuotaExceeded"


def replay(sdk, recorded: dict):
    """One request the plugin made, sent again through the SDK's own method for it: an
    undocumented parameter is refused as an unexpected keyword, a required one missing or a
    list over its limit by the SDK's checks, a body that breaks its model by the model."""
    lists = {"marketplaceIds", "includedData", "identifiers"}
    kwargs = {}
    for name, values in recorded["params"].items():
        snake = re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
        kwargs[snake] = values[0].split(",") if name in lists else values[0]
    if "page_size" in kwargs:
        kwargs["page_size"] = int(kwargs["page_size"])
    parts = recorded["path"].split("/")
    operation = recorded["operation"]
    if operation in ("putListingsItem", "patchListingsItem", "getListingsItem",
                     "deleteListingsItem"):
        seller_id, sku = parts[6], "/".join(parts[7:])
        marketplaces = kwargs.pop("marketplace_ids")
        if operation == "putListingsItem":
            body = model(sdk, LI, "ListingsItemPutRequest", recorded["body"])
            return sdk.listings.put_listings_item(seller_id, sku, marketplaces, body, **kwargs)
        if operation == "patchListingsItem":
            body = model(sdk, LI, "ListingsItemPatchRequest", recorded["body"])
            return sdk.listings.patch_listings_item(seller_id, sku, marketplaces, body,
                                                    **kwargs)
        method = getattr(sdk.listings, re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower())
        return method(seller_id, sku, marketplaces, **kwargs)
    if operation == "searchListingsItems":
        kwargs.pop("page_token", None)  # a token is for one answer; the query is what counts
        return sdk.listings.search_listings_items(parts[6], kwargs.pop("marketplace_ids"),
                                                  **kwargs)
    if operation == "getListingsRestrictions":
        return sdk.restrictions.get_listings_restrictions(
            kwargs.pop("asin"), kwargs.pop("seller_id"), kwargs.pop("marketplace_ids"), **kwargs)
    if operation == "getDefinitionsProductType":
        return sdk.definitions.get_definitions_product_type(
            parts[-1], kwargs.pop("marketplace_ids"), **kwargs)
    if operation == "createFeedDocument":
        return sdk.feeds.create_feed_document(model(sdk, "feeds_v2021_06_30",
                                                    "CreateFeedDocumentSpecification",
                                                    recorded["body"]))
    if operation == "createFeed":
        spec = model(sdk, "feeds_v2021_06_30", "CreateFeedSpecification", recorded["body"])
        assert spec.feed_type == "JSON_LISTINGS_FEED"
        return spec  # replaying would submit the feed again
    if operation == "getFeed":
        return sdk.feeds.get_feed(parts[-1])
    if operation == "getFeedDocument":
        return sdk.feeds.get_feed_document(parts[-1])
    raise AssertionError(f"unknown operation {operation}")


def recorded(sandbox) -> list[dict]:
    return requests.get(f"{sandbox.url}/_sandbox/listings/requests", timeout=10).json()[
        "requests"]


def test_every_request_of_the_clients_is_one_the_sdk_allows(app, sdk, sandbox, seller):  # noqa: F811
    from asc_plugin.amazon import definitions, restrictions

    with app.test_request_context():
        asin = asin_with("ok")
        listings.put(seller, "c/1", offer(asin), preview=True)
        listings.put(seller, "c/1", offer(asin))
        later(sandbox)
        listings.search(seller, ["c/1"])
        listings.get(seller, "c/1")
        listings.patch(seller, "c/1", "SHOES", [{"op": "replace", "path":
                                                 "/attributes/purchasable_offer", "value": [
            {"marketplace_id": US, "currency": "USD", "our_price": [
                {"schedule": [{"value_with_tax": 21.5}]}]}]}])
        restrictions.get(seller, asin, "new_new")
        definitions.offer_only(seller, "SHOES")
        doc = feeds.create_document(seller)
        content = feeds.document(seller, [{"messageId": 1, "sku": "c/2",
                                           "operationType": "DELETE"}])
        jsonschema.validate(content, LISTINGS_FEED)
        feeds.upload(doc.url, content)
        feed_id = feeds.create_feed(seller, doc.document_id)
        feeds.get_feed(seller, feed_id)
        listings.delete(seller, "c/1")
    made = [r for r in recorded(sandbox) if r["status"] < 400]
    assert {r["operation"] for r in made} >= {
        "putListingsItem", "searchListingsItems", "getListingsItem", "patchListingsItem",
        "getListingsRestrictions", "getDefinitionsProductType", "createFeedDocument",
        "createFeed", "getFeed", "deleteListingsItem"}
    assert_replayed(sdk, made)


def assert_replayed(sdk, made: list[dict]) -> None:
    """Each request replayed; Amazon's answer may differ now (the listing changed since), but
    the SDK must have sent it: only a 404 for a listing since ended is accepted."""
    import time

    from spapi.rest import ApiException

    for request in made:
        for _attempt in range(100):
            try:
                replay(sdk, request)
            except ApiException as refused:
                if refused.status == 429:  # the sandbox holds the SDK to Amazon's limits too
                    time.sleep(0.2)
                    continue
                assert refused.status == 404, (request, refused.body)
            break


def test_every_request_of_a_publish_run_is_one_the_sdk_allows(app, admin, sandbox, sdk):
    """A store's whole offers life — restrictions, definitions, preview, offers, a feed, the
    read-back, ending — and each request replayed through the SDK."""
    from test_offers import matched_store, publish, save_settings

    store = matched_store(app, admin, sandbox)
    faults(sandbox, rate_scale=100)
    save_settings(app, store)
    assert publish(app, store).status == "done"
    later(sandbox)
    assert publish(app, store, kind="status").status == "done"
    app.config["ASC_FEED_THRESHOLD"] = 2
    save_settings(app, store, adjust_value=__import__("decimal").Decimal("3"))
    assert publish(app, store).status == "done"
    made = [r for r in recorded(sandbox) if r["status"] < 400]
    assert {r["operation"] for r in made} >= {
        "getListingsRestrictions", "getDefinitionsProductType", "putListingsItem",
        "searchListingsItems", "createFeedDocument", "createFeed", "getFeed",
        "getFeedDocument"}
    assert_replayed(sdk, made)


def test_every_request_of_a_price_and_quantity_sync_is_one_the_sdk_allows(app, admin, sandbox,
                                                                          sdk):
    """A sync's patches (per item, then a feed of PATCH messages) replayed through the SDK, and
    the patched listing read back through its models."""
    from decimal import Decimal

    from test_sync import edit_in_demo, good_offers, published, run_sync

    store = published(app, admin, sandbox)
    first, second, third = good_offers(app, store)[:3]
    edit_in_demo(admin, first, "17.10", 4)
    assert run_sync(app, store).sent == 1
    app.config["ASC_FEED_THRESHOLD"] = 1
    edit_in_demo(admin, second, "18.20", 5)
    edit_in_demo(admin, third, "19.30", 6)
    assert run_sync(app, store).sent == 2
    made = [r for r in recorded(sandbox) if r["status"] < 400 and r["operation"] in (
        "patchListingsItem", "createFeedDocument", "createFeed", "getFeed", "getFeedDocument")]
    assert {r["operation"] for r in made} >= {"patchListingsItem", "createFeed"}
    assert_replayed(sdk, made)
    item = sdk.listings.get_listings_item(SELLER_ID, third.sku, [US], included_data=[
        "summaries", "offers", "fulfillmentAvailability"])
    assert item.offers[0].price.amount == "19.30" or \
        Decimal(str(item.offers[0].price.amount)) == Decimal("19.30")
    assert item.fulfillment_availability[0].quantity == 6
