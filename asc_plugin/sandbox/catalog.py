"""The sandbox's Amazon catalog: deterministic items for any identifier, per marketplace.

Whether an identifier matches one item, several or none is decided by a hash of the marketplace
and the identifier (about 55 % one, 25 % several — two to six items —, 20 % none), so tests and
the demo see the same answer every time and a product can match in one marketplace but not
another. Several items per identifier are common enough that a search of 20 identifiers usually
needs more than one page, as on Amazon. About one item in ten is a ``VARIATION_PARENT`` (a
family of variations, which cannot take an offer); every item has a product type. Names come
from a ``names`` callable when the sandbox is given one (the demo passes its catalog's, so a
match reads like the product); otherwise they are made up from the hash.

Searches page like Amazon's: ``pageSize`` items (default 10, at most 20), ``numberOfResults``
the total, and ``pagination.nextToken`` valid only for the same query.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable

IDENTIFIERS_TYPES = ("ASIN", "EAN", "GTIN", "ISBN", "JAN", "MINSAN", "SKU", "UPC")
INCLUDED_DATA = ("attributes", "classifications", "dimensions", "identifiers", "images",
                 "productTypes", "relationships", "salesRanks", "summaries", "vendorDetails")
ONE, SEVERAL = 55, 80  # hash buckets out of 100: [0, 55) one item, [55, 80) several, else none
#: Items per page when a search does not say (Amazon's default), and the most it allows.
PAGE_SIZE, MAX_PAGE_SIZE = 10, 20

_ADJECTIVES = ("Everyday", "Premium", "Classic", "Outdoor", "Compact", "Deluxe", "Essential")
_NOUNS = ("Water Bottle", "Backpack", "Desk Lamp", "Notebook Set", "Travel Mug", "Scarf")
_BRANDS = ("AmazonBasics", "Generic", "Northwind", "Contoso", "Fabrikam")
_VARIANTS = ("(2-pack)", "(Renewed)", "- International Version", "(Bulk)", "- Refill")
_PRODUCT_TYPES = ("CONTAINER", "BACKPACK", "LAMP", "NOTEBOOK", "DRINKING_CUP", "SCARF")

Names = Callable[[str, str], tuple[str, str] | None]


def _digest(*parts: str) -> int:
    return int(hashlib.sha256("|".join(parts).encode("utf-8", "surrogatepass")).hexdigest(), 16)


def _key(identifiers_type: str, identifier: str) -> str:
    """One key per product whatever form it is asked in (a UPC and its EAN form are one)."""
    value = identifier.replace("-", "").strip()
    if value.isdigit() and identifiers_type in ("UPC", "EAN", "GTIN", "JAN", "ISBN"):
        return value.zfill(14)
    return value if identifiers_type == "SKU" else value.upper()


def _asin(seed: int) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    chars = []
    for _ in range(8):
        seed, rest = divmod(seed, len(alphabet))
        chars.append(alphabet[rest])
    return "B0" + "".join(chars)


def _identifiers(identifiers_type: str, identifier: str) -> list[dict]:
    """The identifiers Amazon lists for the item: a UPC also in its 13-digit EAN form, an ISBN
    also as an EAN — the same product in the forms integrators report getting back."""
    value = identifier.replace("-", "").strip()
    found = [{"identifierType": identifiers_type, "identifier": value}]
    if identifiers_type == "UPC" and len(value) == 12:
        found.append({"identifierType": "EAN", "identifier": "0" + value})
    if identifiers_type == "ISBN" and len(value) == 13:
        found.append({"identifierType": "EAN", "identifier": value})
    return found


def lookup(marketplace_id: str, identifiers_type: str, identifier: str,
           names: Names | None = None) -> list[dict]:
    """The items (Catalog Items API ``Item`` objects) Amazon has for one identifier."""
    seed = _digest(marketplace_id, _key(identifiers_type, identifier))
    bucket = seed % 100
    if bucket >= SEVERAL:
        return []
    count = 1 if bucket < ONE or identifiers_type == "ASIN" else 2 + seed % 5
    known = names(identifiers_type, identifier) if names else None
    name, brand = known or (f"{_ADJECTIVES[seed % 7]} {_NOUNS[(seed >> 3) % 6]}",
                            _BRANDS[(seed >> 6) % 5])
    items = []
    for n in range(count):
        asin = identifier.upper() if identifiers_type == "ASIN" else _asin(seed >> (8 + n))
        parent = _digest(str(seed), str(n)) % 10 == 0  # about one item in ten
        items.append({
            "asin": asin,
            "identifiers": [{"marketplaceId": marketplace_id,
                             "identifiers": _identifiers(identifiers_type, identifier)
                             if identifiers_type not in ("ASIN", "SKU") else []}],
            "productTypes": [{"marketplaceId": marketplace_id,
                              "productType": _PRODUCT_TYPES[(seed >> 3) % 6]}],
            "summaries": [{"marketplaceId": marketplace_id, "brand": brand,
                           "itemName": name if n == 0 else f"{name} {_VARIANTS[n - 1]}",
                           "itemClassification": "VARIATION_PARENT" if parent
                           else "BASE_PRODUCT"}],
        })
    return items


class BadPageToken(ValueError):
    """A pageToken that is not one this query was given."""


def search(marketplace_id: str, identifiers_type: str, identifiers: list[str],
           included_data: list[str], names: Names | None = None, *,
           page_size: int = PAGE_SIZE, page_token: str | None = None, query: str = "") -> dict:
    """One page of an ``ItemSearchResults`` body for an identifiers search. ``query`` is what
    identifies the search (its parameters but the page's): a token is valid only for it."""
    items, seen = [], set()
    for identifier in identifiers:
        for item in lookup(marketplace_id, identifiers_type, identifier, names):
            if item["asin"] not in seen:
                seen.add(item["asin"])
                items.append(item)
    start = _offset(page_token, query) if page_token else 0
    kept = set(included_data) & {"identifiers", "summaries", "productTypes"}
    shaped = [{"asin": i["asin"], **{k: i[k] for k in kept}}
              for i in items[start:start + page_size]]
    brands: dict[str, int] = {}
    for item in items:
        brand = item["summaries"][0]["brand"]
        brands[brand] = brands.get(brand, 0) + 1
    pagination = {}
    if start + page_size < len(items):
        pagination["nextToken"] = _token(start + page_size, query)
    if start > 0:
        pagination["previousToken"] = _token(max(0, start - page_size), query)
    return {
        "numberOfResults": len(items),
        "pagination": pagination,
        "refinements": {"brands": [{"numberOfResults": n, "brandName": b}
                                   for b, n in sorted(brands.items())],
                        "classifications": []},
        "items": shaped,
    }


def odd(body: dict, marketplace_id: str, identifiers_type: str, asked: list[str]) -> dict:
    """The body as Amazon's data sometimes is (the ``odd`` fault): items with a garbage ASIN,
    fields missing or of the wrong type, and a dozen more items for the first identifier."""
    value = asked[0].replace("-", "").strip()
    extra = [{"asin": _asin(_digest("odd", value, str(n))),
              "identifiers": [{"marketplaceId": marketplace_id, "identifiers": [
                  {"identifierType": identifiers_type, "identifier": value}]}],
              "summaries": [{"marketplaceId": marketplace_id, "itemName": 42}]}
             for n in range(12)]
    garbage = [{"asin": "not-an-asin"}, {"asin": 1234567890}, "an item", None,
               {"asin": "b0lowercase", "identifiers": "none"},
               {"asin": "B0GARBAGE1", "summaries": "none", "identifiers": [
                   {"marketplaceId": marketplace_id, "identifiers": "oops"}], "productTypes": 5},
               {"asin": "B0NOSUMMRY", "summaries": [None, {"marketplaceId": marketplace_id,
                                                           "itemClassification": ["x"]}],
                "identifiers": [{"marketplaceId": marketplace_id, "identifiers": [None]}]}]
    return {**body, "numberOfResults": str(body.get("numberOfResults")),
            "refinements": None, "items": body["items"] + extra + garbage}


def _fingerprint(query: str) -> str:
    return hashlib.sha256(query.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _token(offset: int, query: str) -> str:
    raw = json.dumps({"o": offset, "q": _fingerprint(query)}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _offset(token: str, query: str) -> int:
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        offset = data["o"]
        same = data["q"] == _fingerprint(query)
    except (ValueError, KeyError, TypeError):
        raise BadPageToken(token) from None
    if not same or not isinstance(offset, int) or offset < 0:
        raise BadPageToken(token)
    return offset
