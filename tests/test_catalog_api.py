"""searchCatalogItems as the sandbox answers it and as the plugin asks it, both checked against
Amazon's published models (tests/spapi_models.py), and each way Amazon is known to answer."""

from __future__ import annotations

import jsonschema
import pytest
import requests
from helpers import connected_store, start_match
from spapi_models import (
    CATALOG_ERROR_LIST,
    GET_MARKETPLACE_PARTICIPATIONS_PARAMETERS,
    GET_MARKETPLACE_PARTICIPATIONS_RESPONSE,
    ITEM_SEARCH_RESULTS,
    SEARCH_CATALOG_ITEMS_PARAMETERS,
    SEARCH_CATALOG_ITEMS_RESPONSES,
)

from asc_plugin.amazon import catalog
from asc_plugin.sandbox.data import Authorization
from asc_plugin.testing import run_match_jobs

US = "ATVPDKIKX0DER"
AGENT = "asc_plugin/0.1.0 (Language=Python)"


@pytest.fixture()
def token(sandbox):
    """An access token for the sandbox's US seller; the rate limit raised for speed (the
    rate-limit test sets it back to Amazon's)."""
    sandbox.settings(catalog_rate=50, catalog_burst=50)
    auth = Authorization("A3FH4EXAMPLE", "NA", "Atzr|test", sandbox.state.now())
    sandbox.state.authorizations.append(auth)
    return sandbox.state.issue_access_token(auth)


def _search(sandbox, token, **params):
    query = {"marketplaceIds": US, "identifiersType": "UPC", "includedData":
             "identifiers,summaries", **params}
    return requests.get(f"{sandbox.url}/spapi/na/catalog/2022-04-01/items", params=query,
                        headers={"x-amz-access-token": token, "user-agent": AGENT}, timeout=10)


def _valid(body, schema):
    jsonschema.validate(body, schema)
    return True


UPCS = ["036000291452", "012345678905", "042100005264", "725272730706", "885909950805",
        "190199098572", "711719541028", "075678164125"]


def test_answers_validate_against_the_model_and_cover_one_several_and_none(sandbox, token):
    response = _search(sandbox, token, identifiers=",".join(UPCS))
    assert response.status_code == 200
    assert _valid(response.json(), ITEM_SEARCH_RESULTS)
    assert response.headers["x-amzn-RateLimit-Limit"] == "50.0"
    counts = []
    for upc in UPCS:
        single = _search(sandbox, token, identifiers=upc).json()
        counts.append(single["numberOfResults"])
    assert {0, 1} <= set(counts) and max(counts) >= 2, counts
    again = [_search(sandbox, token, identifiers=u).json()["numberOfResults"] for u in UPCS]
    assert again == counts  # deterministic


def test_the_same_identifier_can_match_in_one_marketplace_and_not_another(sandbox, token):
    differ = False
    for upc in UPCS:
        us = _search(sandbox, token, identifiers=upc).json()["numberOfResults"]
        ca = _search(sandbox, token, identifiers=upc, marketplaceIds="A2EUQ1WTGCTBG2").json()
        differ |= (us > 0) != (ca["numberOfResults"] > 0)
    assert differ


@pytest.mark.parametrize(("params", "message"), [
    ({"identifiers": ",".join(str(100000000000 + n) for n in range(21))}, "at most 20"),
    ({"identifiers": "036000291452", "identifiersType": "GCID"}, "identifiersType"),
    ({"identifiers": "036000291452", "marketplaceIds": ""}, "marketplaceIds"),
    ({"identifiers": "036000291452", "marketplaceIds": f"{US},A2EUQ1WTGCTBG2"}, "at most 1"),
    ({"identifiers": "036000291452", "marketplaceIds": "A1F83G8C2ARO7P"}, "Invalid"),
    ({"identifiers": "TRS-001", "identifiersType": "SKU"}, "sellerId"),
    ({"identifiers": "036000291452", "includedData": "everything"}, "includedData"),
    ({"identifiers": "036000291452", "pageSize": "50"}, "pageSize"),
    ({"identifiers": "036000291452", "keywords": "shoe"}, "keywords"),
    ({}, "identifiers or keywords"),
])
def test_invalid_searches_answer_400_invalid_input_in_amazons_error_list(
        sandbox, token, params, message):
    response = _search(sandbox, token, **params)
    assert response.status_code == 400
    assert _valid(response.json(), CATALOG_ERROR_LIST)
    (error,) = response.json()["errors"]
    assert error["code"] == "InvalidInput" and message in error["message"]


