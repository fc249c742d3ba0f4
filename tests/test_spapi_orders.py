"""The Orders API v2026-01-01 of the sandbox and the plugin's requests to it, as Amazon's own
SDK (``amzn-sp-api``, generated from Amazon's models) sees them: every answer deserializes into
the SDK's models (required fields, enums), every error into its ErrorList, and every request the
plugin made replays through the SDK's generated operations (an undocumented parameter would be
refused as an unexpected keyword)."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from helpers import PREFIX, connected_store
from test_orders import run, shop_orders

from asc_plugin.models import AmazonOrder
from asc_plugin.sandbox.data import (
    CATALOG_ROLE,
    ORDERS_ROLE,
    PII_ROLE,
    REQUIRED_ROLE,
    Authorization,
)
from asc_plugin.state import plugin_state

US = "ATVPDKIKX0DER"
EVERYTHING = ["BUYER", "RECIPIENT", "PROCEEDS", "EXPENSE", "PROMOTION", "CANCELLATION",
              "FULFILLMENT", "PACKAGES", "TAX", "PAYMENT", "FULFILLMENT_ORDERS"]


@pytest.fixture()
def sdk(sandbox, asc_sandbox_config):
    """Amazon's SDK on the sandbox (reset before and after), with a token of a seller who
    authorized the app a day ago."""
    from spapi.api.orders_v2026_01_01.get_order_api import GetOrderApi
    from spapi.api.orders_v2026_01_01.search_orders_api import SearchOrdersApi
    from spapi.api_client import ApiClient
    from spapi.configuration import Configuration

    sandbox.move_clock(days=2)
    auth = Authorization("A3FH4EXAMPLE", "NA", "Atzr|sdk", sandbox.state.now() - 86400)
    sandbox.state.authorizations.append(auth)
    configuration = Configuration()
    configuration.host = f"{sandbox.url}/spapi/na"
    configuration.access_token_cache = SimpleNamespace(  # fresh, whatever the clock did
        get_lwa_access_token=lambda: sandbox.state.issue_access_token(auth))
    client = ApiClient(configuration=configuration)
    client.user_agent = "asc_plugin-tests/1.0 (Language=Python)"
    return SimpleNamespace(client=client, search=SearchOrdersApi(client),
                           get=GetOrderApi(client))


def _since(sandbox, days):
    from datetime import datetime, timezone

    return datetime.fromtimestamp(sandbox.state.now() - days * 86400, timezone.utc)


def test_the_sdk_reads_every_page_and_order_with_every_dataset(sdk, sandbox):
    """Generated orders of every status (a day before and after the authorization), buyer and
    recipient granted, all datasets asked for, small pages followed to the end."""
    sandbox.order_settings(interval=1800, search_burst=100, get_burst=100)
    sandbox.settings(roles=[REQUIRED_ROLE, CATALOG_ROLE, ORDERS_ROLE, PII_ROLE])
    after = _since(sandbox, 3)
    seen, token, statuses = [], None, set()
    while True:
        kwargs = {"pagination_token": token} if token else {}
        answer = sdk.search.search_orders(last_updated_after=after, marketplace_ids=[US],
                                          max_results_per_page=25, included_data=EVERYTHING,
                                          **kwargs)
        assert type(answer).__name__ == "SearchOrdersResponse"
        assert answer.last_updated_before is not None
        for order in answer.orders:
            assert re.fullmatch(r"\d{3}-\d{7}-\d{7}", order.order_id)
            assert order.sales_channel.marketplace_id == US and order.order_items
            statuses.add(order.fulfillment.fulfillment_status)
            for item in order.order_items:
                assert item.product.seller_sku and item.quantity_ordered >= 1
            if order.fulfillment.fulfilled_by == "MERCHANT" and \
                    order.fulfillment.fulfillment_status != "PENDING":
                assert order.buyer.buyer_name and order.recipient.delivery_address.city
            seen.append(order.order_id)
        token = answer.pagination.next_token if answer.pagination else None
        if not token:
            break
    assert len(seen) == len(set(seen)) > 25
    assert {"SHIPPED", "CANCELLED", "UNSHIPPED"} <= statuses
    one = sdk.get.get_order(seen[0], included_data=EVERYTHING)
    assert one.order.order_id == seen[0]


def test_without_the_restricted_role_the_sdk_finds_no_buyer(sdk, sandbox):
    sandbox.order_settings(interval=3600)
    answer = sdk.search.search_orders(last_updated_after=_since(sandbox, 2),
                                      marketplace_ids=[US], included_data=["BUYER", "RECIPIENT"])
    assert answer.orders and all(o.buyer is None and o.recipient is None for o in answer.orders)


def _errors(sdk, refused):
    sdk.client.api_models_module = "spapi.models.orders_v2026_01_01"
    from types import SimpleNamespace as Body

    return sdk.client.deserialize(Body(data=refused.body), "ErrorList").errors


@pytest.mark.parametrize(("params", "message"), [
    ({"created_after": "2026-01-01T00:00:00Z"}, "Exactly one"),
    ({"max_results_per_page": 101}, "maxResultsPerPage"),
    ({"marketplace_ids": ["A1F83G8C2ARO7P"]}, "marketplaceIds"),
    ({"fulfillment_statuses": ["LOST"]}, "fulfillmentStatuses"),
    ({"pagination_token": "made-up"}, "pagination token"),
])
def test_the_sdk_reads_the_sandbox_refusals(sdk, sandbox, params, message):
    from spapi.rest import ApiException

    with pytest.raises(ApiException) as refused:
        sdk.search.search_orders(**{"last_updated_after": _since(sandbox, 1),
                                    "marketplace_ids": [US], **params})
    assert refused.value.status == 400
    (error,) = _errors(sdk, refused.value)
    assert error.code == "InvalidInput" and message in error.message
    assert refused.value.headers.get("x-amzn-RequestId")


@pytest.mark.parametrize("fault", ["403", "403_role", "429", "500", "503"])
def test_the_sdk_reads_the_sandbox_faults(sdk, sandbox, fault):
    from spapi.rest import ApiException

    sandbox.order_faults(fault, times=1)
    with pytest.raises(ApiException) as refused:
        sdk.search.search_orders(last_updated_after=_since(sandbox, 1), marketplace_ids=[US])
    assert refused.value.status == int(fault[:3])
    assert _errors(sdk, refused.value)
    assert "x-amzn-RateLimit-Limit" not in refused.value.headers  # none on 403, 429, 5xx


def test_the_sdk_reads_a_missing_order(sdk):
    from spapi.rest import ApiException

    with pytest.raises(ApiException) as refused:
        sdk.get.get_order("111-1111111-1111111")
    assert refused.value.status == 404 and _errors(sdk, refused.value)[0].code == "NotFound"


def test_every_orders_request_the_plugin_made_is_one_the_sdk_allows(app, admin, sandbox, sdk):
    """An import of two pages and an Import again (getOrder), replayed through the SDK: the
    replays answer the orders the plugin stored."""
    sandbox.order_settings(interval=0)
    store = connected_store(app, admin)
    sandbox.move_clock(days=sandbox.state.clock_offset / 86400 + 0.05)
    placed = sandbox.place_order("NB-22", 1, count=120)
    (unknown,) = sandbox.place_order("NOT-IN-SHOP", 1)
    run(app, store.id)
    with app.app_context():
        row = plugin_state().session.scalar(sa.select(AmazonOrder).where(
            AmazonOrder.amazon_order_id == unknown))
        stored = set(plugin_state().session.scalars(sa.select(AmazonOrder.amazon_order_id)))
    from helpers import csrf_from

    page = admin.get(f"{PREFIX}/stores/{store.id}")
    admin.post(f"{PREFIX}/stores/{store.id}/orders/{row.id}/retry",
               data={"csrf_token": csrf_from(page.text)})
    assert set(shop_orders(app)) == set(placed) and stored == set(placed) | {unknown}
    lists = {"marketplaceIds", "fulfilledBy", "fulfillmentStatuses", "includedData"}
    replayed, operations = set(), []
    for made in sandbox.order_requests():
        if made["seller"] != "A3FH4EXAMPLE" or made["status"] != 200:
            continue
        kwargs = {}
        for name, (value,) in made["params"].items():
            snake = re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
            kwargs[snake] = value.split(",") if name in lists else value
        if "max_results_per_page" in kwargs:
            kwargs["max_results_per_page"] = int(kwargs["max_results_per_page"])
        operations.append(made["operation"])
        if made["operation"] == "search":
            replayed |= {o.order_id for o in sdk.search.search_orders(**kwargs).orders}
        else:
            order_id = made["path"].rsplit("/", 1)[-1]
            replayed.add(sdk.get.get_order(order_id, **kwargs).order.order_id)
    assert operations.count("search") == 2 and operations.count("get") == 1
    assert stored <= replayed
