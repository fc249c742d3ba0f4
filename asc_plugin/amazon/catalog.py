"""The Catalog Items API (v2022-04-01): finding Amazon's items by a product's identifiers.

``searchCatalogItems`` takes up to 20 identifiers of one type per request and answers the items
it found, each with its identifiers per marketplace; an identifier that matches nothing is just
absent, and several items may share one. Results are mapped back to the identifiers asked for
through those identifiers — a UPC may come back as its 13-digit EAN form, so numbers compare as
GTINs. A seller SKU search cannot be mapped that way (items do not list SKUs), so it is asked
one SKU per request.

An answer holds at most ``pageSize`` items (20 at most) and ``pagination.nextToken`` for the
rest: a search is decided only once every page is read (:func:`search` follows them, one
``acquire()`` — a rate-limit token — per page; :func:`search_page` asks one). Whatever Amazon
sends is read defensively: an item without a well-formed ASIN is skipped, odd fields are None.
Every failed call is logged with Amazon's ``x-amzn-RequestId``, which its support asks for.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import requests
from flask import current_app

from .. import marketplaces
from ..errors import AmazonUnavailable, ConnectFailure, OperatorActionRequired
from . import responses
from .oauth import user_agent

PATH = "/catalog/2022-04-01/items"
#: Amazon's maximum of identifiers per request, and of items per page.
MAX_IDENTIFIERS = 20
PAGE_SIZE = 20
#: Pages read for one search at most (20 identifiers with many items each stay far below).
MAX_PAGES = 50
INCLUDED_DATA = "identifiers,summaries,productTypes"
ASIN = re.compile(r"[A-Z0-9]{10}")
_DIGITS = re.compile(r"[0-9]+")  # ASCII: "١٢".isdigit() is true too

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CatalogItem:
    asin: str
    name: str | None
    brand: str | None
    product_type: str | None = None
    #: BASE_PRODUCT, VARIATION_PARENT (a family of variations: no offer on it), …
    classification: str | None = None


@dataclass
class Page:
    """One answer of searchCatalogItems."""

    items: list[dict]
    next_token: str | None
    rate_limit: float | None
    request_id: str | None


@dataclass
class SearchResult:
    #: identifier asked for -> the items Amazon has for it (empty list: no match).
    items: dict[str, list[CatalogItem]] = field(default_factory=dict)
    #: Requests per second Amazon states for this operation (x-amzn-RateLimit-Limit), if sent.
    rate_limit: float | None = None
    #: Requests sent (one per page).
    requests: int = 0


def _with_request_id(error, request_id: str | None):
    error.request_id = request_id
    return error


class Throttled(AmazonUnavailable):
    """Amazon answered 429: wait, then ask again."""

    def __init__(self, rate_limit: float | None, request_id: str | None = None):
        super().__init__("catalog_throttled")
        self.rate_limit, self.request_id = rate_limit, request_id


class Unavailable(AmazonUnavailable):
    """A transient fault (5xx, a timeout, a body that is not Amazon's JSON): ask again later."""

    def __init__(self, request_id: str | None = None):
        super().__init__("catalog_unavailable")
        self.request_id = request_id


class Refused(OperatorActionRequired):
    """400 InvalidInput: Amazon refused the request, often for one identifier in it."""

    def __init__(self, message: str, request_id: str | None = None):
        super().__init__("catalog_rejected")
        self.amazon_message, self.request_id = message, request_id


def batch_size(identifiers_type: str) -> int:
    return 1 if identifiers_type == "SKU" else MAX_IDENTIFIERS


def search(*, region: str, access_token: str, marketplace_id: str, identifiers_type: str,
           identifiers: Sequence[str], seller_id: str | None = None,
           acquire: Callable[[], object] | None = None) -> SearchResult:
    """Every page of one batch's search, mapped back to the identifiers asked; ``acquire`` is
    called before each page's request (the caller's rate limit). Raises what
    :func:`search_page` raises."""
    pages = []
    token = None
    while True:
        if acquire is not None:
            acquire()
        page = search_page(region=region, access_token=access_token,
                           marketplace_id=marketplace_id, identifiers_type=identifiers_type,
                           identifiers=identifiers, seller_id=seller_id, page_token=token)
        pages.append(page)
        token = page.next_token
        if not token or len(pages) >= MAX_PAGES:
            break
    return collect(pages, identifiers, identifiers_type, marketplace_id)


def collect(pages: Sequence[Page], identifiers: Sequence[str], identifiers_type: str,
            marketplace_id: str) -> SearchResult:
    """A search's pages, mapped back to the identifiers asked."""
    items = [raw for page in pages for raw in page.items]
    rate = next((p.rate_limit for p in reversed(pages) if p.rate_limit is not None), None)
    return SearchResult(_by_identifier({"items": items}, identifiers, identifiers_type,
                                       marketplace_id), rate, len(pages))


def search_page(*, region: str, access_token: str, marketplace_id: str, identifiers_type: str,
                identifiers: Sequence[str], seller_id: str | None = None,
                page_token: str | None = None) -> Page:
    """GET searchCatalogItems for one page of one batch. Raises :class:`Throttled` (429),
    ConnectFailure (403), :class:`Refused` (400) or :class:`Unavailable`; each carries
    ``request_id``."""
    if not identifiers or len(identifiers) > batch_size(identifiers_type):
        raise ValueError("between 1 and batch_size(identifiers_type) identifiers per request")
    config = current_app.config
    params = {
        "marketplaceIds": marketplace_id,
        "identifiersType": identifiers_type,
        "identifiers": ",".join(identifiers),
        "includedData": INCLUDED_DATA,
        "pageSize": str(PAGE_SIZE),
    }
    if identifiers_type == "SKU":
        params["sellerId"] = seller_id or ""
    if page_token:
        params["pageToken"] = page_token
    headers = {"x-amz-access-token": access_token, "user-agent": user_agent(config),
               "accept": "application/json"}
    url = marketplaces.spapi_endpoint(config, region) + PATH
    try:
        response = requests.get(url, params=params, headers=headers,
                                timeout=config["ASC_AMAZON_HTTP_TIMEOUT"])
    except requests.RequestException as error:
        log.warning("searchCatalogItems failed: %s (no answer)", type(error).__name__)
        raise Unavailable() from None
    request_id = (response.headers.get("x-amzn-RequestId") or "")[:100] or None
    rate = _rate_limit(response)
    if response.status_code != 200:
        log.warning("searchCatalogItems failed: HTTP %s, %s, x-amzn-RequestId %s",
                    response.status_code, responses.summary(response), request_id)
    if response.status_code == 429:
        raise Throttled(rate, request_id)
    if response.status_code == 403:
        raise _with_request_id(ConnectFailure(
            "catalog_forbidden" if responses.about_the_token(response)
            else "catalog_role_missing"), request_id)
    if response.status_code == 400:
        found = responses.errors(response)
        message = str(found[0].get("message") or "") if found else ""
        raise Refused(message[:300] or f"HTTP {response.status_code}", request_id)
    if response.status_code != 200:
        raise Unavailable(request_id)
    try:
        body = response.json()
        items = body.get("items") or []
        if not isinstance(items, list):
            raise TypeError
    except (ValueError, TypeError, AttributeError):
        log.warning("searchCatalogItems answered a body that is not its JSON, "
                    "x-amzn-RequestId %s", request_id)
        raise Unavailable(request_id) from None
    pagination = body.get("pagination")
    token = pagination.get("nextToken") if isinstance(pagination, dict) else None
    return Page([i for i in items if isinstance(i, dict)],
                token if isinstance(token, str) and token and token != page_token else None,
                rate, request_id)


def _by_identifier(body: dict, asked: Sequence[str], identifiers_type: str,
                   marketplace_id: str) -> dict[str, list[CatalogItem]]:
    found: dict[str, list[CatalogItem]] = {identifier: [] for identifier in asked}
    for raw in body["items"]:
        asin = raw.get("asin") if isinstance(raw, dict) else None
        if not isinstance(asin, str) or not ASIN.fullmatch(asin):
            continue  # garbage from Amazon is skipped, never fails a run
        item = CatalogItem(asin=asin, **_summary(raw, marketplace_id),
                           product_type=_product_type(raw, marketplace_id))
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


def _groups(raw: dict, key: str, marketplace_id: str) -> list[dict]:
    """The entries of a per-marketplace list (identifiers, summaries, productTypes)."""
    groups = raw.get(key)
    return [g for g in groups if isinstance(g, dict) and g.get("marketplaceId") ==
            marketplace_id] if isinstance(groups, list) else []


def _identifier_values(raw: dict, marketplace_id: str) -> list[str]:
    values = []
    for group in _groups(raw, "identifiers", marketplace_id):
        found = group.get("identifiers")
        values += [str(i.get("identifier", "")).replace("-", "").upper()
                   for i in (found if isinstance(found, list) else ()) if isinstance(i, dict)]
    return values


def _summary(raw: dict, marketplace_id: str) -> dict:
    for summary in _groups(raw, "summaries", marketplace_id):
        return {"name": _text(summary.get("itemName"), 500),
                "brand": _text(summary.get("brand"), 200),
                "classification": _text(summary.get("itemClassification"), 30)}
    return {"name": None, "brand": None, "classification": None}


def _product_type(raw: dict, marketplace_id: str) -> str | None:
    for entry in _groups(raw, "productTypes", marketplace_id):
        return _text(entry.get("productType"), 100)
    return None


def _text(value, limit: int) -> str | None:
    return value[:limit] if isinstance(value, str) and value else None


def _rate_limit(response) -> float | None:
    try:
        value = float(response.headers.get("x-amzn-RateLimit-Limit", ""))
    except ValueError:
        return None
    return value if 0 < value < 1000 else None


def same_gtin(a: str, b: str) -> bool:
    """Whether two numeric ids are the same GTIN (a UPC and its 13-digit EAN form are)."""
    return bool(_DIGITS.fullmatch(a) and _DIGITS.fullmatch(b)) and a.zfill(14) == b.zfill(14)
