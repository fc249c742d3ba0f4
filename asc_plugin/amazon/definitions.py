"""The Product Type Definitions API (2020-09-01): what an offer-only listing may carry.

``getDefinitionsProductType`` with ``requirements=LISTING_OFFER_ONLY`` answers a link to the
product type's JSON Schema; the schema's ``properties`` say which attributes the offer takes
(for instance whether ``fulfillment_availability`` has ``lead_time_to_ship_max_days``).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

import requests
from flask import current_app

from . import spapi
from .spapi import Seller, text

PATH = "/definitions/2020-09-01/productTypes/{}"


@dataclass(frozen=True)
class OfferSchema:
    product_type: str
    version: str | None
    attributes: frozenset[str]
    #: Whether fulfillment_availability takes lead_time_to_ship_max_days (handling time).
    handling_time: bool


def offer_only(seller: Seller, product_type: str) -> OfferSchema:
    """The product type's offer-only schema in the seller's marketplace."""
    answer = spapi.call("GET", seller, PATH.format(quote(product_type, safe="")), params={
        "marketplaceIds": seller.marketplace_id, "sellerId": seller.seller_id,
        "requirements": "LISTING_OFFER_ONLY", "locale": "DEFAULT"})
    body = answer.body
    link = (body.get("schema") or {}).get("link") if isinstance(body.get("schema"), dict) \
        else None
    resource = text((link or {}).get("resource"), 2000) if isinstance(link, dict) else None
    version = body.get("productTypeVersion")
    version = text(version.get("version"), 100) if isinstance(version, dict) else None
    schema = _download(resource) if resource else {}
    properties = found if isinstance(found := schema.get("properties"), dict) else {}
    availability = properties.get("fulfillment_availability") or {}
    try:
        inner = availability["items"]["properties"]
    except (KeyError, TypeError):
        inner = {}
    return OfferSchema(product_type, version, frozenset(k[:100] for k in list(properties)[:500]),
                       isinstance(inner, dict) and "lead_time_to_ship_max_days" in inner)


def _download(url: str) -> dict:
    """The schema document (a pre-signed URL: no SP-API headers)."""
    try:
        response = requests.get(url, timeout=current_app.config["ASC_AMAZON_HTTP_TIMEOUT"])
        body = response.json() if response.status_code == 200 else {}
    except (requests.RequestException, ValueError):
        raise spapi.Unavailable() from None
    return body if isinstance(body, dict) else {}
