"""The Sellers API: getMarketplaceParticipations and getAccount, with Amazon's checks, its
default rate limit (burst 15, about one a minute per seller) and the ``sellers`` fault."""

from __future__ import annotations

from flask import Blueprint, jsonify

from .data import REQUIRED_ROLE, Seller, participations, seller_by_id
from .guards import QUOTA, REGIONS, Answer, current_sandbox, spapi_error, spapi_guard

bp = Blueprint("sellers", __name__)


def _seller(region: str) -> Seller | Answer:
    """The caller's seller, or the error response."""
    state = current_sandbox()
    info = spapi_guard(region, state.faults.sellers, REQUIRED_ROLE)
    if not isinstance(info, dict):
        return info
    if not state.take_rate(f"{info['seller_id']}:participations"):
        return spapi_error(429, *QUOTA)
    return seller_by_id(info["seller_id"])


@bp.get("/spapi/<region>/sellers/v1/marketplaceParticipations")
def participations_view(region: str) -> Answer:
    seller = _seller(region)
    if not isinstance(seller, Seller):
        return seller
    return jsonify({"payload": participations(seller, REGIONS[region])})


@bp.get("/spapi/<region>/sellers/v1/account")
def account(region: str) -> Answer:
    seller = _seller(region)
    if not isinstance(seller, Seller):
        return seller
    return jsonify({"payload": {
        "marketplaceParticipationList": participations(seller, REGIONS[region]),
        "businessType": "PRIVATE_LIMITED", "sellingPlan": seller.selling_plan,
    }})