def test_a_refused_identifier_refuses_the_whole_request_as_amazon_does(sandbox, token):
    sandbox.settings(refused_identifiers=[UPCS[2]])
    response = _search(sandbox, token, identifiers=",".join(UPCS))
    assert response.status_code == 400 and _valid(response.json(), CATALOG_ERROR_LIST)
    (error,) = response.json()["errors"]
    assert error["code"] == "InvalidInput" and UPCS[2] in error["message"]
    assert response.headers["x-amzn-RequestId"] and response.headers["x-amzn-RateLimit-Limit"]
    assert _search(sandbox, token, identifiers=",".join(UPCS[:2])).status_code == 200


def test_pages_hold_page_size_items_and_number_of_results_counts_them_all(sandbox, token):
    whole = _search(sandbox, token, identifiers=",".join(UPCS), pageSize="20").json()
    asins, token_, pages = [], None, 0
    while True:
        params = {"pageToken": token_} if token_ else {}
        body = _search(sandbox, token, identifiers=",".join(UPCS), **params).json()
        assert _valid(body, ITEM_SEARCH_RESULTS) and body["numberOfResults"] == len(
            whole["items"])
        assert len(body["items"]) <= 10  # Amazon's default page
        asins += [i["asin"] for i in body["items"]]
        pages += 1
        token_ = body["pagination"].get("nextToken")
        if not token_:
            break
    assert pages > 1 and asins == [i["asin"] for i in whole["items"]]


def test_the_rate_limit_is_two_per_second_with_a_burst_of_two(sandbox, token):
    sandbox.settings(catalog_rate=2.0, catalog_burst=2.0)
    statuses = [_search(sandbox, token, identifiers="036000291452").status_code
                for _ in range(4)]
    assert statuses[:2] == [200, 200] and 429 in statuses[2:]
    throttled = _search(sandbox, token, identifiers="036000291452")
    while throttled.status_code != 429:  # the bucket may have refilled a token meanwhile
        throttled = _search(sandbox, token, identifiers="036000291452")
    assert _valid(throttled.json(), CATALOG_ERROR_LIST)
    assert throttled.json()["errors"][0]["code"] == "QuotaExceeded"
    # Amazon's model declares x-amzn-RateLimit-Limit on 200, 400 and 404 only: not on a 429
    assert "x-amzn-RateLimit-Limit" not in throttled.headers
    assert throttled.headers["x-amzn-RequestId"]


@pytest.mark.parametrize("fault", ["403", "403_role", "429", "500", "503"])
def test_fault_answers_validate_too(sandbox, token, fault):
    sandbox.faults(catalog=fault)
    response = _search(sandbox, token, identifiers="036000291452")
    assert response.status_code in SEARCH_CATALOG_ITEMS_RESPONSES
    assert _valid(response.json(), CATALOG_ERROR_LIST)


def test_sellers_answers_validate_against_the_sellers_model(sandbox, token):
    url = f"{sandbox.url}/spapi/na/sellers/v1/marketplaceParticipations"
    ok = requests.get(url, headers={"x-amz-access-token": token, "user-agent": AGENT},
                      timeout=10)
    assert ok.status_code == 200 and _valid(ok.json(), GET_MARKETPLACE_PARTICIPATIONS_RESPONSE)
    denied = requests.get(url, headers={"x-amz-access-token": "nope", "user-agent": AGENT},
                          timeout=10)
    assert denied.status_code == 403
    assert _valid(denied.json(), GET_MARKETPLACE_PARTICIPATIONS_RESPONSE)
    assert denied.json()["errors"]


