"""The Catalog Items API's searchCatalogItems (2022-04-01): Amazon's refusals of a bad
identifiers search, its rate limit per seller and app (2 requests/s, burst 2) with its 429 body,
paging, and the ``catalog`` faults (counted down by ``catalog_times``). The items themselves
come from sandbox/catalog.py."""

from __future__ import annotations

import time
import uuid

from flask import Blueprint, current_app, jsonify, request
from werkzeug.datastructures import MultiDict

from ..params import parse_int
from . import catalog
from .data import CATALOG_ROLE, Faults, marketplace_ids
from .guards import QUOTA, Answer, current_sandbox, spapi_error, spapi_guard, stamped

bp = Blueprint("catalog_api", __name__)

#: How long the "slow" catalog fault keeps a request waiting (longer than tests' timeouts).
SLOW_SECONDS = 1.0


def _catalog_fault() -> str | None:
    """The catalog fault for this request, counting down catalog_times when set."""
    state = current_sandbox()
    with state.lock:
        faults = state.faults
        if faults.catalog and faults.catalog_times is not None:
            left = faults.catalog_times - 1
            state.faults = Faults(**{**faults.__dict__, "catalog_times": left,
                                     "catalog": faults.catalog if left > 0 else None})
        return faults.catalog


@bp.get("/spapi/<region>/catalog/2022-04-01/items")
def search_catalog_items(region: str) -> Answer:
    """searchCatalogItems by identifiers, under Amazon's rate limit (per seller and app:
    2 requests/s, burst 2) with its 429 body, paged like Amazon's. Every answer carries an
    x-amzn-RequestId; x-amzn-RateLimit-Limit only where Amazon's model declares it (200,
    400 and 404: not on 403, 429 or 5xx)."""
    state, args = current_sandbox(), request.args
    asked = [v for v in args.get("identifiers", "").split(",") if v]
    record = {"at": time.monotonic(), "seller": None, "identifiers": asked,
              "type": args.get("identifiersType"),
              "params": {key: args.getlist(key) for key in args},
              "headers": sorted(h.lower() for h in request.headers.keys()), "status": None,
              "request_id": str(uuid.uuid4())}
    with state.lock:  # recorded as it arrives; its status once answered
        state.catalog_requests.append(record)
    fault = _catalog_fault()
    if fault == "slow":  # an answer later than any client waits: a timeout
        time.sleep(SLOW_SECONDS)
    info = spapi_guard(region, fault, CATALOG_ROLE)
    if isinstance(info, dict):
        record["seller"] = info["seller_id"]
        rate = state.settings.catalog_rate
        if not state.take_rate(f"{info['seller_id']}:{info['region']}:catalog",
                               burst=state.settings.catalog_burst, per_second=rate):
            info = spapi_error(429, *QUOTA)
        else:
            info = _search_answer(info, args, asked, odd=fault == "odd")
    response = stamped(info, request_id=str(record["request_id"]),
                       rate=state.settings.catalog_rate if state.settings.rate_header else None)
    record["status"] = response.status_code
    return response


def _search_answer(info: dict, args: MultiDict[str, str], asked: list[str], *,
                   odd: bool = False) -> Answer:
    refused = _refusal(info, args, asked)
    if refused is not None:
        return refused
    included = args.get("includedData", "summaries").split(",")
    query = "&".join(f"{k}={v}" for k, v in sorted(args.items(multi=True))
                     if k != "pageToken")
    try:
        body = catalog.search(
            args["marketplaceIds"], args["identifiersType"], asked, included,
            current_app.config["SANDBOX_CATALOG_NAMES"],
            page_size=int(args.get("pageSize", catalog.PAGE_SIZE)),
            page_token=args.get("pageToken"), query=query)
        return jsonify(catalog.odd(body, args["marketplaceIds"], args["identifiersType"],
                                   asked) if odd else body)
    except catalog.BadPageToken:
        return spapi_error(400, "InvalidInput", "Invalid pageToken: it does not belong to "
                           "this query.")


def _refusal(info: dict, args: MultiDict[str, str], asked: list[str]) -> Answer | None:
    """Amazon's 400 InvalidInput for a bad identifiers search, or None."""
    marketplaces_asked = [v for v in args.get("marketplaceIds", "").split(",") if v]
    if not marketplaces_asked:
        return spapi_error(400, "InvalidInput", "Missing required parameter: marketplaceIds.")
    if len(marketplaces_asked) > 1:
        return spapi_error(400, "InvalidInput", "marketplaceIds: at most 1 value is allowed.")
    if marketplaces_asked[0] not in marketplace_ids(info):
        return spapi_error(400, "InvalidInput",
                           f"Invalid marketplaceIds: {marketplaces_asked[0][:20]}.")
    if asked and args.get("keywords"):
        return spapi_error(400, "InvalidInput",
                           "identifiers and keywords cannot be used together.")
    if not asked:
        return spapi_error(400, "InvalidInput",
                           "Either identifiers or keywords must be provided.")
    if len(asked) > 20:
        return spapi_error(400, "InvalidInput", "identifiers: at most 20 values are allowed.")
    kind = args.get("identifiersType")
    if kind not in catalog.IDENTIFIERS_TYPES:
        return spapi_error(400, "InvalidInput", "identifiersType must be one of "
                           + ", ".join(catalog.IDENTIFIERS_TYPES) + ".")
    if kind == "SKU" and args.get("sellerId") != info["seller_id"]:
        return spapi_error(400, "InvalidInput", "sellerId is required with "
                           "identifiersType SKU and must be the caller's.")
    included = args.get("includedData", "summaries").split(",")
    if any(value not in catalog.INCLUDED_DATA for value in included):
        return spapi_error(400, "InvalidInput", "includedData has an unknown value.")
    if parse_int(args.get("pageSize", str(catalog.PAGE_SIZE)), min=1,
                 max=catalog.MAX_PAGE_SIZE) is None:
        return spapi_error(400, "InvalidInput", "pageSize must be between 1 and 20.")
    refused = [v for v in asked if v in current_sandbox().settings.refused_identifiers]
    if refused:  # Amazon refuses the whole request for one identifier it will not take
        return spapi_error(400, "InvalidInput",
                           f"Invalid identifiers: {refused[0][:40]} is not a valid "
                           f"{kind} for this marketplace.")
    return None
