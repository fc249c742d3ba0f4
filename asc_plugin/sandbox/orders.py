"""The sandbox's Orders API v2026-01-01: searchOrders and getOrder, with generated orders.

Each connected seller gets orders in each marketplace it sells in, generated from a hash of the
seller, the marketplace and a slot on a grid of the sandbox clock (one every ``interval``
seconds, from a day before the seller's first authorization), so the same clock always shows
the same orders. Each order moves through Amazon's statuses as the clock moves: PENDING for 10
to 40 minutes (payment check), then UNSHIPPED, SHIPPED a day later; one in ten is cancelled
while pending and one in ten after it became unshipped; one in seven is fulfilled by Amazon.
Items carry the configured seller SKUs (``SANDBOX_ORDER_SKUS``: the demo catalog's by default)
and, in one order of eleven, a SKU no shop has (``UNKNOWN_SKU``).

What Amazon is known or documented to do, the sandbox does: buyer and recipient details only for
an app with the restricted role (``PII_ROLE`` in the settings' roles); no prices while an order
is pending; ``fulfillment``, ``proceeds`` and ``cancellation`` only when ``includedData`` asks;
pagination tokens valid 24 hours and only for the same query; the documented usage plans
(searchOrders 0.0056/s burst 20, getOrder 0.5/s burst 30) with Amazon's 429 body and no rate
header on 403/429/5xx; fault switches. ``POST /_sandbox/orders`` places an order for a SKU
(the demo and tests), ``…/<id>/cancel`` cancels one.
"""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, redirect, request, url_for

from ..marketplaces import BY_CODE
from ..params import parse_int
from .data import (
    DAY,
    MARKETPLACE_FACTS,
    ORDERS_ROLE,
    PII_ROLE,
    OrderSettings,
    Placed,
    marketplace_ids,
    seller_by_id,
)
from .guards import (
    QUOTA,
    Answer,
    caller,
    control_data,
    current_sandbox,
    fault_answer,
    region_or_404,
    stamped,
    tests_only,
)
from .guards import spapi_error as error

bp = Blueprint("orders", __name__)

#: The demo catalog's first products: seller SKU -> (title, unit price).
DEFAULT_SKUS = {
    "TRS-001": ("Trail Running Shoe", "89.00"), "CTB-014": ("Canvas Tote Bag", "24.50"),
    "BOOK-77": ("The Pragmatic Cookbook", "31.99"), "BEA-9": ("Wool Beanie", "19.00"),
    "NB-22": ("Field Notebook", "6.50"),
}
UNKNOWN_SKU = "DISCONTINUED-01"
STATUSES = ("PENDING_AVAILABILITY", "PENDING", "UNSHIPPED", "PARTIALLY_SHIPPED", "SHIPPED",
            "CANCELLED", "UNFULFILLABLE")
INCLUDED = ("BUYER", "RECIPIENT", "PROCEEDS", "EXPENSE", "PROMOTION", "CANCELLATION",
            "FULFILLMENT", "PACKAGES", "TAX", "PAYMENT", "FULFILLMENT_ORDERS")
TOKEN_LIFE = 24 * 3600
#: How long the "slow" fault keeps a request waiting (longer than clients wait).
SLOW_SECONDS = 3


def _digest(*parts) -> int:
    return int(hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest(), 16)


def _order_id(seed: int) -> str:
    return f"{seed % 900 + 100}-{(seed >> 10) % 10**7:07d}-{(seed >> 40) % 10**7:07d}"


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse(value: str | None) -> float | None:
    if not value or len(value) > 40:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).timestamp()


# --- Orders and their timelines ----------------------------------------------------------------

def timeline(order: Placed) -> list[tuple[float, str]]:
    """(moment, status) transitions, in order."""
    steps = [(order.created, "PENDING")]
    paid = order.created + order.pending
    if order.cancel_while_pending:
        return steps + [(paid, "CANCELLED")]
    steps.append((paid, "UNSHIPPED"))
    if order.cancelled_at is not None:
        return steps + [(max(paid, order.cancelled_at), "CANCELLED")]
    return steps + [(paid + DAY, "SHIPPED")]


def status_at(order: Placed, now: float) -> tuple[str, float]:
    """The order's status at a moment, and when it last changed."""
    current = (order.created, "PENDING")
    for step in timeline(order):
        if step[0] <= now:
            current = step
    return current[1], current[0]


