"""The sandbox's Amazon catalog: deterministic items for any identifier, per marketplace.

Whether an identifier matches one item, several or none is decided by a hash of the marketplace
and the identifier (about 65 % one, 12 % several, 23 % none), so tests and the demo see the same
answer every time and a product can match in one marketplace but not another. Names come from a
``names`` callable when the sandbox is given one (the demo passes its catalog's, so a match
reads like the product); otherwise they are made up from the hash.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

IDENTIFIERS_TYPES = ("ASIN", "EAN", "GTIN", "ISBN", "JAN", "MINSAN", "SKU", "UPC")
INCLUDED_DATA = ("attributes", "classifications", "dimensions", "identifiers", "images",
                 "productTypes", "relationships", "salesRanks", "summaries", "vendorDetails")
ONE, SEVERAL = 65, 77  # hash buckets out of 100: [0, 65) one item, [65, 77) several, else none

_ADJECTIVES = ("Everyday", "Premium", "Classic", "Outdoor", "Compact", "Deluxe", "Essential")
_NOUNS = ("Water Bottle", "Backpack", "Desk Lamp", "Notebook Set", "Travel Mug", "Scarf")
_BRANDS = ("AmazonBasics", "Generic", "Northwind", "Contoso", "Fabrikam")
_VARIANTS = ("(2-pack)", "(Renewed)", "- International Version")

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
    count = 1 if bucket < ONE or identifiers_type == "ASIN" else 2 + seed % 2
    known = names(identifiers_type, identifier) if names else None
    name, brand = known or (f"{_ADJECTIVES[seed % 7]} {_NOUNS[(seed >> 3) % 6]}",
                            _BRANDS[(seed >> 6) % 5])
    items = []
    for n in range(count):
        asin = identifier.upper() if identifiers_type == "ASIN" else _asin(seed >> (8 + n))
        items.append({
            "asin": asin,
            "identifiers": [{"marketplaceId": marketplace_id,
                             "identifiers": _identifiers(identifiers_type, identifier)
                             if identifiers_type not in ("ASIN", "SKU") else []}],
            "summaries": [{"marketplaceId": marketplace_id, "brand": brand,
                           "itemName": name if n == 0 else f"{name} {_VARIANTS[n - 1]}",
                           "itemClassification": "BASE_PRODUCT"}],
        })
    return items


def search(marketplace_id: str, identifiers_type: str, identifiers: list[str],
           included_data: list[str], names: Names | None = None) -> dict:
    """An ``ItemSearchResults`` body for an identifiers search."""
    items, seen = [], set()
    for identifier in identifiers:
        for item in lookup(marketplace_id, identifiers_type, identifier, names):
            if item["asin"] not in seen:
                seen.add(item["asin"])
                items.append(item)
    kept = set(included_data) & {"identifiers", "summaries"}
    shaped = [{"asin": i["asin"], **{k: i[k] for k in kept}} for i in items]
    brands: dict[str, int] = {}
    for item in items:
        brand = item["summaries"][0]["brand"]
        brands[brand] = brands.get(brand, 0) + 1
    return {
        "numberOfResults": len(shaped),
        "pagination": {},
        "refinements": {"brands": [{"numberOfResults": n, "brandName": b}
                                   for b, n in sorted(brands.items())],
                        "classifications": []},
        "items": shaped,
    }