def matched_run(app, admin, sandbox):
    """A store connected and matched (Amazon's limit raised for speed): (store, the catalog
    requests the plugin made)."""
    sandbox.settings(catalog_rate=50, catalog_burst=50)
    app.config["ASC_CATALOG_RATE"] = 50
    store = connected_store(app, admin)
    assert start_match(admin, store.id).status_code == 303
    assert run_match_jobs(app) == ["done"]
    made = sandbox.catalog_requests()
    assert made
    return store, made


def test_the_plugin_asks_only_what_the_model_documents(app, admin, sandbox):
    _store, made = matched_run(app, admin, sandbox)
    for request in made:
        assert {"x-amz-access-token", "user-agent"} <= set(request["headers"])
        for name, values in request["params"].items():
            assert name in SEARCH_CATALOG_ITEMS_PARAMETERS, name
            (value,) = values  # each parameter once, comma-separated (collectionFormat csv)
            _required, max_items, enum = SEARCH_CATALOG_ITEMS_PARAMETERS[name]
            parts = value.split(",")
            assert max_items is None or len(parts) <= max_items
            assert enum is None or all(p in enum for p in parts)
        for name, (required, _max, _enum) in SEARCH_CATALOG_ITEMS_PARAMETERS.items():
            assert not required or name in request["params"]
        assert int(request["params"]["pageSize"][0]) <= 20
    assert GET_MARKETPLACE_PARTICIPATIONS_PARAMETERS == {}


# --- The client reads each way Amazon answers --------------------------------------------------

def _client_search(app, sandbox, token, identifiers, kind="UPC", seller=None):
    with app.test_request_context():
        return catalog.search(region="NA", access_token=token, marketplace_id=US,
                              identifiers_type=kind, identifiers=identifiers,
                              seller_id=seller)


def test_the_client_maps_items_back_to_the_identifiers_asked(app, sandbox, token):
    sandbox.settings(catalog_rate=50, catalog_burst=50)
    result = _client_search(app, sandbox, token, UPCS)
    assert set(result.items) == set(UPCS)
    for upc in UPCS:
        alone = _client_search(app, sandbox, token, [upc]).items[upc]
        assert sorted(i.asin for i in result.items[upc]) == sorted(i.asin for i in alone)
    assert result.rate_limit == 50.0


def test_a_upc_answered_in_its_ean_form_still_maps(app):
    body = {"numberOfResults": 1, "items": [{"asin": "B000000001", "identifiers": [
        {"marketplaceId": US, "identifiers": [{"identifierType": "EAN",
                                               "identifier": "0036000291452"}]}],
        "summaries": [{"marketplaceId": US, "itemName": "Shoe", "brand": "X"}]}]}
    found = catalog._by_identifier(body, ["036000291452", "012345678905"], "UPC", US)
    assert [i.asin for i in found["036000291452"]] == ["B000000001"]
    assert found["012345678905"] == []


def test_sku_searches_ask_one_sku_at_a_time_with_the_seller_id(app, sandbox, token):
    sandbox.settings(catalog_rate=50, catalog_burst=50)
    assert catalog.batch_size("SKU") == 1
    with pytest.raises(ValueError):
        _client_search(app, sandbox, token, ["A", "B"], kind="SKU", seller="A3FH4EXAMPLE")
    _client_search(app, sandbox, token, ["TRS-001"], kind="SKU", seller="A3FH4EXAMPLE")
    assert sandbox.catalog_requests()[-1]["status"] == 200


def test_a_missing_rate_header_is_fine(app, sandbox, token):
    sandbox.settings(catalog_rate=50, catalog_burst=50, rate_header=False)
    result = _client_search(app, sandbox, token, UPCS[:2])
    assert result.rate_limit is None and set(result.items) == set(UPCS[:2])
