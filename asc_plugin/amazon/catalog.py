"""The Catalog Items API (v2022-04-01): finding Amazon's items by a product's identifiers.

``searchCatalogItems`` takes up to 20 identifiers of one type per request and answers the items
it found, each with its identifiers per marketplace; an identifier that matches nothing is just
absent, and several items may share one. Results are mapped back to the identifiers asked for
through those identifiers — a UPC may come back as its 13-digit EAN form, so numbers compare as
GTINs. A seller SKU search cannot be mapped that way (items do not list SKUs), so it is asked
one SKU per request.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import requests
from flask import current_app

from .. import marketplaces
from ..errors import AmazonUnavailable, ConnectFailure, OperatorActionRequired
from ..services.product_ids import same_gtin
from . import responses
from .oauth import user_agent

PATH = "/catalog/2022-04-01/items"
#: Amazon's maximum of identifiers per request.
MAX_IDENTIFIERS = 20

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CatalogItem:
    asin: str
    name: str | None
    brand: str | None


@dataclass
class SearchResult:
    #: identifier asked for -> the items Amazon has for it (empty list: no match).
    items: dict[str, list[CatalogItem]] = field(default_factory=dict)
    #: Requests per second Amazon states for this operation (x-amzn-RateLimit-Limit), if sent.
    rate_limit: float | None = None


class Throttled(AmazonUnavailable):
    """Amazon answered 429: wait, then ask again."""

    def __init__(self, rate_limit: float | None):
        super().__init__("catalog_throttled")
        self.rate_limit = rate_limit


def batch_size(identifiers_type: str) -> int:
    return 1 if identifiers_type == "SKU" else MAX_IDENTIFIERS


def search(*, region: str, access_token: str, marketplace_id: str, identifiers_type: str,
           identifiers: Sequence[str], seller_id: str | None = None) -> SearchResult:
    """GET searchCatalogItems for one batch. Raises :class:`Throttled` (429),
    ConnectFailure (403), OperatorActionRequired (400) or AmazonUnavailable."""
    if not identifiers or len(identifiers) > batch_size(identifiers_type):
        raise ValueError("between 1 and batch_size(identifiers_type) identifiers per request")
    config = current_app.config
    params = {
        "marketplaceIds": marketplace_id,
        "identifiersType": identifiers_type,
        "identifiers": ",".join(identifiers),
        "includedData": "identifiers,summaries",
        "pageSize": str(MAX_IDENTIFIERS),
    }
    if identifiers_type == "SKU":
        params["sellerId"] = seller_id or ""
    headers = {"x-amz-access-token": access_token, "user-agent": user_agent(config),
               "accept": "application/json"}
    url = marketplaces.spapi_endpoint(config, region) + PATH
    try:
        response = requests.get(url, params=params, headers=headers,
                                timeout=config["ASC_AMAZON_HTTP_TIMEOUT"])
    except requests.RequestException:
        raise AmazonUnavailable("catalog_unavailable") from None
    rate = _rate_limit(response)
    if response.status_code == 429:
        raise Throttled(rate)
    if response.status_code == 403:
        raise ConnectFailure("catalog_forbidden" if responses.about_the_token(response)
                             else "catalog_role_missing")
    if response.status_code == 400:
        log.warning("Amazon rejected searchCatalogItems: %s", responses.summary(response))
        raise OperatorActionRequired("catalog_rejected")
    if response.status_code != 200:
        raise AmazonUnavailable("catalog_unavailable")
    try:
        return SearchResult(_by_identifier(response.json(), identifiers, identifiers_type,
                                           marketplace_id), rate)
    except (ValueError, KeyError, TypeError, AttributeError):
        raise AmazonUnavailable("catalog_unavailable") from None


def _by_identifier(body: dict, asked: Sequence[str], identifiers_type: str,
                   marketplace_id: str) -> dict[str, list[CatalogItem]]:
    found: dict[str, list[CatalogItem]] = {identifier: [] for identifier in asked}
    for raw in body["items"]:
        item = CatalogItem(asin=str(raw["asin"]), **_summary(raw, marketplace_id))
        if len(asked) == 1:  # the only identifier asked for (SKU searches are asked alone)
            owners = list(asked)
        elif identifiers_type == "ASIN":
            owners = [a for a in asked if a == item.asin]
        else:
            values = _identifier_values(raw, marketplace_id)
            owners = [a for a in asked if any(a == v or same_gtin(a, v) for v in values)]
        for owner in owners:
            if all(known.asin != item.asin for known in found[owner]):
                found[owner].append(item)
    return found


def _identifier_values(raw: dict, marketplace_id: str) -> list[str]:
    values = []
    for group in raw.get("identifiers") or ():
        if group.get("marketplaceId") == marketplace_id:
            values += [str(i.get("identifier", "")).replace("-", "").upper()
                       for i in group.get("identifiers") or ()]
    return values


def _summary(raw: dict, marketplace_id: str) -> dict:
    for summary in raw.get("summaries") or ():
        if summary.get("marketplaceId") == marketplace_id:
            return {"name": _text(summary.get("itemName"), 500),
                    "brand": _text(summary.get("brand"), 200)}
    return {"name": None, "brand": None}


def _text(value, limit: int) -> str | None:
    return value[:limit] if isinstance(value, str) and value else None


def _rate_limit(response) -> float | None:
    try:
        value = float(response.headers.get("x-amzn-RateLimit-Limit", ""))
    except ValueError:
        return None
    return value if 0 < value < 1000 else None
