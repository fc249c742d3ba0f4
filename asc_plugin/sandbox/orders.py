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
import threading
import time
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone

from flask import Flask, abort, jsonify, redirect, request, url_for

from ..marketplaces import BY_CODE
from ..params import parse_int
from .data import (
    MARKETPLACE_FACTS,
    ORDERS_ROLE,
    PII_ROLE,
    SandboxState,
    participations,
    seller_by_id,
)

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
DAY = 86400


@dataclass(frozen=True)
class OrderSettings:
    interval: float = 3 * 3600      # seconds between generated orders per marketplace; 0: none
    lookback: float = DAY           # generated orders start this long before authorization
    search_rate: float = 0.0056
    search_burst: float = 20
    get_rate: float = 0.5
    get_burst: float = 30


@dataclass
class Placed:
    """An order placed through the sandbox's control (or a generated one, as computed)."""

    order_id: str
    seller_id: str
    marketplace_id: str
    created: float
    lines: list[tuple[str, int]]      # (sku, quantity)
    pending: float = 0.0              # seconds in PENDING
    cancelled_at: float | None = None
    fulfilled_by: str = "MERCHANT"
    cancel_while_pending: bool = False


@dataclass
class OrdersState:
    lock: threading.Lock = field(default_factory=threading.Lock)
    settings: OrderSettings = field(default_factory=OrderSettings)
    fault: str | None = None
    fault_times: int | None = None
    fault_operation: str | None = None   # "search" | "get" | None (both)
    placed: dict[str, Placed] = field(default_factory=dict)
    tokens: dict[str, dict] = field(default_factory=dict)
    requests: list[dict] = field(default_factory=list)

    def reset(self) -> None:
        with self.lock:
            self.settings = OrderSettings()
            self.fault = self.fault_times = self.fault_operation = None
            self.placed.clear()
            self.tokens.clear()
            self.requests.clear()


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

