"""The sandbox and the plugin, as Amazon's own Python SDK sees them.

``amzn-sp-api`` (Amazon, Apache-2.0, on PyPI) is generated from Amazon's published API models
(``amzn/selling-partner-api-models``): its operations list the documented query parameters and
their limits, and its model classes refuse an answer that lacks a required field or breaks an
enum or pattern. Used here as a second client of the sandbox, it checks the sandbox's answers and
errors against Amazon's definitions, and replays every request the plugin made to be sure each
one is something Amazon's model allows. (``tests/spapi_models.py`` adds what the SDK does not
check, such as the error bodies of the Sellers API.)
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from test_catalog_api import UPCS, US, matched_run, token  # noqa: F401 - the token fixture

from asc_plugin.models import ListingItem
from asc_plugin.state import plugin_state


@pytest.fixture()
def sdk(sandbox, token):  # noqa: F811 - the fixture imported above
    """Amazon's SDK pointed at the sandbox's North America endpoint with the seller's token."""
    from spapi.api.catalogitems_v2022_04_01.catalog_api import CatalogApi
    from spapi.api.sellers_v1.sellers_api import SellersApi
    from spapi.api_client import ApiClient
    from spapi.configuration import Configuration

    configuration = Configuration()
    configuration.host = f"{sandbox.url}/spapi/na"
    configuration.access_token_cache = SimpleNamespace(get_lwa_access_token=lambda: token)
    client = ApiClient(configuration=configuration)
    # The SDK's own "amazon-selling-partner-api-sdk/1.13.0/python" is not in the form the
    # sandbox holds every client to (AppName/AppVersion (Language=…)), as it holds the plugin.
    client.user_agent = "asc_plugin-tests/1.0 (Language=Python)"
    return SimpleNamespace(client=client, catalog=CatalogApi(client), sellers=SellersApi(client))


def _error_list(sdk, error, models: str):
    """Amazon's ErrorList model of the API, read from an ApiException's body."""
    sdk.client.api_models_module = f"spapi.models.{models}"
    return sdk.client.deserialize(SimpleNamespace(data=error.body), "ErrorList")


def _every_page(sdk, **query):
    """Every page of a search, as Amazon's SDK reads them (nextToken to pageToken)."""
    pages = [sdk.catalog.search_catalog_items(**query)]
    while pages[-1].pagination and pages[-1].pagination.next_token:
        pages.append(sdk.catalog.search_catalog_items(
            **query, page_token=pages[-1].pagination.next_token))
    return pages


def test_the_sdk_reads_the_sandbox_search_results(sdk):
    pages = _every_page(sdk, marketplace_ids=[US], identifiers=UPCS, identifiers_type="UPC",
                        included_data=["identifiers", "summaries", "productTypes"])
    assert len(pages) > 1  # Amazon's default page is 10 items; these UPCs have more
    assert all(type(p).__name__ == "ItemSearchResults" for p in pages)
    items = [item for page in pages for item in page.items]
    assert [len(p.items) for p in pages[:-1]] == [10] * (len(pages) - 1)
    assert all(p.number_of_results == len(items) for p in pages)
    assert len({i.asin for i in items}) == len(items)
    for item in items:
        assert re.fullmatch(r"B0[0-9A-Z]{8}", item.asin)
        (summary,) = item.summaries
        assert summary.marketplace_id == US and summary.item_name and summary.brand
        assert summary.item_classification in ("BASE_PRODUCT", "VARIATION_PARENT")
        (by_marketplace,) = item.identifiers
        assert {i.identifier_type for i in by_marketplace.identifiers} >= {"UPC"}
        (product_type,) = item.product_types
        assert product_type.marketplace_id == US and product_type.product_type


def test_a_page_token_is_valid_only_for_its_own_query(sdk):
    from spapi.rest import ApiException

    first = sdk.catalog.search_catalog_items(marketplace_ids=[US], identifiers=UPCS,
                                             identifiers_type="UPC", page_size=5)
    next_page = first.pagination.next_token
    assert next_page and len(first.items) == 5
    second = sdk.catalog.search_catalog_items(marketplace_ids=[US], identifiers=UPCS,
                                              identifiers_type="UPC", page_size=5,
                                              page_token=next_page)
    assert second.items and not {i.asin for i in second.items} & {i.asin for i in first.items}
    with pytest.raises(ApiException) as refused:
        sdk.catalog.search_catalog_items(marketplace_ids=[US], identifiers=UPCS[1:],
                                         identifiers_type="UPC", page_size=5, page_token=next_page)
    assert refused.value.status == 400
    errors = _error_list(sdk, refused.value, "catalogitems_v2022_04_01")
    assert errors.errors[0].code == "InvalidInput" and "pageToken" in errors.errors[0].message


