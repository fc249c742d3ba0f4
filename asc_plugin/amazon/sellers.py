"""The Sellers API: which marketplaces a seller takes part in (how a connection is verified).

A 403 is the seller's or the operator's to fix; :mod:`.responses` tells which.
"""

from __future__ import annotations

from dataclasses import dataclass

import requests
from flask import current_app

from .. import marketplaces
from ..errors import AmazonUnavailable, ConnectFailure
from . import responses
from .oauth import user_agent


@dataclass(frozen=True)
class Participation:
    marketplace_id: str
    country_code: str
    is_participating: bool
    store_name: str | None


def marketplace_participations(region: str, access_token: str) -> list[Participation]:
    """GET /sellers/v1/marketplaceParticipations; raises ConnectFailure or AmazonUnavailable."""
    config = current_app.config
    url = f"{marketplaces.spapi_endpoint(config, region)}/sellers/v1/marketplaceParticipations"
    headers = {
        "x-amz-access-token": access_token,
        "user-agent": user_agent(config),
        "accept": "application/json",
    }
    try:
        response = requests.get(url, headers=headers, timeout=config["ASC_AMAZON_HTTP_TIMEOUT"])
    except requests.RequestException:
        raise AmazonUnavailable("sellers_unavailable") from None
    if response.status_code == 403:
        raise ConnectFailure("sellers_forbidden" if responses.about_the_token(response)
                             else "sellers_role_missing")
    if response.status_code == 429:
        raise AmazonUnavailable("sellers_throttled")
    if response.status_code != 200:
        raise AmazonUnavailable("sellers_unavailable")
    try:
        payload = response.json()["payload"]
        return [
            Participation(
                marketplace_id=str(item["marketplace"]["id"]),
                country_code=str(item["marketplace"].get("countryCode", "")),
                is_participating=item["participation"]["isParticipating"] is True,
                store_name=_text(item.get("storeName")),
            )
            for item in payload
        ]
    except (ValueError, KeyError, TypeError):
        raise AmazonUnavailable("sellers_unavailable") from None


def _text(value) -> str | None:
    return value[:200] if isinstance(value, str) and value else None
