"""The sandbox's Listings Items, Listings Restrictions and Product Type Definitions APIs.

Outcomes are deterministic, from a hash of the ASIN (see :func:`verdict`): about 4 % of ASINs
need approval (APPROVAL_REQUIRED with a link), 3 % are not eligible, 10 % have a *Maximum Seller
Allowed Price* of 40.00 (a higher price gets an ERROR issue once processed), 2 % are suppressed
after processing; the rest become BUYABLE. A submission is processed
:data:`PROCESSING_SECONDS` after it was accepted, on the sandbox's clock (``POST
/_sandbox/clock`` moves it), and is not found until then. Each operation has Amazon's rate limit
per seller (429 with Amazon's body, no rate-limit header on 403/429/5xx) and a fault switch
(``POST /_sandbox/listings/faults``).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Blueprint, Response, jsonify, request
from werkzeug.datastructures import MultiDict

from ..marketplaces import BY_CODE
from .data import MARKETPLACE_FACTS, SandboxState, marketplace_ids
from .guards import DENIED, QUOTA, Answer, control_data, current_sandbox, spapi_guard, stamped
from .guards import spapi_error as error

bp = Blueprint("listings", __name__)

ROLE = "product_listing"
PROCESSING_SECONDS = 60
MAX_ALLOWED_PRICE = Decimal("40.00")
CONDITIONS = ("new_new", "new_open_box", "new_oem", "refurbished_refurbished", "used_like_new",
              "used_very_good", "used_good", "used_acceptable", "collectible_like_new",
              "collectible_very_good", "collectible_good", "collectible_acceptable",
              "club_club")
INCLUDED = ("summaries", "attributes", "issues", "offers", "fulfillmentAvailability",
            "procurement", "relationships", "productTypes")
#: Operation -> (requests per second, burst), per seller (Amazon's documented limits).
LIMITS = {"putListingsItem": (5, 5), "patchListingsItem": (5, 5), "getListingsItem": (5, 5),
          "deleteListingsItem": (5, 5), "searchListingsItems": (5, 5),
          "getListingsRestrictions": (5, 10), "getDefinitionsProductType": (5, 10)}
REQUIREMENTS = ("LISTING", "LISTING_PRODUCT_ONLY", "LISTING_OFFER_ONLY")


def verdict(asin: str) -> str:
    """What Amazon makes of an offer on this ASIN: approval, not_eligible, price_cap,
    suppressed or ok."""
    bucket = int(hashlib.sha256(f"offer|{asin}".encode()).hexdigest(), 16) % 100
    if bucket < 4:
        return "approval"
    if bucket < 7:
        return "not_eligible"
    if bucket < 17:
        return "price_cap"
    if bucket < 19:
        return "suppressed"
    return "ok"


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- What every operation of these APIs (and the Feeds API) does first and last ----------------

def take_fault(surface: str) -> str | None:
    """The fault switched on for a surface, counting down its ``times``."""
    state = current_sandbox()
    with state.lock:
        entry = state.offers.faults.get(surface)
        if not entry:
            return None
        fault, times = entry
        if times is not None:
            if times <= 1:
                del state.offers.faults[surface]
            else:
                entry[1] = times - 1
        return fault


def begin(region: str, surface: str, operation: str,
          seller_in_path: str | None = None) -> dict | Answer:
    """The fault switch, Amazon's checks of the token and role, the rate limit: the caller's
    token record, or the error response to send."""
    info = spapi_guard(region, take_fault(surface), ROLE)
    if not isinstance(info, dict):
        return info
    if seller_in_path is not None and seller_in_path != info["seller_id"]:
        return error(403, "Unauthorized", DENIED,
                     "The seller id in the request is not the seller of the access token.")
    if not take(info, operation):
        return error(429, *QUOTA)
    return info


def take(info: dict, operation: str) -> bool:
    state = current_sandbox()
    rate, burst = LIMITS.get(operation) or FEED_LIMITS[operation]
    scale = state.offers.rate_scale
    return state.take_rate(f"{info['seller_id']}:{info['region']}:{operation}",
                           burst=burst * scale, per_second=rate * scale)


def finish(operation: str, info: dict | Answer, result: Answer) -> Response:
    """The answer with its request id and rate header, recorded for tests."""
    limits = {**LIMITS, **FEED_LIMITS}
    response = stamped(result, rate=limits[operation][0] if operation in limits else None,
                       rate_statuses=range(100, 400))
    body = request.get_json(silent=True) if request.is_json else None
    state = current_sandbox()
    with state.lock:
        state.offers.requests.append({
            "at": time.monotonic(), "operation": operation, "method": request.method,
            "path": request.path, "seller": info.get("seller_id")
            if isinstance(info, dict) else None,
            "params": {k: request.args.getlist(k) for k in request.args},
            "body": body, "status": response.status_code})
    return response


def operation(surface: str, name: str) -> Callable[[Callable[..., Answer]], Callable[..., Answer]]:
    """Wrap an answer ``handler(info, **url_values)`` into the view of an SP-API operation:
    :func:`begin` (with a ``seller_id`` of the path checked against the token's), the handler
    if the caller passed, :func:`finish`."""
    def decorate(handler: Callable[..., Answer]) -> Callable[..., Answer]:
        @functools.wraps(handler)
        def view(region: str, **kwargs: str) -> Answer:
            info = begin(region, surface, name, kwargs.pop("seller_id", None))
            if not isinstance(info, dict):
                return finish(name, info, info)
            return finish(name, info, handler(info, **kwargs))
        return view
    return decorate


def marketplace(info: dict, values: list[str], *, at_most: int = 1) -> str | Answer:
    """The one marketplace asked for, or Amazon's 400."""
    if not values:
        return error(400, "InvalidInput", "Missing required parameter: marketplaceIds.")
    if len(values) > at_most:
        return error(400, "InvalidInput", f"marketplaceIds: at most {at_most} value is "
                     "allowed.")
    if values[0] not in marketplace_ids(info):
        return error(400, "InvalidInput", f"Invalid marketplaceIds: {values[0][:20]}.")
    return values[0]


#: Feeds API limits (sandbox/feeds.py), here so one table serves the shared checks.
FEED_LIMITS = {"createFeedDocument": (0.5, 15), "createFeed": (0.0083, 15),
               "getFeed": (2, 15), "getFeedDocument": (0.0222, 10),
               "JSON_LISTINGS_FEED": (5 / 300, 5)}


def currency_of(marketplace_id: str) -> str:
    for code, facts in MARKETPLACE_FACTS.items():
        if code in BY_CODE and BY_CODE[code].marketplace_id == marketplace_id:
            return facts[3]
    return "USD"


def issue(code: str, message: str, category: str, attribute: str | None = None,
          severity: str = "ERROR", suppressed: bool = False) -> dict:
    found: dict[str, Any] = {"code": code, "message": message, "severity": severity,
                             "categories": [category]}
    if attribute:
        found["attributeNames"] = [attribute]
    if suppressed:
        found["enforcements"] = {"actions": [{"action": "LISTING_SUPPRESSED"}],
                                 "exemption": {"status": "NOT_EXEMPT"}}
    return found


def _first(attributes: dict, name: str) -> dict | None:
    values = attributes.get(name)
    if isinstance(values, list) and values and isinstance(values[0], dict):
        return values[0]
    return None


def check_offer(body, marketplace_id: str) -> tuple[list[dict], dict | None]:
    """Amazon's synchronous checks of an offer-only body: (issues, the offer as kept)."""
    attributes = body.get("attributes") if isinstance(body.get("attributes"), dict) else {}
    issues: list[dict] = []
    offer: dict[str, Any] = {"product_type": str(body.get("productType"))[:100]}
    for name in ("merchant_suggested_asin", "condition_type"):
        if _first(attributes, name) is None:
            issues.append(issue("90220", f"'{name}' is required but not supplied.",
                                "MISSING_ATTRIBUTE", name))
    asin = str((_first(attributes, "merchant_suggested_asin") or {}).get("value", ""))
    offer["asin"] = asin
    if asin and (len(asin) != 10 or not asin.isalnum() or asin.upper() != asin):
        issues.append(issue("100339", f"The ASIN '{asin[:20]}' is not valid.",
                            "INVALID_ATTRIBUTE", "merchant_suggested_asin"))
    condition = (_first(attributes, "condition_type") or {}).get("value")
    offer["condition"] = condition
    if condition is not None and condition not in CONDITIONS:
        issues.append(issue("4000001", "The value provided for 'condition_type' is not one of "
                            "the allowed values.", "INVALID_ATTRIBUTE", "condition_type"))
    purchasable = _first(attributes, "purchasable_offer")
    if purchasable is None:
        issues.append(issue("90220", "'purchasable_offer' is required but not supplied.",
                            "MISSING_PRICE", "purchasable_offer"))
    else:
        currency = purchasable.get("currency")
        try:
            price = Decimal(str(purchasable["our_price"][0]["schedule"][0]["value_with_tax"]))
        except (KeyError, IndexError, TypeError, InvalidOperation):
            price = None
        if price is None or not price.is_finite():
            issues.append(issue("90220", "'our_price' is required but not supplied.",
                                "MISSING_PRICE", "purchasable_offer"))
        elif not Decimal("0.01") <= price <= Decimal("999999.99"):
            issues.append(issue("8541", f"The price {price} is out of range: it must be between "
                                "0.01 and 999999.99.", "INVALID_PRICE", "purchasable_offer"))
        if currency != currency_of(marketplace_id):
            issues.append(issue("8560", f"The currency '{str(currency)[:5]}' is not the "
                                f"marketplace's currency ({currency_of(marketplace_id)}).",
                                "INVALID_PRICE", "purchasable_offer"))
        offer["price"], offer["currency"] = (str(price) if price is not None else None), currency
    availability = _first(attributes, "fulfillment_availability") or {}
    quantity = availability.get("quantity", 0)
    if not isinstance(quantity, int) or isinstance(quantity, bool) or not 0 <= quantity < 10**7:
        issues.append(issue("4000001", "The value provided for 'quantity' is not valid.",
                            "INVALID_ATTRIBUTE", "fulfillment_availability"))
        quantity = 0
    offer["quantity"] = quantity
    offer["handling"] = availability.get("lead_time_to_ship_max_days")
    if asin and not issues:
        kind = verdict(asin)
        if kind == "approval":
            issues.append(issue("90300", "You need approval to list this product in this "
                                "condition.", "QUALIFICATION_REQUIRED"))
        elif kind == "not_eligible":
            issues.append(issue("90301", "This product is not eligible for listing by this "
                                "seller.", "QUALIFICATION_REQUIRED"))
    return issues, offer


def processed_issues(record: dict) -> list[dict]:
    """Issues Amazon finds after accepting an offer (never in the PUT answer)."""
    kind = verdict(record["asin"])
    if kind == "price_cap" and record.get("price") and Decimal(record["price"]) > \
            MAX_ALLOWED_PRICE:
        return [issue("18027", f"The price {record['price']} is above the Maximum Seller "
                      f"Allowed Price of {MAX_ALLOWED_PRICE} for ASIN {record['asin']}.",
                      "INVALID_PRICE", "purchasable_offer")]
    if kind == "suppressed":
        return [issue("99300", "This listing is suppressed: the product detail page is under "
                      "review.", "INVALID_ATTRIBUTE", None, suppressed=True)]
    return []


def shaped(record: dict, marketplace_id: str, included: list[str], now: float) -> dict:
    """An ``Item`` of searchListingsItems / getListingsItem."""
    issues = processed_issues(record)
    statuses = [] if any(i["severity"] == "ERROR" for i in issues) else \
        (["BUYABLE", "DISCOVERABLE"] if record["quantity"] > 0 else ["DISCOVERABLE"])
    item = {"sku": record["sku"]}
    if "summaries" in included:
        item["summaries"] = [{"marketplaceId": marketplace_id, "asin": record["asin"],
                              "productType": record["product_type"],
                              "conditionType": record["condition"], "status": statuses,
                              "itemName": record.get("name") or record["asin"],
                              "createdDate": iso(record["created"]),
                              "lastUpdatedDate": iso(record["updated"])}]
    if "issues" in included:
        item["issues"] = issues
    if "offers" in included and record.get("price"):
        item["offers"] = [{"marketplaceId": marketplace_id, "offerType": "B2C",
                           "price": {"currencyCode": record["currency"],
                                     "amount": record["price"]}}]
    if "fulfillmentAvailability" in included:
        item["fulfillmentAvailability"] = [{"fulfillmentChannelCode": "DEFAULT",
                                            "quantity": record["quantity"]}]
    return item


def accept(state: SandboxState, seller_id: str, marketplace_id: str, sku: str, offer: dict,
           now: float) -> dict:
    """Keep an accepted offer; it is processed PROCESSING_SECONDS later."""
    key = (seller_id, marketplace_id, sku)
    with state.lock:
        old = state.offers.listings.get(key)
        record = {**offer, "sku": sku, "created": old["created"] if old else now,
                  "updated": now, "processed_at": now + PROCESSING_SECONDS,
                  # A listing Amazon had processed stays found while an update is processed.
                  "visible": bool(old and (old.get("visible") or now >= old["processed_at"]))}
        state.offers.listings[key] = record
        share_quantity(state, seller_id, marketplace_id, sku, record["quantity"])
    return record


def apply_patches(record: dict, patches) -> tuple[str | None, dict]:
    """A listing's attributes with JSON patches applied as Amazon does (top-level attributes
    only; ``add``/``replace``/``merge`` carry a list of objects): (what is wrong with the
    patches, for Amazon's 400, or None; the attributes)."""
    attributes = {"merchant_suggested_asin": [{"value": record["asin"]}],
                  "condition_type": [{"value": record["condition"]}],
                  "purchasable_offer": [{"currency": record["currency"], "our_price": [
                      {"schedule": [{"value_with_tax": record["price"]}]}]}],
                  "fulfillment_availability": [{"fulfillment_channel_code": "DEFAULT",
                                                "quantity": record["quantity"]}]}
    if not isinstance(patches, list) or not patches or len(patches) > 100:
        return "patches is required (1 to 100 operations).", attributes
    for patch in patches:
        if not isinstance(patch, dict) or patch.get("op") not in ("add", "replace", "merge",
                                                                  "delete"):
            return "op has an unknown value.", attributes
        path = patch.get("path")
        name = path.removeprefix("/attributes/") if isinstance(path, str) else ""
        if not isinstance(path, str) or not path.startswith("/attributes/") or "/" in name \
                or not name:
            return "Only top-level attributes can be patched.", attributes
        value: Any = patch.get("value")
        if patch["op"] != "delete" and (not isinstance(value, list) or not value or not all(
                isinstance(v, dict) for v in value)):
            return f"value of {name[:40]} must be a non-empty array of objects.", attributes
        if name not in attributes:
            continue  # attributes an offer-only listing does not keep
        if patch["op"] == "merge":
            attributes[name] = [{**attributes[name][0], **value[0]}]
        elif patch["op"] != "delete":
            attributes[name] = value
    return None, attributes


def region_of(marketplace_id: str) -> str | None:
    for market in BY_CODE.values():
        if market.marketplace_id == marketplace_id:
            return market.region
    return None


def share_quantity(state: SandboxState, seller_id: str, marketplace_id: str, sku: str,
                   quantity: int) -> None:
    """Amazon keeps one merchant quantity per seller SKU for all the marketplaces of a
    region: the other marketplaces' listings of the SKU show it too (call with the lock)."""
    region = region_of(marketplace_id)
    for market in BY_CODE.values():
        if market.region == region and market.marketplace_id != marketplace_id:
            record = state.offers.listings.get((seller_id, market.marketplace_id, sku))
            if record is not None:
                record["quantity"] = quantity


def visible(record: dict, now: float) -> bool:
    if now >= record["processed_at"]:
        record["visible"] = True
    return record["visible"]


# --- The views -----------------------------------------------------------------------------------

def _submission(sku: str, status: str, issues: list[dict],
                identifiers: list[dict] | None = None) -> Answer:
    body: dict[str, Any] = {"sku": sku, "status": status, "submissionId": uuid.uuid4().hex,
                            "issues": issues}
    if identifiers is not None:
        body["identifiers"] = identifiers
    return jsonify(body)


def _marketplace_asked(info: dict) -> str | Answer:
    return marketplace(info, [v for v in request.args.get("marketplaceIds", "").split(",")
                              if v])


@bp.route("/spapi/<region>/listings/2021-08-01/items/<seller_id>/<path:sku>",
          methods=["PUT", "PATCH", "GET", "DELETE"])
def listings_item(region: str, seller_id: str, sku: str) -> Answer:
    name = {"PUT": "putListingsItem", "PATCH": "patchListingsItem",
            "GET": "getListingsItem", "DELETE": "deleteListingsItem"}[request.method]
    info = begin(region, "listings", name, seller_id)
    if not isinstance(info, dict):
        return finish(name, info, info)
    return finish(name, info, _item_answer(info, sku))


def _item_answer(info: dict, sku: str) -> Answer:
    state = current_sandbox()
    market = _marketplace_asked(info)
    if not isinstance(market, str):
        return market
    if not sku or len(sku) > 200:
        return error(400, "InvalidInput", "The SKU must have 1 to 200 characters.")
    key, now = (info["seller_id"], market, sku), state.now()
    body: dict = {}
    if request.method in ("PUT", "PATCH"):
        posted = request.get_json(silent=True)
        if not isinstance(posted, dict) or not isinstance(posted.get("productType"), str):
            return error(400, "InvalidInput", "Invalid input", "productType is required.")
        body = posted
    if request.method == "PUT":
        return _put_answer(info, market, sku, body, now)
    with state.lock:
        record = state.offers.listings.get(key)
    if record is None or (request.method == "GET" and not visible(record, now)):
        return error(404, "NOT_FOUND", f"SKU '{sku[:40]}' not found in marketplace "
                     f"{market}.")
    if request.method == "DELETE":
        with state.lock:
            state.offers.listings.pop(key, None)
        return _submission(sku, "ACCEPTED", [])
    if request.method == "GET":
        included = request.args.get("includedData", "summaries").split(",")
        return jsonify(shaped(record, market, included, now))
    return _patch_answer(info, market, sku, record, body, now)


def _put_answer(info: dict, market: str, sku: str, body: dict, now: float) -> Answer:
    if not isinstance(body.get("attributes"), dict):
        return error(400, "InvalidInput", "Invalid input", "attributes is required.")
    if body.get("requirements", "LISTING") not in REQUIREMENTS:
        return error(400, "InvalidInput", "Invalid input", "requirements has an unknown value.")
    mode = request.args.get("mode")
    if mode not in (None, "VALIDATION_PREVIEW"):
        return error(400, "InvalidInput", "Invalid input", "mode has an unknown value.")
    issues, offer = check_offer(body, market)
    if mode == "VALIDATION_PREVIEW":
        ids = [{"marketplaceId": market, "asin": offer["asin"]}] \
            if offer and offer.get("asin") else []
        return _submission(sku, "INVALID" if issues else "VALID", issues, ids)
    if issues or offer is None:
        return _submission(sku, "INVALID", issues)
    accept(current_sandbox(), info["seller_id"], market, sku, offer, now)
    return _submission(sku, "ACCEPTED", [])


def _patch_answer(info: dict, market: str, sku: str, record: dict, body: dict,
                  now: float) -> Answer:
    problem, attributes = apply_patches(record, body.get("patches"))
    if problem:
        return error(400, "InvalidInput", "Invalid input", problem)
    issues, offer = check_offer({"productType": body["productType"],
                                 "attributes": attributes}, market)
    if issues or offer is None:
        return _submission(sku, "INVALID", issues)
    accept(current_sandbox(), info["seller_id"], market, sku, offer, now)
    return _submission(sku, "ACCEPTED", [])


@bp.get("/spapi/<region>/listings/2021-08-01/items/<seller_id>")
@operation("listings", "searchListingsItems")
def search_listings_items(info: dict) -> Answer:
    args = request.args
    market = _marketplace_asked(info)
    if not isinstance(market, str):
        return market
    asked = [v for v in args.get("identifiers", "").split(",") if v]
    if len(asked) > 20:
        return error(400, "InvalidInput", "identifiers: at most 20 values are allowed.")
    if asked and args.get("identifiersType") not in ("ASIN", "EAN", "FNSKU", "GTIN", "ISBN",
                                                     "JAN", "MINSAN", "SKU", "UPC"):
        return error(400, "InvalidInput", "identifiersType is required with identifiers.")
    included = args.get("includedData", "summaries").split(",")
    if any(v not in INCLUDED for v in included):
        return error(400, "InvalidInput", "includedData has an unknown value.")
    size = args.get("pageSize", "10")
    if not size.isdigit() or not 1 <= int(size) <= 20:
        return error(400, "InvalidInput", "pageSize must be between 1 and 20.")
    after = args.get("lastUpdatedAfter")
    try:
        after_epoch = datetime.strptime(after, "%Y-%m-%dT%H:%M:%SZ").replace(
            tzinfo=timezone.utc).timestamp() if after else None
    except ValueError:
        return error(400, "InvalidInput", "lastUpdatedAfter must be an ISO 8601 date-time.")
    state = current_sandbox()
    now = state.now()
    with state.lock:
        records = [r for (seller, market_id, _sku), r in state.offers.listings.items()
                   if seller == info["seller_id"] and market_id == market and visible(r, now)]
    if asked:
        wanted = set(asked) if args.get("identifiersType") == "SKU" else set()
        by_asin = set(asked) if args.get("identifiersType") == "ASIN" else set()
        records = [r for r in records if r["sku"] in wanted or r["asin"] in by_asin]
    if after_epoch is not None:
        records = [r for r in records if r["updated"] > after_epoch]
    sort_by = args.get("sortBy", "lastUpdatedDate")
    sort_keys: dict[str, Callable[[dict], Any]] = {
        "sku": lambda r: r["sku"], "createdDate": lambda r: (r["created"], r["sku"]),
        "lastUpdatedDate": lambda r: (r["updated"], r["sku"])}
    if sort_by not in sort_keys:
        return error(400, "InvalidInput", "sortBy has an unknown value.")
    records.sort(key=sort_keys[sort_by], reverse=args.get("sortOrder", "DESC") == "DESC")
    records = records[:1000]  # Amazon pages through at most 1,000 results per query
    page = _page(args, len(records), int(size))
    if page is None:
        return error(400, "InvalidInput", "The pageToken is not valid for this query.")
    start, pagination = page
    return jsonify({"numberOfResults": len(records), "pagination": pagination,
                    "items": [shaped(r, market, included, now)
                              for r in records[start:start + int(size)]]})


def _page(args: MultiDict[str, str], total: int, size: int) -> tuple[int, dict] | None:
    """Where the page a ``pageToken`` points at starts, and the tokens around it; None for a
    token of another query."""
    query = hashlib.sha256(json.dumps(sorted((k, v) for k, v in args.items(multi=True)
                                             if k != "pageToken")).encode()).hexdigest()[:16]
    start = 0
    if args.get("pageToken"):
        token_query: str | None
        try:
            token_query, offset = base64.urlsafe_b64decode(
                args["pageToken"].encode()).decode().split(":")
            start = int(offset)
        except (ValueError, UnicodeDecodeError):
            token_query = None
        if token_query != query or not 0 <= start < total:
            return None
    pagination = {}
    if start + size < total:
        pagination["nextToken"] = base64.urlsafe_b64encode(
            f"{query}:{start + size}".encode()).decode()
    if start:
        pagination["previousToken"] = base64.urlsafe_b64encode(
            f"{query}:{max(0, start - size)}".encode()).decode()
    return start, pagination


@bp.get("/spapi/<region>/listings/2021-08-01/restrictions")
@operation("restrictions", "getListingsRestrictions")
def listings_restrictions(info: dict) -> Answer:
    args = request.args
    if args.get("sellerId") != info["seller_id"]:
        return error(400, "InvalidInput", "sellerId must be the caller's.")
    market = _marketplace_asked(info)
    if not isinstance(market, str):
        return market
    asin, condition = args.get("asin", ""), args.get("conditionType")
    if not asin:
        return error(400, "InvalidInput", "Missing required parameter: asin.")
    if condition is not None and condition not in CONDITIONS:
        return error(400, "InvalidInput", "conditionType has an unknown value.")
    kind = verdict(asin)
    restriction: dict[str, Any] = {"marketplaceId": market}
    if condition:
        restriction["conditionType"] = condition
    if kind == "approval":
        restriction["reasons"] = [{
            "message": "You need approval to list in this brand or category.",
            "reasonCode": "APPROVAL_REQUIRED",
            "links": [{"resource": "https://sellercentral.amazon.com/hz/approvalrequest/"
                                   f"restrictions/approve?asin={asin}",
                       "verb": "GET", "title": "Request Approval via Seller Central.",
                       "type": "text/html"}]}]
    elif kind == "not_eligible":
        restriction["reasons"] = [{"message": "This product is not eligible for listing "
                                   "by this seller.", "reasonCode": "NOT_ELIGIBLE"}]
    else:
        return jsonify({"restrictions": []})
    return jsonify({"restrictions": [restriction]})


@bp.get("/spapi/<region>/definitions/2020-09-01/productTypes/<product_type>")
@operation("definitions", "getDefinitionsProductType")
def definitions_product_type(info: dict, product_type: str) -> Answer:
    args = request.args
    market = _marketplace_asked(info)
    if not isinstance(market, str):
        return market
    requirements = args.get("requirements", "LISTING")
    if requirements not in REQUIREMENTS:
        return error(400, "InvalidInput", "requirements has an unknown value.")
    if not product_type.replace("_", "").isalnum() or product_type.upper() != product_type:
        return error(404, "NOT_FOUND", f"Product type {product_type[:40]} not found.")
    resource = f"{request.host_url}_sandbox/schemas/{product_type}.json"
    return jsonify({
        "schema": {"link": {"resource": resource, "verb": "GET"},
                   "checksum": hashlib.sha256(product_type.encode()).hexdigest()[:32]},
        "requirements": requirements, "requirementsEnforced": "ENFORCED",
        "propertyGroups": {"offer": {"title": "Offer", "description": "Sales terms",
                                     "propertyNames": list(OFFER_SCHEMA["properties"])}},
        "locale": "en_US", "marketplaceIds": [market], "productType": product_type,
        "displayName": product_type.replace("_", " ").title(),
        "productTypeVersion": {"version": "U1234567890", "latest": True,
                               "releaseCandidate": False}})


@bp.get("/_sandbox/schemas/<product_type>.json")
def product_type_schema(product_type: str) -> Answer:
    """The offer-only JSON Schema (Amazon serves it from a pre-signed S3 URL)."""
    return jsonify({**OFFER_SCHEMA, "$id": f"https://schemas.amazon.com/selling-partners/"
                    f"definitions/product-types/schema/v1/{product_type[:60]}"})


@bp.post("/_sandbox/listings/faults")
def listings_faults() -> Answer:
    """{"listings": "429", "times": 2, …}: surfaces listings, restrictions, definitions,
    feeds, upload; faults as for the catalog. An empty body clears them. Also
    ``gzip`` (processing reports compressed) and ``rate_scale`` (every limit times it)."""
    data = control_data()
    try:
        times = int(data["times"]) if data.get("times") else None
    except (TypeError, ValueError):
        times = None
    state = current_sandbox()
    with state.lock:
        state.offers.faults = {surface: [str(data[surface])[:20], times] for surface in
                               ("listings", "restrictions", "definitions", "feeds",
                                "upload") if data.get(surface)}
        if "rate_scale" in data:
            try:
                state.offers.rate_scale = min(100.0, max(0.1, float(data["rate_scale"])))
            except (TypeError, ValueError):
                pass
        if "gzip" in data:
            state.offers.gzip_reports = data["gzip"] not in (False, "0", "false", "")
    return jsonify({"ok": True})


@bp.get("/_sandbox/listings/requests")
def listings_requests() -> Answer:
    """Every Listings / Restrictions / Definitions / Feeds request, for tests."""
    state = current_sandbox()
    with state.lock:
        return jsonify({"requests": list(state.offers.requests)})


#: The offer-only schema's properties (a small but faithful subset of Amazon's meta-schema
#: output): what an offer may carry, with handling time inside fulfillment_availability.
OFFER_SCHEMA = {
    "$schema": "https://schemas.amazon.com/selling-partners/definitions/product-types/"
               "meta-schema/v1",
    "type": "object",
    "required": ["condition_type", "merchant_suggested_asin"],
    "properties": {
        "merchant_suggested_asin": {"type": "array", "items": {"type": "object", "properties": {
            "value": {"type": "string"}, "marketplace_id": {"type": "string"}}}},
        "condition_type": {"type": "array", "items": {"type": "object", "properties": {
            "value": {"type": "string", "enum": list(CONDITIONS)},
            "marketplace_id": {"type": "string"}}}},
        "purchasable_offer": {"type": "array", "items": {"type": "object", "properties": {
            "currency": {"type": "string"}, "marketplace_id": {"type": "string"},
            "our_price": {"type": "array"}}}},
        "fulfillment_availability": {"type": "array", "items": {"type": "object", "properties": {
            "fulfillment_channel_code": {"type": "string"},
            "quantity": {"type": "integer", "minimum": 0},
            "lead_time_to_ship_max_days": {"type": "integer", "minimum": 0}}}},
    },
}