@pytest.mark.parametrize(("params", "status"), [
    ({"identifiers_type": "GCID"}, 400),
    ({"marketplace_ids": ["A1F83G8C2ARO7P"]}, 400),
    ({"identifiers_type": "SKU", "identifiers": ["TRS-001"]}, 400),
])
def test_the_sdk_reads_the_sandbox_errors(sdk, params, status):
    from spapi.rest import ApiException

    query = {"marketplace_ids": [US], "identifiers": ["036000291452"],
             "identifiers_type": "UPC", **params}
    with pytest.raises(ApiException) as refused:
        sdk.catalog.search_catalog_items(**query)
    assert refused.value.status == status
    errors = _error_list(sdk, refused.value, "catalogitems_v2022_04_01")
    assert errors.errors[0].code == "InvalidInput" and errors.errors[0].message


@pytest.mark.parametrize("fault", ["403", "403_role", "429", "500", "503"])
def test_the_sdk_reads_the_sandbox_faults(sdk, sandbox, fault):
    from spapi.rest import ApiException

    sandbox.faults(catalog=fault)
    with pytest.raises(ApiException) as refused:
        sdk.catalog.search_catalog_items(marketplace_ids=[US], identifiers=["036000291452"],
                                         identifiers_type="UPC")
    assert refused.value.status == int(fault[:3])
    assert _error_list(sdk, refused.value, "catalogitems_v2022_04_01").errors


def test_the_sdk_reads_the_sandbox_marketplace_participations(sdk):
    answer = sdk.sellers.get_marketplace_participations()
    participations = answer.payload
    assert {p.marketplace.id for p in participations} >= {US}
    for p in participations:
        assert p.marketplace.country_code and p.store_name
        assert p.participation.is_participating in (True, False)


def test_every_request_the_plugin_made_is_one_the_sdk_allows(app, admin, sandbox, sdk):
    """Replayed through the SDK: an undocumented parameter would be refused as an unexpected
    keyword, a list over its limit (20 identifiers, 1 marketplace) by the SDK's own checks; every
    ASIN the plugin stored as a match is among the replays' answers."""
    store, made = matched_run(app, admin, sandbox)
    with app.app_context():
        stored = {item.matched_identifier: item.asin for item in
                  plugin_state().session.scalars(sa.select(ListingItem).where(
                      ListingItem.store_id == store.id, ListingItem.status == "matched"))}
    lists = {"marketplaceIds", "identifiers", "includedData"}
    found = set()
    for request in made:
        kwargs = {}
        for name, (value,) in request["params"].items():
            snake = re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
            kwargs[snake] = value.split(",") if name in lists else value
        if "page_size" in kwargs:
            kwargs["page_size"] = int(kwargs["page_size"])
        replay = sdk.catalog.search_catalog_items(**kwargs)
        found |= {item.asin for item in replay.items}
    assert stored and set(stored.values()) <= found


def test_the_sdk_and_the_plugin_agree_on_what_a_search_found(app, sandbox, sdk, token):  # noqa: F811
    from asc_plugin.amazon import catalog

    many = [str(100000000000 + n * 7919) for n in range(20)]  # 20: Amazon's most per search
    with app.test_request_context():
        ours = catalog.search(region="NA", access_token=token, marketplace_id=US,
                              identifiers_type="UPC", identifiers=many, seller_id=None)
    theirs = _every_page(sdk, marketplace_ids=[US], identifiers=many, identifiers_type="UPC",
                         included_data=["identifiers", "summaries", "productTypes"],
                         page_size=20)
    assert ours.requests == len(theirs) > 1  # more than one page of 20 items
    assert sorted(i.asin for items in ours.items.values() for i in items) == sorted(
        i.asin for page in theirs for i in page.items)
    assert set(ours.items) == set(many)
    classes = {i.asin: (i.summaries[0].item_classification, i.product_types[0].product_type)
               for page in theirs for i in page.items}
    for items in ours.items.values():
        for item in items:
            assert (item.classification, item.product_type) == classes[item.asin]
