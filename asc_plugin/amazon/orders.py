"""The Orders API v2026-01-01: ``searchOrders`` and ``getOrder``.

Amazon deprecated Orders v0 and removes it on 2027-03-27, so this client speaks only
v2026-01-01. An order there carries its items (``orderItems`` is required), so a search answers
everything an import needs; ``getOrder`` re-reads one order (a retry after the host was fixed).
Buyer and recipient details come only when the app has the restricted role: the fields are then
present, otherwise absent — nothing here depends on them.

Answers are data, not trust: ids and SKUs are length-capped, amounts parsed as decimals, an
order without an id or a marketplace is dropped (logged). Errors map to the plugin's failures
the way :mod:`.catalog` does: 429 → :class:`Throttled`, 403 about the token → the seller's,
403 with empty details → a missing role (the operator's), 5xx / timeouts / non-JSON →
:class:`~asc_plugin.errors.AmazonUnavailable` (retried by the caller).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from urllib.parse import quote

import requests
from flask import current_app

from .. import marketplaces
from ..errors import AmazonUnavailable, ConnectFailure, OperatorActionRequired
from . import responses
from .oauth import user_agent

SEARCH_PATH = "/orders/2026-01-01/orders"
#: Amazon's largest page.
MAX_PER_PAGE = 100
#: Every fulfillment status the model knows.
STATUSES = ("PENDING_AVAILABILITY", "PENDING", "UNSHIPPED", "PARTIALLY_SHIPPED", "SHIPPED",
            "CANCELLED", "UNFULFILLABLE")
#: What an import asks for: buyer and recipient (granted by role only), proceeds (the tax
#: breakdown), fulfillment (the status lives there) and cancellations.
INCLUDED_DATA = ("BUYER", "RECIPIENT", "PROCEEDS", "FULFILLMENT", "CANCELLATION")


@dataclass(frozen=True)
class Limit:
    """Amazon's documented usage plan: requests per second, burst."""

    rate: float
    burst: float


#: The usage plans of the model (per seller and app).
LIMITS = {"searchOrders": Limit(0.0056, 20), "getOrder": Limit(0.5, 30)}

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Address:
    name: str | None = None
    company: str | None = None
    lines: tuple[str, ...] = ()
    city: str | None = None
    state_or_region: str | None = None
    postal_code: str | None = None
    country_code: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class Item:
    order_item_id: str
    seller_sku: str | None
    asin: str | None
    title: str | None
    quantity: int
    unit_price: Decimal | None
    tax: Decimal | None


@dataclass(frozen=True)
class Order:
    order_id: str
    marketplace_id: str
    created: datetime
    last_updated: datetime
    status: str
    fulfilled_by: str | None
    currency: str | None
    items: tuple[Item, ...]
    buyer_name: str | None = None
    buyer_email: str | None = None
    ship_to: Address | None = None


@dataclass
class Page:
    orders: list[Order] = field(default_factory=list)
    next_token: str | None = None
    #: The upper bound Amazon applied (``lastUpdatedBefore`` of the answer), if it said.
    last_updated_before: datetime | None = None
    rate_limit: float | None = None
    request_id: str | None = None


class Throttled(AmazonUnavailable):
    """Amazon answered 429: wait, then ask again."""

    def __init__(self, rate_limit: float | None, request_id: str | None = None):
        super().__init__("orders_throttled")
        self.rate_limit, self.request_id = rate_limit, request_id


class TokenExpired(OperatorActionRequired):
    """Amazon refused the pagination token (expired, or for another query): search again."""

    def __init__(self):
        super().__init__("orders_rejected")


