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
from asc_plugin.state import state


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


def test_the_sdk_reads_the_sandbox_search_results(sdk):
    results = sdk.catalog.search_catalog_items(
        marketplace_ids=[US], identifiers=UPCS, identifiers_type="UPC",
        included_data=["identifiers", "summaries"])
    assert type(results).__name__ == "ItemSearchResults"
    assert results.number_of_results == len(results.items) > 0
    for item in results.items:
        assert re.fullmatch(r"B0[0-9A-Z]{8}", item.asin)
        (summary,) = item.summaries
        assert summary.marketplace_id == US and summary.item_name and summary.brand
        (by_marketplace,) = item.identifiers
        assert {i.identifier_type for i in by_marketplace.identifiers} >= {"UPC"}


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
                  state().session.scalars(sa.select(ListingItem).where(
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

    with app.test_request_context():
        ours = catalog.search(region="NA", access_token=token, marketplace_id=US,
                              identifiers_type="UPC", identifiers=UPCS, seller_id=None)
    theirs = sdk.catalog.search_catalog_items(marketplace_ids=[US], identifiers=UPCS,
                                              identifiers_type="UPC",
                                              included_data=["identifiers", "summaries"])
    assert sorted(i.asin for items in ours.items.values() for i in items) == sorted(
        i.asin for i in theirs.items)
    assert set(ours.items) == set(UPCS)