def register(app: Flask, state: SandboxState) -> list:
    """Add the Orders API and its controls to the sandbox app; returns views exempt from CSRF."""
    orders = OrdersState()
    state.resets.append(orders.reset)
    app.extensions["asc_sandbox_orders"] = orders

    def skus() -> dict:
        return app.config.get("SANDBOX_ORDER_SKUS") or DEFAULT_SKUS

    def error(status: int, code: str, message: str, details: str = ""):
        from .app import _spapi_error

        return _spapi_error(status, code, message, details)

    def first_authorized(seller_id: str) -> float | None:
        with state.lock:
            return min((a.authorized_at for a in state.authorizations
                        if a.seller_id == seller_id), default=None)

    def all_orders(seller_id: str, marketplace_ids: list[str], now: float) -> list[Placed]:
        found = []
        start = first_authorized(seller_id)
        for marketplace_id in marketplace_ids:
            if start is not None:
                found += generated(seller_id, marketplace_id, start - orders.settings.lookback,
                                   now, orders.settings, list(skus()))
        with orders.lock:
            found += [o for o in orders.placed.values() if o.seller_id == seller_id
                      and o.marketplace_id in marketplace_ids and o.created <= now]
        return found

    def seller_marketplaces(info: dict) -> list[str]:
        seller = seller_by_id(info["seller_id"])
        return [p["marketplace"]["id"] for p in participations(seller, info["region"])]

    def take_fault(operation: str) -> str | None:
        with orders.lock:
            if orders.fault is None or orders.fault_operation not in (None, operation):
                return None
            fault = orders.fault
            if orders.fault_times is not None:
                orders.fault_times -= 1
                if orders.fault_times <= 0:
                    orders.fault = orders.fault_times = orders.fault_operation = None
            return fault

    def guard(region: str, operation: str):
        """Amazon's checks before the operation: fault switch, user-agent, token, role, rate."""
        from .app import REGIONS, USER_AGENT

        if region not in REGIONS:
            abort(404)
        fault = take_fault(operation)
        canned = {
            "403": (403, "Unauthorized", "Access to requested resource is denied.",
                    "The access token you provided is revoked, malformed or invalid."),
            "403_role": (403, "Unauthorized", "Access to requested resource is denied.", ""),
            "429": (429, "QuotaExceeded", "You exceeded your quota for the requested resource.",
                    ""),
            "500": (500, "InternalFailure", "We encountered an internal error.", ""),
            "503": (503, "ServiceUnavailable", "Service temporarily unavailable.", ""),
        }
        if fault in canned:
            return error(*canned[fault])
        if fault == "429_empty":
            return "", 429
        if fault == "badjson":
            return "<html>oops</html>", 200
        if fault == "slow":
            time.sleep(3)
        agent = request.headers.get("user-agent", "")
        if len(agent) > 500 or not USER_AGENT.fullmatch(agent):
            return error(400, "InvalidInput", "The user-agent header must read "
                         "AppName/AppVersion (Language=LanguageName) and have at most 500 "
                         "characters.")
        with state.lock:
            info = state.access_tokens.get(request.headers.get("x-amz-access-token", ""))
        if info is None or info["region"] != REGIONS[region]:
            return error(403, "Unauthorized", "Access to requested resource is denied.",
                         "The access token you provided is revoked, malformed or invalid.")
        if info["expires"] <= state.now():
            return error(403, "Unauthorized", "Access to requested resource is denied.",
                         "The access token you provided has expired.")
        if ORDERS_ROLE not in state.settings.roles:
            return error(403, "Unauthorized", "Access to requested resource is denied.")
        settings = orders.settings
        rate, burst = ((settings.search_rate, settings.search_burst) if operation == "search"
                       else (settings.get_rate, settings.get_burst))
        if not state.take_rate(f"{info['seller_id']}:{info['region']}:orders:{operation}",
                               burst=burst, per_second=rate):
            return error(429, "QuotaExceeded",
                         "You exceeded your quota for the requested resource.")
        return info

    def answer(operation: str, result, rate: float):
        response = app.make_response(result)
        response.headers["x-amzn-RequestId"] = str(uuid.uuid4())
        if response.status_code in (200, 400, 404):  # none on 403, 429 and 5xx
            response.headers["x-amzn-RateLimit-Limit"] = str(rate)
        info = request.environ.get("asc_sandbox.seller")
        with orders.lock:
            orders.requests.append({
                "operation": operation, "at": time.monotonic(), "seller": info,
                "params": {key: request.args.getlist(key) for key in request.args},
                "path": request.path, "status": response.status_code})
        return response

    @app.get("/spapi/<region>/orders/2026-01-01/orders")
    def search_orders(region):
        info = guard(region, "search")
        if isinstance(info, dict):
            request.environ["asc_sandbox.seller"] = info["seller_id"]
            info = search_answer(info)
        return answer("search", info, orders.settings.search_rate)

    def search_answer(info: dict):
        args = request.args
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
        refused = search_refusal(info, query, now)
        if refused is not None:
            return refused
        after = _parse(query.get("lastUpdatedAfter"))
        created_after = _parse(query.get("createdAfter"))
        before = _parse(query.get("lastUpdatedBefore") or query.get("createdBefore")) or cutoff
        before = min(before, cutoff)
        statuses = set(filter(None, query.get("fulfillmentStatuses", "").split(",")))
        by = set(filter(None, query.get("fulfilledBy", "").split(",")))
        wanted = [m for m in query.get("marketplaceIds", "").split(",") if m] or \
            seller_marketplaces(info)
        matching = []
        for order in all_orders(info["seller_id"], wanted, cutoff):
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
        body = {"orders": [shaped(o, cutoff, included, state.settings.roles, skus())
                           for o in page]}
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

    def search_refusal(info: dict, query: dict, now: float):
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
            if query.get(name) and _parse(query[name]) > now - 120:
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
        known = seller_marketplaces(info)
        if any(m not in known for m in asked):
            return error(400, "InvalidInput", "marketplaceIds has a marketplace the seller "
                         "does not sell in.")
        if parse_int(query.get("maxResultsPerPage", "100"), min=1, max=100) is None:
            return error(400, "InvalidInput", "maxResultsPerPage must be between 1 and 100.")
        return None

    @app.get("/spapi/<region>/orders/2026-01-01/orders/<order_id>")
    def get_order(region, order_id):
        info = guard(region, "get")
        if isinstance(info, dict):
            request.environ["asc_sandbox.seller"] = info["seller_id"]
            info = get_answer(info, order_id)
        return answer("get", info, orders.settings.get_rate)

    def get_answer(info: dict, order_id: str):
        included = set(filter(None, request.args.get("includedData", "").split(",")))
        if any(v not in INCLUDED for v in included):
            return error(400, "InvalidInput", "includedData has an unknown value.")
        now = state.now()
        found = next((o for o in all_orders(info["seller_id"], seller_marketplaces(info), now)
                      if o.order_id == order_id), None)
        if found is None:
            return error(404, "NotFound", "The order was not found.")
        return jsonify({"order": shaped(found, now, included, state.settings.roles, skus())})

    # --- Controls (tests, the demo's sandbox page, the benchmark) -------------------------------
    def data() -> dict:
        body = request.get_json(force=True, silent=True)
        return body if isinstance(body, dict) else {
            k: v for k, v in request.form.items() if k != "csrf_token"}

    def number(value, default: float, low: float, high: float) -> float:
        try:
            value = float(value)
        except (TypeError, ValueError):
            return default
        return value if low <= value <= high else default

    @app.post("/_sandbox/orders")
    def place_order():
        """Place orders for a SKU: {seller_id, marketplace_id, sku, quantity, count,
        pending_minutes}. They are created now on the sandbox clock (count > 1: one a second,
        the last now), pending for pending_minutes (default 0)."""
        body = data()
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
        quantity = int(number(body.get("quantity"), 1, 1, 1000))
        count = int(number(body.get("count"), 1, 1, 5000))
        pending = number(body.get("pending_minutes"), 0, 0, 60 * 24 * 30) * 60
        now = state.now()
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
            return redirect(url_for("index"), 303)
        return jsonify({"ok": True, "order_ids": made})

    @app.post("/_sandbox/orders/<order_id>/cancel")
    def cancel_order(order_id):
        with orders.lock:
            order = orders.placed.get(order_id)
            if order is None:
                return jsonify({"ok": False, "error": "no placed order with this id"}), 404
            orders.placed[order_id] = replace(order, cancelled_at=state.now())
        return jsonify({"ok": True})

    @app.post("/_sandbox/orders/settings")
    def order_settings():
        body, current = data(), orders.settings
        orders.settings = OrderSettings(**{
            name: number(body.get(name), getattr(current, name), 0, 10 * 365 * DAY)
            for name in OrderSettings.__dataclass_fields__})
        return jsonify({"ok": True, "settings": orders.settings.__dict__})

    @app.post("/_sandbox/orders/faults")
    def order_faults():
        body = data()
        fault = body.get("fault")
        with orders.lock:
            orders.fault = str(fault)[:20] if fault else None
            orders.fault_times = int(number(body.get("times"), 0, 1, 10_000)) or None
            orders.fault_operation = body.get("operation") if body.get("operation") in (
                "search", "get") else None
        return jsonify({"ok": True})

    @app.get("/_sandbox/orders/requests")
    def order_requests():
        """Every Orders API request so far, for tests and the benchmark."""
        from .app import _from_loopback

        if not (app.testing or _from_loopback()):
            abort(404)
        with orders.lock:
            return jsonify({"requests": list(orders.requests)})

    return [search_orders, get_order, place_order, cancel_order, order_settings, order_faults]