def iso(moment: datetime) -> str:
    """ISO 8601 in UTC, to the second, as Amazon's examples write it."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def search(*, region: str, access_token: str, marketplace_ids: Sequence[str],
           last_updated_after: datetime, statuses: Sequence[str] = (),
           pagination_token: str | None = None, per_page: int = MAX_PER_PAGE) -> Page:
    """One page of searchOrders for merchant-fulfilled orders updated since a moment."""
    if not 1 <= len(marketplace_ids) <= 50 or not 1 <= per_page <= MAX_PER_PAGE:
        raise ValueError("1 to 50 marketplaces and 1 to 100 orders per page")
    params = [("lastUpdatedAfter", iso(last_updated_after)), ("fulfilledBy", "MERCHANT"),
              ("marketplaceIds", ",".join(marketplace_ids)),
              ("maxResultsPerPage", str(per_page)), ("includedData", ",".join(INCLUDED_DATA))]
    if statuses:
        params.append(("fulfillmentStatuses", ",".join(statuses)))
    if pagination_token:
        params.append(("paginationToken", pagination_token))
    response = _get(region, access_token, SEARCH_PATH, params)
    page = Page(rate_limit=_rate_limit(response), request_id=_request_id(response))
    try:
        body = response.json()
        page.orders = [o for o in map(_order, body["orders"]) if o is not None]
        token = (body.get("pagination") or {}).get("nextToken")
        page.next_token = str(token)[:4000] if token else None
        page.last_updated_before = _date(body.get("lastUpdatedBefore"))
    except (ValueError, KeyError, TypeError, AttributeError):
        log.warning("searchOrders answered an unreadable body (request %s)", page.request_id)
        raise AmazonUnavailable("orders_unavailable") from None
    return page


def get(*, region: str, access_token: str, order_id: str) -> tuple[Order | None, float | None]:
    """getOrder (items always included); (order, stated rate). None: Amazon has no such order."""
    path = f"{SEARCH_PATH}/{quote(order_id, safe='')}"
    try:
        response = _get(region, access_token, path, [("includedData", ",".join(INCLUDED_DATA))])
    except OperatorActionRequired as failure:
        if getattr(failure, "status", None) == 404:
            return None, None
        raise
    try:
        return _order(response.json()["order"]), _rate_limit(response)
    except (ValueError, KeyError, TypeError, AttributeError):
        raise AmazonUnavailable("orders_unavailable") from None


def _get(region: str, access_token: str, path: str, params: list[tuple[str, str]]):
    config = current_app.config
    headers = {"x-amz-access-token": access_token, "user-agent": user_agent(config),
               "accept": "application/json"}
    url = marketplaces.spapi_endpoint(config, region) + path
    try:
        response = requests.get(url, params=params, headers=headers,
                                timeout=config["ASC_AMAZON_HTTP_TIMEOUT"])
    except requests.RequestException:
        raise AmazonUnavailable("orders_unavailable") from None
    request_id = _request_id(response)
    if response.status_code == 429:
        raise Throttled(_rate_limit(response), request_id)
    if response.status_code == 403:
        raise ConnectFailure("orders_forbidden" if responses.about_the_token(response)
                             else "orders_role_missing")
    if response.status_code in (400, 404):
        log.warning("Amazon refused %s (request %s): %s", path.rsplit("/", 1)[-1][:40],
                    request_id, responses.summary(response))
        if response.status_code == 400 and "token" in responses.summary(response).lower():
            raise TokenExpired()
        failure = OperatorActionRequired("orders_rejected")
        failure.status = response.status_code
        raise failure
    if response.status_code != 200:
        log.warning("Orders API answered HTTP %s (request %s)", response.status_code, request_id)
        raise AmazonUnavailable("orders_unavailable")
    return response


# --- Reading Amazon's Order objects ------------------------------------------------------------

def _order(raw: dict) -> Order | None:
    order_id = _text(raw.get("orderId"), 50)
    channel = raw.get("salesChannel") or {}
    marketplace_id = _text(channel.get("marketplaceId"), 20)
    created, updated = _date(raw.get("createdTime")), _date(raw.get("lastUpdatedTime"))
    if not order_id or not marketplace_id or created is None:
        log.warning("An order without id, marketplace or creation time was skipped")
        return None
    fulfillment = raw.get("fulfillment") or {}
    status = fulfillment.get("fulfillmentStatus")
    items = tuple(_item(i) for i in (raw.get("orderItems") or ())[:500] if isinstance(i, dict))
    currency = next((_money(i)[1] for i in raw.get("orderItems") or ()
                     if isinstance(i, dict) and _money(i)[1]), None)
    buyer = raw.get("buyer") or {}
    address = (raw.get("recipient") or {}).get("deliveryAddress")
    return Order(
        order_id=order_id, marketplace_id=marketplace_id, created=created,
        last_updated=updated or created,
        status=status if status in STATUSES else "PENDING",
        fulfilled_by=_text(fulfillment.get("fulfilledBy"), 10), currency=currency, items=items,
        buyer_name=_text(buyer.get("buyerName"), 200),
        buyer_email=_text(buyer.get("buyerEmail"), 254),
        ship_to=_address(address) if isinstance(address, dict) else None)


def _item(raw: dict) -> Item:
    product = raw.get("product") or {}
    try:
        quantity = max(0, min(int(raw.get("quantityOrdered") or 0), 100_000))
    except (TypeError, ValueError):
        quantity = 0
    return Item(order_item_id=_text(raw.get("orderItemId"), 50) or "",
                seller_sku=_text(product.get("sellerSku"), 100),
                asin=_text(product.get("asin"), 10), title=_text(product.get("title"), 500),
                quantity=quantity, unit_price=_money(raw)[0], tax=_tax(raw))


def _money(item: dict) -> tuple[Decimal | None, str | None]:
    price = ((item.get("product") or {}).get("price") or {}).get("unitPrice") or {}
    return _decimal(price.get("amount")), _text(price.get("currencyCode"), 3)


def _tax(item: dict) -> Decimal | None:
    """The item's tax as Amazon's proceeds breakdown gives it (type TAX), if it does."""
    total = None
    for part in ((item.get("proceeds") or {}).get("breakdowns") or ()):
        if isinstance(part, dict) and part.get("type") == "TAX":
            amount = _decimal((part.get("subtotal") or {}).get("amount"))
            if amount is not None:
                total = (total or Decimal(0)) + amount
    return total


def _address(raw: dict) -> Address:
    return Address(
        name=_text(raw.get("name"), 200), company=_text(raw.get("companyName"), 200),
        lines=tuple(t for t in (_text(raw.get(f"addressLine{n}"), 200) for n in (1, 2, 3))
                    if t),
        city=_text(raw.get("city"), 100), state_or_region=_text(raw.get("stateOrRegion"), 100),
        postal_code=_text(raw.get("postalCode"), 20),
        country_code=_text(raw.get("countryCode"), 2), phone=_text(raw.get("phone"), 40))


def _decimal(value) -> Decimal | None:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return amount if amount.is_finite() and abs(amount) < 10**9 else None


def _date(value) -> datetime | None:
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.astimezone(timezone.utc) if moment.tzinfo else moment.replace(
        tzinfo=timezone.utc)


def _text(value, limit: int) -> str | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    return value.strip()[:limit] or None if isinstance(value, str) else None


def _rate_limit(response) -> float | None:
    try:
        value = float(response.headers.get("x-amzn-RateLimit-Limit", ""))
    except ValueError:
        return None
    return value if 0 < value < 1000 else None


def _request_id(response) -> str | None:
    value = response.headers.get("x-amzn-RequestId")
    return value[:64] if value else None
