"""The Listings Items API (2021-08-01): offers on existing ASINs, and what Amazon made of them.

``putListingsItem`` with ``requirements=LISTING_OFFER_ONLY`` offers a product on an ASIN Amazon
already has; ``mode=VALIDATION_PREVIEW`` checks a body without keeping anything. Amazon answers
ACCEPTED (processed later: issues found then appear only when the listing is read back),
INVALID (with issues, nothing kept) or VALID (preview). ``searchListingsItems`` reads up to 20
SKUs a call with their summaries (BUYABLE / DISCOVERABLE), issues, offers and quantity. SKUs go
into the path URL-encoded; one marketplace per call.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from urllib.parse import quote

from . import spapi
from .spapi import Seller, text

BASE = "/listings/2021-08-01/items"
#: searchListingsItems: at most 20 identifiers and 20 items a page.
MAX_SKUS = 20
INCLUDED = "summaries,issues,offers,fulfillmentAvailability"
CONDITIONS = ("new_new", "new_open_box", "new_oem", "refurbished_refurbished", "used_like_new",
              "used_very_good", "used_good", "used_acceptable", "collectible_like_new",
              "collectible_very_good", "collectible_good", "collectible_acceptable", "club_club")
#: The product type Amazon accepts offer-only submissions with when the real one is unknown.
FALLBACK_PRODUCT_TYPE = "PRODUCT"
SEVERITIES = ("ERROR", "WARNING", "INFO")
ASIN = re.compile(r"[A-Z0-9]{10}")


@dataclass(frozen=True)
class Issue:
    """One of Amazon's issues, in Amazon's words."""

    code: str
    message: str
    severity: str
    attribute_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    enforcements: tuple[str, ...] = ()  # LISTING_SUPPRESSED, …

    @classmethod
    def read(cls, raw) -> Issue | None:
        if not isinstance(raw, dict):
            return None
        severity = next((s for s in SEVERITIES if s == raw.get("severity")), "ERROR")
        actions = ((raw.get("enforcements") or {}).get("actions") or []) \
            if isinstance(raw.get("enforcements"), dict) else []
        return cls(code=text(str(raw.get("code", "")), 40) or "",
                   message=text(raw.get("message"), 1000) or "",
                   severity=severity,
                   attribute_names=_strings(raw.get("attributeNames"), 100),
                   categories=_strings(raw.get("categories"), 40),
                   enforcements=_strings([a.get("action") for a in actions
                                          if isinstance(a, dict)], 40))

    def as_dict(self) -> dict:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}


@dataclass
class Submission:
    """Amazon's answer to put, patch or delete."""

    sku: str
    status: str  # ACCEPTED | INVALID | VALID
    submission_id: str
    issues: list[Issue] = field(default_factory=list)
    asin: str | None = None
    request_id: str | None = None


@dataclass
class Listing:
    """A listing as searchListingsItems / getListingsItem show it in one marketplace."""

    sku: str
    asin: str | None = None
    product_type: str | None = None
    statuses: tuple[str, ...] = ()
    issues: list[Issue] = field(default_factory=list)
    price: Decimal | None = None
    currency: str | None = None
    quantity: int | None = None
    last_updated: str | None = None


@dataclass
class SearchPage:
    listings: list[Listing]
    next_token: str | None
    total: int
    rate_limit: float | None = None


def item_path(seller_id: str, sku: str) -> str:
    return f"{BASE}/{quote(seller_id, safe='')}/{quote(sku, safe='')}"


def offer_body(*, product_type: str, marketplace_id: str, asin: str, condition: str,
               price: Decimal, currency: str, quantity: int,
               handling_days: int | None = None) -> dict:
    """A LISTING_OFFER_ONLY body: the ASIN, condition, price and the merchant's quantity."""
    availability = {"fulfillment_channel_code": "DEFAULT", "quantity": int(quantity)}
    if handling_days is not None:
        availability["lead_time_to_ship_max_days"] = int(handling_days)
    return {
        "productType": product_type,
        "requirements": "LISTING_OFFER_ONLY",
        "attributes": {
            "merchant_suggested_asin": [{"value": asin, "marketplace_id": marketplace_id}],
            "condition_type": [{"value": condition, "marketplace_id": marketplace_id}],
            "purchasable_offer": [{"marketplace_id": marketplace_id, "currency": currency,
                                   "our_price": [{"schedule": [
                                       {"value_with_tax": float(price)}]}]}],
            "fulfillment_availability": [availability],
        },
    }


def put(seller: Seller, sku: str, body: dict, *, preview: bool = False) -> Submission:
    """putListingsItem (or its validation preview, which keeps nothing)."""
    params = {"marketplaceIds": seller.marketplace_id, "issueLocale": seller.issue_locale}
    if preview:
        params.update(mode="VALIDATION_PREVIEW", includedData="issues,identifiers")
    answer = spapi.call("PUT", seller, item_path(seller.seller_id, sku), params=params,
                        body=body)
    return _submission(answer, sku, seller.marketplace_id)


def patch(seller: Seller, sku: str, product_type: str, patches: list[dict]) -> Submission:
    """patchListingsItem: top-level attributes only (price, quantity)."""
    answer = spapi.call("PATCH", seller, item_path(seller.seller_id, sku),
                        params={"marketplaceIds": seller.marketplace_id,
                                "issueLocale": seller.issue_locale},
                        body={"productType": product_type, "patches": patches})
    return _submission(answer, sku, seller.marketplace_id)


