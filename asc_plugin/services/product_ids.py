"""Checks whether a value can be an Amazon product id of a given type (check digits, lengths)."""

from __future__ import annotations

import re

from ..i18n import N_
from ..models import ProductIdType

LABELS = {
    ProductIdType.ASIN: "ASIN",
    ProductIdType.ISBN: "ISBN",
    ProductIdType.UPC: "UPC",
    ProductIdType.EAN: "EAN",
    ProductIdType.GCID: "GCID",
    ProductIdType.SELLER_SKU: N_("Seller SKU"),
}

# Host attribute codes that usually carry each id type, best first.
LIKELY_ATTRIBUTES = {
    ProductIdType.ASIN: ("amazon_asin", "asin"),
    ProductIdType.ISBN: ("isbn", "isbn13", "isbn10"),
    ProductIdType.UPC: ("upc", "gtin"),
    ProductIdType.EAN: ("ean", "gtin", "ean13"),
    ProductIdType.GCID: ("gcid", "amazon_gcid"),
    ProductIdType.SELLER_SKU: ("sku", "seller_sku"),
}


def _gtin_ok(digits: str) -> bool:
    """GS1 mod-10 check digit (UPC-A, EAN-13, ISBN-13, GTIN-14)."""
    body, check = digits[:-1], int(digits[-1])
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def _isbn10_ok(value: str) -> bool:
    if not re.fullmatch(r"[0-9]{9}[0-9X]", value):
        return False
    total = sum((10 - i) * (10 if c == "X" else int(c)) for i, c in enumerate(value))
    return total % 11 == 0


def _by_check_digit(ok: bool) -> tuple[bool, str]:
    return (True, N_("valid")) if ok else (False, N_("check digit is wrong"))


def check(id_type: ProductIdType, raw: str | None) -> tuple[bool, str]:
    """(valid, reason) for a value as the given id type; reason is shown to the merchant."""
    value = (raw or "").strip()
    if not value:
        return False, N_("empty")
    compact = value.replace("-", "").replace(" ", "").upper()
    if id_type is ProductIdType.UPC:
        if not re.fullmatch(r"[0-9]{12}", compact):
            return False, N_("a UPC has 12 digits")
        return _by_check_digit(_gtin_ok(compact))
    if id_type is ProductIdType.EAN:
        if not re.fullmatch(r"[0-9]{13}", compact):
            return False, N_("an EAN has 13 digits")
        return _by_check_digit(_gtin_ok(compact))
    if id_type is ProductIdType.ISBN:
        if re.fullmatch(r"[0-9]{13}", compact):
            if not compact.startswith(("978", "979")):
                return False, N_("an ISBN-13 starts with 978 or 979")
            return _by_check_digit(_gtin_ok(compact))
        if len(compact) == 10:
            return _by_check_digit(_isbn10_ok(compact))
        return False, N_("an ISBN has 10 or 13 characters")
    if id_type is ProductIdType.ASIN:
        if re.fullmatch(r"[A-Z0-9]{10}", compact):
            return True, N_("valid")
        return False, N_("an ASIN has 10 letters or digits")
    if id_type is ProductIdType.GCID:
        if re.fullmatch(r"[0-9A-F]{16}", compact):
            return True, N_("valid")
        return False, N_("a GCID has 16 hexadecimal characters")
    # Seller SKU: Amazon allows up to 40 characters.
    if len(value) > 40:
        return False, N_("a seller SKU has at most 40 characters")
    return True, N_("valid")


#: The Catalog Items API's identifiersType for each id type; GCID has none (Amazon's
#: searchCatalogItems cannot look a product up by it).
IDENTIFIERS_TYPE = {
    ProductIdType.ASIN: "ASIN",
    ProductIdType.ISBN: "ISBN",
    ProductIdType.UPC: "UPC",
    ProductIdType.EAN: "EAN",
    ProductIdType.SELLER_SKU: "SKU",
}


def catalog_identifier(id_type: ProductIdType, raw: str | None) -> tuple[str, str | None, str]:
    """How a product's id value can be looked up in Amazon's catalog.

    Returns (outcome, identifier, reason): outcome is ``ok`` (identifier is the value to send,
    normalised: no spaces or hyphens, upper case except for SKUs), ``missing``, ``invalid``
    (reason says why) or ``unsupported`` (the id type cannot be searched).
    """
    valid, reason = check(id_type, raw)
    if not valid:
        return ("missing" if reason == "empty" else "invalid"), None, reason
    if id_type not in IDENTIFIERS_TYPE:
        return "unsupported", None, N_("Amazon's catalog cannot be searched by GCID")
    value = (raw or "").strip()
    if id_type is not ProductIdType.SELLER_SKU:
        value = value.replace("-", "").replace(" ", "").upper()
    return "ok", value, N_("valid")