def generated(seller_id: str, marketplace_id: str, since: float, until: float,
              settings: OrderSettings, skus: list[str]) -> list[Placed]:
    """The generated orders created in [since, until] (the grid of the sandbox clock)."""
    if settings.interval <= 0:
        return []
    phase = _digest(seller_id, marketplace_id) % int(settings.interval)
    first = int((since - phase) // settings.interval) + 1
    last = int((until - phase) // settings.interval)
    orders = []
    for slot in range(max(first, last - 20_000), last + 1):
        seed = _digest(seller_id, marketplace_id, slot)
        created = slot * settings.interval + phase
        lines = [(skus[(seed >> 8) % len(skus)], 1 + (seed >> 16) % 3)]
        if (seed >> 20) % 4 == 0:
            lines.append((skus[(seed >> 24) % len(skus)], 1))
        if (seed >> 28) % 11 == 0:
            lines.append((UNKNOWN_SKU, 1))
        fate = (seed >> 32) % 10
        orders.append(Placed(
            order_id=_order_id(seed), seller_id=seller_id, marketplace_id=marketplace_id,
            created=created, lines=list(dict(lines).items()),
            pending=600 + (seed >> 36) % 1800,
            cancel_while_pending=fate == 0,
            cancelled_at=created + 6 * 3600 if fate == 1 else None,
            fulfilled_by="AMAZON" if (seed >> 40) % 7 == 3 else "MERCHANT"))
    return orders


def shaped(order: Placed, now: float, included: set[str], roles, catalog: dict) -> dict:
    """An ``Order`` object as Amazon's model has it, at a moment, for an app with these roles."""
    status, updated = status_at(order, now)
    marketplace = next(m for m in BY_CODE.values() if m.marketplace_id == order.marketplace_id)
    name, _domain, country, currency, _language = MARKETPLACE_FACTS.get(
        marketplace.code, ("Amazon", "", marketplace.code, "USD", ""))
    seed = _digest(order.order_id)
    items = []
    for n, (sku, quantity) in enumerate(order.lines):
        title, price = catalog.get(sku, ("Discontinued item", "15.00"))
        product = {"asin": "B0" + f"{_digest(sku) % 36**8:08X}"[:8].replace("O", "0"),
                   "title": title, "sellerSku": sku,
                   "condition": {"conditionType": "NEW", "conditionSubtype": "NEW"}}
        if status != "PENDING":  # Amazon gives no prices while payment is being checked
            product["price"] = {"unitPrice": {"amount": price, "currencyCode": currency}}
        item = {"orderItemId": f"{seed % 10**14:014d}{n}", "quantityOrdered": quantity,
                "product": product}
        if "PROCEEDS" in included and status != "PENDING":
            subtotal = f"{float(price) * quantity:.2f}"
            tax = f"{float(price) * quantity * 0.08:.2f}"
            item["proceeds"] = {
                "proceedsTotal": {"amount": f"{float(subtotal) + float(tax):.2f}",
                                  "currencyCode": currency},
                "breakdowns": [{"type": "ITEM", "subtotal": {"amount": subtotal,
                                                             "currencyCode": currency}},
                               {"type": "TAX", "subtotal": {"amount": tax,
                                                            "currencyCode": currency}}]}
        if "FULFILLMENT" in included:
            shipped = quantity if status == "SHIPPED" else 0
            item["fulfillment"] = {"quantityFulfilled": shipped,
                                   "quantityUnfulfilled": quantity - shipped}
        if "CANCELLATION" in included and status == "CANCELLED":
            item["cancellation"] = {"cancellationRequest": {"requester": "BUYER",
                                                            "cancelReason": "BUYER_CANCELED"}}
        items.append(item)
    body = {
        "orderId": order.order_id, "createdTime": _iso(order.created),
        "lastUpdatedTime": _iso(updated), "programs": [],
        "salesChannel": {"channelName": "AMAZON", "marketplaceId": order.marketplace_id,
                         "marketplaceName": name},
        "orderItems": items,
    }
    if "FULFILLMENT" in included:
        body["fulfillment"] = {"fulfillmentStatus": status, "fulfilledBy": order.fulfilled_by,
                               "fulfillmentServiceLevel": "STANDARD"}
    restricted = PII_ROLE in roles and order.fulfilled_by == "MERCHANT"
    if restricted and "BUYER" in included:
        buyer = {"buyerName": f"Buyer {seed % 9000 + 1000}"}
        if status in ("UNSHIPPED", "PARTIALLY_SHIPPED", "SHIPPED"):
            buyer["buyerEmail"] = f"{seed % 10**12:012d}@marketplace.amazon.com"
        body["buyer"] = buyer
    if restricted and "RECIPIENT" in included and status != "PENDING":
        body["recipient"] = {"deliveryAddress": {
            "name": f"Buyer {seed % 9000 + 1000}", "addressLine1": f"{seed % 900 + 100} Main St",
            "city": "Seattle", "stateOrRegion": "WA", "postalCode": "98101",
            "countryCode": country,
            "addressType": "RESIDENTIAL"}}
    return body


# --- The API and the sandbox's controls --------------------------------------------------------

def _skus() -> dict:
    return current_app.config.get("SANDBOX_ORDER_SKUS") or DEFAULT_SKUS


def _first_authorized(seller_id: str) -> float | None:
    state = current_sandbox()
    with state.lock:
        return min((a.authorized_at for a in state.authorizations
                    if a.seller_id == seller_id), default=None)


def _all_orders(seller_id: str, marketplaces: list[str], now: float) -> list[Placed]:
    orders = current_sandbox().orders
    found = []
    start = _first_authorized(seller_id)
    for marketplace_id in marketplaces:
        if start is not None:
            found += generated(seller_id, marketplace_id, start - orders.settings.lookback,
                               now, orders.settings, list(_skus()))
    with orders.lock:
        found += [o for o in orders.placed.values() if o.seller_id == seller_id
                  and o.marketplace_id in marketplaces and o.created <= now]
    return found


def _take_fault(operation: str) -> str | None:
    orders = current_sandbox().orders
    with orders.lock:
        if orders.fault is None or orders.fault_operation not in (None, operation):
            return None
        fault = orders.fault
        if orders.fault_times is not None:
            orders.fault_times -= 1
            if orders.fault_times <= 0:
                orders.fault = orders.fault_times = orders.fault_operation = None
        return fault


def _guard(region: str, operation: str) -> dict | Answer:
    """Amazon's checks before the operation: fault switch, user-agent, token, role, rate."""
    region_or_404(region)
    fault = _take_fault(operation)
    faulted = fault_answer(fault)
    if faulted is not None:
        return faulted
    if fault == "slow":
        time.sleep(SLOW_SECONDS)
    info = caller(region, ORDERS_ROLE)
    if not isinstance(info, dict):
        return info
    state = current_sandbox()
    settings = state.orders.settings
    rate, burst = ((settings.search_rate, settings.search_burst) if operation == "search"
                   else (settings.get_rate, settings.get_burst))
    if not state.take_rate(f"{info['seller_id']}:{info['region']}:orders:{operation}",
                           burst=burst, per_second=rate):
        return error(429, *QUOTA)
    return info


def _answer(operation: str, result: Answer, rate: float) -> Response:
    """The answer with Amazon's headers, recorded for tests and the benchmark."""
    response = stamped(result, rate=rate)
    orders = current_sandbox().orders
    with orders.lock:
        orders.requests.append({
            "operation": operation, "at": time.monotonic(),
            "seller": request.environ.get("asc_sandbox.seller"),
            "params": {key: request.args.getlist(key) for key in request.args},
            "path": request.path, "status": response.status_code})
    return response


@bp.get("/spapi/<region>/orders/2026-01-01/orders")
def search_orders(region: str) -> Answer:
    info = _guard(region, "search")
    if isinstance(info, dict):
        request.environ["asc_sandbox.seller"] = info["seller_id"]
        info = _search_answer(info)
    return _answer("search", info, current_sandbox().orders.settings.search_rate)


def _search_answer(info: dict) -> Answer:
    state, args = current_sandbox(), request.args
    orders = state.orders
    query = {k: ",".join(args.getlist(k)) for k in sorted(args) if k != "paginationToken"}
    now = state.now()
    token = args.get("paginationToken")
    offset, cutoff = 0, now
    if token:
        with orders.lock:
            kept = orders.tokens.get(token)
        if kept is None or kept["expires"] <= now:
            return error(400, "InvalidInput", "The pagination token is invalid or expired.")
        if any(kept["query"].get(k) != v for k, v in query.items()) or \
                kept["seller"] != info["seller_id"]:
            return error(400, "InvalidInput",
                         "The pagination token does not belong to this query.")
        query, offset, cutoff = kept["query"], kept["offset"], kept["cutoff"]
    refused = _search_refusal(info, query, now)
    if refused is not None:
        return refused
    after = _parse(query.get("lastUpdatedAfter"))
    created_after = _parse(query.get("createdAfter"))
    before = min(_parse(query.get("lastUpdatedBefore") or query.get("createdBefore")) or cutoff,
                 cutoff)
    statuses = set(filter(None, query.get("fulfillmentStatuses", "").split(",")))
    by = set(filter(None, query.get("fulfilledBy", "").split(",")))
    wanted = [m for m in query.get("marketplaceIds", "").split(",") if m] or \
        marketplace_ids(info)
    matching = []
    for order in _all_orders(info["seller_id"], wanted, cutoff):
        status, updated = status_at(order, cutoff)
        if after is not None and not after <= updated <= before:
            continue
        if created_after is not None and not created_after <= order.created <= before:
            continue
        if (statuses and status not in statuses) or (by and order.fulfilled_by not in by):
            continue
        matching.append(order)
    matching.sort(key=lambda o: (o.created, o.order_id))
    size = int(query.get("maxResultsPerPage") or 100)
    page = matching[offset:offset + size]
    included = set(filter(None, query.get("includedData", "").split(",")))
    body: dict[str, Any] = {"orders": [shaped(o, cutoff, included, state.settings.roles,
                                              _skus()) for o in page]}
    if after is not None:
        body["lastUpdatedBefore"] = _iso(before)
    else:
        body["createdBefore"] = _iso(before)
    if offset + size < len(matching):
        new = secrets.token_urlsafe(24)
        with orders.lock:
            orders.tokens[new] = {"query": query, "offset": offset + size, "cutoff": cutoff,
                                  "expires": now + TOKEN_LIFE, "seller": info["seller_id"]}
        body["pagination"] = {"nextToken": new}
    return jsonify(body)


def _search_refusal(info: dict, query: dict, now: float) -> Answer | None:
    created, updated = query.get("createdAfter"), query.get("lastUpdatedAfter")
    if bool(created) == bool(updated):
        return error(400, "InvalidInput",
                     "Exactly one of createdAfter and lastUpdatedAfter is required.")
    if created and (query.get("lastUpdatedBefore")) or updated and query.get("createdBefore"):
        return error(400, "InvalidInput", "created and lastUpdated dates cannot be mixed.")
    for name in ("createdAfter", "createdBefore", "lastUpdatedAfter", "lastUpdatedBefore"):
        if query.get(name) and _parse(query[name]) is None:
            return error(400, "InvalidInput", f"{name} must be an ISO 8601 date-time.")
    for name in ("createdBefore", "lastUpdatedBefore"):
        moment = _parse(query.get(name))
        if moment is not None and moment > now - 120:
            return error(400, "InvalidInput",
                         f"{name} must be at least two minutes before now.")
    for name, allowed in (("fulfillmentStatuses", STATUSES),
                          ("fulfilledBy", ("MERCHANT", "AMAZON")),
                          ("includedData", INCLUDED)):
        if any(v not in allowed for v in filter(None, query.get(name, "").split(","))):
            return error(400, "InvalidInput", f"{name} has an unknown value.")
    asked = [m for m in query.get("marketplaceIds", "").split(",") if m]
    if len(asked) > 50:
        return error(400, "InvalidInput", "marketplaceIds: at most 50 values are allowed.")
    known = marketplace_ids(info)
    if any(m not in known for m in asked):
        return error(400, "InvalidInput", "marketplaceIds has a marketplace the seller "
                     "does not sell in.")
    if parse_int(query.get("maxResultsPerPage", "100"), min=1, max=100) is None:
        return error(400, "InvalidInput", "maxResultsPerPage must be between 1 and 100.")
    return None


@bp.get("/spapi/<region>/orders/2026-01-01/orders/<order_id>")
def get_order(region: str, order_id: str) -> Answer:
    info = _guard(region, "get")
    if isinstance(info, dict):
        request.environ["asc_sandbox.seller"] = info["seller_id"]
        info = _get_answer(info, order_id)
    return _answer("get", info, current_sandbox().orders.settings.get_rate)


def _get_answer(info: dict, order_id: str) -> Answer:
    included = set(filter(None, request.args.get("includedData", "").split(",")))
    if any(v not in INCLUDED for v in included):
        return error(400, "InvalidInput", "includedData has an unknown value.")
    state = current_sandbox()
    now = state.now()
    found = next((o for o in _all_orders(info["seller_id"], marketplace_ids(info), now)
                  if o.order_id == order_id), None)
    if found is None:
        return error(404, "NotFound", "The order was not found.")
    return jsonify({"order": shaped(found, now, included, state.settings.roles, _skus())})


# --- Controls (tests, the demo's sandbox page, the benchmark) -------------------------------

def _number(value: Any, default: float, low: float, high: float) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return default
    return value if low <= value <= high else default


@bp.post("/_sandbox/orders")
def place_order() -> Answer:
    """Place orders for a SKU: {seller_id, marketplace_id, sku, quantity, count,
    pending_minutes}. They are created now on the sandbox clock (count > 1: one a second,
    the last now), pending for pending_minutes (default 0)."""
    body = control_data()
    seller = seller_by_id(str(body.get("seller_id") or "A3FH4EXAMPLE"))
    if seller is None:
        return jsonify({"ok": False, "error": "unknown seller"}), 400
    if body.get("sku") is not None and not isinstance(body.get("sku"), str):
        return jsonify({"ok": False, "error": "sku must be text"}), 400
    region_markets = [BY_CODE[c].marketplace_id for c in seller.marketplaces]
    marketplace_id = str(body.get("marketplace_id") or region_markets[0])
    sku = str(body.get("sku") or "")[:100]
    if marketplace_id not in region_markets or not sku.strip():
        return jsonify({"ok": False, "error": "a sku and a seller's marketplace"}), 400
    quantity = int(_number(body.get("quantity"), 1, 1, 1000))
    count = int(_number(body.get("count"), 1, 1, 5000))
    pending = _number(body.get("pending_minutes"), 0, 0, 60 * 24 * 30) * 60
    state = current_sandbox()
    now, orders = state.now(), state.orders
    made = []
    with orders.lock:
        for n in range(count):
            order_id = _order_id(_digest(uuid.uuid4().hex))
            orders.placed[order_id] = Placed(
                order_id=order_id, seller_id=seller.selling_partner_id,
                marketplace_id=marketplace_id, created=now - (count - 1 - n),
                lines=[(sku, quantity)], pending=pending)
            made.append(order_id)
    if request.form:  # the sandbox's index page
        return redirect(url_for("switches.index"), 303)
    return jsonify({"ok": True, "order_ids": made})


@bp.post("/_sandbox/orders/<order_id>/cancel")
def cancel_order(order_id: str) -> Answer:
    state = current_sandbox()
    with state.orders.lock:
        order = state.orders.placed.get(order_id)
        if order is None:
            return jsonify({"ok": False, "error": "no placed order with this id"}), 404
        state.orders.placed[order_id] = replace(order, cancelled_at=state.now())
    return jsonify({"ok": True})


@bp.post("/_sandbox/orders/settings")
def order_settings() -> Answer:
    orders = current_sandbox().orders
    body, current = control_data(), orders.settings
    orders.settings = OrderSettings(**{
        name: _number(body.get(name), getattr(current, name), 0, 10 * 365 * DAY)
        for name in OrderSettings.__dataclass_fields__})
    return jsonify({"ok": True, "settings": orders.settings.__dict__})


@bp.post("/_sandbox/orders/faults")
def order_faults() -> Answer:
    body = control_data()
    fault = body.get("fault")
    orders = current_sandbox().orders
    with orders.lock:
        orders.fault = str(fault)[:20] if fault else None
        orders.fault_times = int(_number(body.get("times"), 0, 1, 10_000)) or None
        orders.fault_operation = body.get("operation") if body.get("operation") in (
            "search", "get") else None
    return jsonify({"ok": True})


@bp.get("/_sandbox/orders/requests")
def order_requests() -> Answer:
    """Every Orders API request so far, for tests and the benchmark."""
    tests_only()
    orders = current_sandbox().orders
    with orders.lock:
        return jsonify({"requests": list(orders.requests)})