def delete(seller: Seller, sku: str) -> Submission:
    """deleteListingsItem: the offer ends in this marketplace."""
    answer = spapi.call("DELETE", seller, item_path(seller.seller_id, sku),
                        params={"marketplaceIds": seller.marketplace_id,
                                "issueLocale": seller.issue_locale})
    return _submission(answer, sku, seller.marketplace_id)


def get(seller: Seller, sku: str) -> Listing | None:
    """getListingsItem; None when Amazon has no such listing (404)."""
    try:
        answer = spapi.call("GET", seller, item_path(seller.seller_id, sku),
                            params={"marketplaceIds": seller.marketplace_id,
                                    "issueLocale": seller.issue_locale,
                                    "includedData": INCLUDED})
    except spapi.Rejected as rejected:
        if rejected.status == 404:
            return None
        raise
    return _listing(answer.body, seller.marketplace_id)


def confirm_seller(seller: Seller) -> None:
    """searchListingsItems on the seller id with pageSize 1: Amazon answers it only for the
    access token's own seller (:class:`~spapi.TokenRefused` otherwise), so it proves a seller id
    that arrived in a URL."""
    spapi.call("GET", seller, f"{BASE}/{quote(seller.seller_id, safe='')}",
               params={"marketplaceIds": seller.marketplace_id, "pageSize": "1",
                       "includedData": "summaries"})


def search(seller: Seller, skus: Sequence[str] | None = None, *, page_token: str | None = None,
           last_updated_after: datetime | None = None, page_size: int = MAX_SKUS) -> SearchPage:
    """searchListingsItems: the given SKUs (at most 20; none with a comma, which Amazon splits
    on), or the seller's listings updated after a moment, one page."""
    if skus is not None and not 1 <= len(skus) <= MAX_SKUS:
        raise ValueError("between 1 and 20 SKUs per request")
    if skus and any("," in sku for sku in skus):
        raise ValueError("a SKU with a comma cannot be searched; use get()")
    params = {"marketplaceIds": seller.marketplace_id, "issueLocale": seller.issue_locale,
              "includedData": INCLUDED, "pageSize": str(max(1, min(page_size, MAX_SKUS)))}
    if skus:
        params.update(identifiers=",".join(skus), identifiersType="SKU")
    if last_updated_after is not None:
        params["lastUpdatedAfter"] = last_updated_after.strftime("%Y-%m-%dT%H:%M:%SZ")
    if page_token:
        params["pageToken"] = page_token
    answer = spapi.call("GET", seller, f"{BASE}/{quote(seller.seller_id, safe='')}",
                        params=params)
    body = answer.body
    raw_items = items if isinstance(items := body.get("items"), list) else []
    listings = [listing for listing in (_listing(raw, seller.marketplace_id)
                                        for raw in raw_items[:MAX_SKUS * 5]) if listing]
    pagination = paging if isinstance(paging := body.get("pagination"), dict) else {}
    total = body.get("numberOfResults")
    return SearchPage(listings, text(pagination.get("nextToken"), 2000),
                      total if isinstance(total, int) and total >= 0 else len(listings),
                      answer.rate_limit)


def _submission(answer: spapi.Answer, sku: str, marketplace_id: str) -> Submission:
    body = answer.body
    status = body.get("status")
    if status not in ("ACCEPTED", "INVALID", "VALID"):
        raise spapi.Unavailable(answer.request_id)
    issues = [i for i in (Issue.read(raw) for raw in (body.get("issues") or [])[:200]) if i]
    asin = None
    for identifier in body.get("identifiers") or ():
        if isinstance(identifier, dict) and identifier.get("marketplaceId") == marketplace_id:
            asin = _asin(identifier.get("asin"))
    return Submission(sku=sku, status=status,
                      submission_id=text(body.get("submissionId"), 100) or "",
                      issues=issues, asin=asin, request_id=answer.request_id)


def _listing(raw, marketplace_id: str) -> Listing | None:
    if not isinstance(raw, dict) or not isinstance(raw.get("sku"), str):
        return None
    listing = Listing(sku=raw["sku"][:200])
    for summary in raw.get("summaries") or ():
        if isinstance(summary, dict) and summary.get("marketplaceId") == marketplace_id:
            listing.asin = _asin(summary.get("asin"))
            listing.product_type = text(summary.get("productType"), 100)
            listing.statuses = _strings(summary.get("status"), 20)
            listing.last_updated = text(summary.get("lastUpdatedDate"), 40)
    listing.issues = [i for i in (Issue.read(r) for r in (raw.get("issues") or [])[:200]) if i]
    for offer in raw.get("offers") or ():
        if isinstance(offer, dict) and offer.get("marketplaceId") == marketplace_id and \
                offer.get("offerType", "B2C") == "B2C":
            price = given if isinstance(given := offer.get("price"), dict) else {}
            listing.currency = text(price.get("currencyCode"), 3)
            listing.price = _decimal(price.get("amount"))
    for availability in raw.get("fulfillmentAvailability") or ():
        if isinstance(availability, dict) and \
                availability.get("fulfillmentChannelCode") == "DEFAULT":
            quantity = availability.get("quantity")
            listing.quantity = quantity if isinstance(quantity, int) and quantity >= 0 else None
    return listing


def _asin(value) -> str | None:
    return value if isinstance(value, str) and ASIN.fullmatch(value) else None


def _decimal(value) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() and 0 <= number < 10**9 else None


def _strings(values, limit: int) -> tuple[str, ...]:
    if not isinstance(values, list):
        return ()
    return tuple(v[:limit] for v in values[:50] if isinstance(v, str) and v)
