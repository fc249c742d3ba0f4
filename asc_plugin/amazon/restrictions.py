"""The Listings Restrictions API (2021-08-01): may this seller offer this ASIN in a condition?

Amazon answers a list of restrictions with reasons: APPROVAL_REQUIRED (with links to apply for
approval), ASIN_NOT_FOUND or NOT_ELIGIBLE. An empty list means the seller may list it.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import spapi
from .spapi import Seller, text

PATH = "/listings/2021-08-01/restrictions"
REASONS = ("APPROVAL_REQUIRED", "ASIN_NOT_FOUND", "NOT_ELIGIBLE")


@dataclass(frozen=True)
class Restriction:
    reason_code: str  # one of REASONS, or "" when Amazon gave none
    message: str
    link: str | None  # where to apply for approval


def get(seller: Seller, asin: str, condition: str) -> list[Restriction]:
    """getListingsRestrictions for one ASIN and condition in the seller's marketplace."""
    answer = spapi.call("GET", seller, PATH, params={
        "asin": asin, "sellerId": seller.seller_id, "marketplaceIds": seller.marketplace_id,
        "conditionType": condition, "reasonLocale": seller.issue_locale})
    found = []
    for restriction in answer.body.get("restrictions") or ():
        if not isinstance(restriction, dict) or \
                restriction.get("marketplaceId") not in (None, seller.marketplace_id):
            continue
        for reason in restriction.get("reasons") or ():
            if not isinstance(reason, dict):
                continue
            link = next((text(li.get("resource"), 1000) for li in reason.get("links") or ()
                         if isinstance(li, dict) and str(li.get("resource", "")).startswith(
                             "https://")), None)
            code = next((c for c in REASONS if c == reason.get("reasonCode")), "")
            found.append(Restriction(code, text(reason.get("message"), 1000) or "", link))
    return found
