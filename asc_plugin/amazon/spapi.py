"""One SP-API request, for the listings, restrictions, definitions and feeds clients.

What every SP-API operation shares lives here: the endpoint of the seller's region, the
headers Amazon asks for, each operation's documented limit (one table), and reading the answer —
a 429 is :class:`Throttled`, a 403 with empty details is the app lacking the *Product Listing*
role (:class:`RoleMissing`, the operator's to fix), a 403 about the token is the seller's
authorization (:class:`TokenRefused`), a 400 is :class:`Rejected` with Amazon's errors, and 5xx,
timeouts and bodies that are not JSON are :class:`Unavailable` (worth retrying). Every error
keeps Amazon's ``x-amzn-RequestId`` for support. Nothing here knows about stores or the database.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import requests
from flask import current_app

from .. import marketplaces
from ..errors import AmazonUnavailable, ConnectFailure, OperatorActionRequired
from . import responses
from .oauth import user_agent

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limit:
    """Amazon's documented limit for one operation: requests per second and burst."""

    rate: float
    burst: float


#: Documented limits per seller and app. Listings Items: the docs page's 5/s burst 5 (more
#: conservative than the model's burst 10), one bucket shared by the listings operations.
LIMITS: dict[str, Limit] = {
    "putListingsItem": Limit(5, 5),
    "patchListingsItem": Limit(5, 5),
    "getListingsItem": Limit(5, 5),
    "deleteListingsItem": Limit(5, 5),
    "searchListingsItems": Limit(5, 5),
    "getListingsRestrictions": Limit(5, 10),
    "getDefinitionsProductType": Limit(5, 10),
    "createFeedDocument": Limit(0.5, 15),
    "createFeed": Limit(0.0083, 15),
    "getFeed": Limit(2, 15),
    "getFeedDocument": Limit(0.0222, 10),
    #: JSON_LISTINGS_FEED's own limit: 5 submissions per 5 minutes per region.
    "JSON_LISTINGS_FEED": Limit(5 / 300, 5),
}


@dataclass(frozen=True)
class Seller:
    """Who a call is made for: the seller's region, token, id and one marketplace."""

    region: str
    access_token: str
    seller_id: str
    marketplace_id: str
    issue_locale: str = "en_US"


@dataclass
class Answer:
    status: int
    body: dict = field(default_factory=dict)
    request_id: str | None = None
    rate_limit: float | None = None


class _Carries:
    request_id: str | None = None
    rate_limit: float | None = None


class Throttled(_Carries, AmazonUnavailable):
    """429: wait, then ask again."""

    def __init__(self, answer: Answer | None = None):
        super().__init__("listings_throttled")
        self.request_id = answer.request_id if answer else None
        self.rate_limit = answer.rate_limit if answer else None


class Unavailable(_Carries, AmazonUnavailable):
    """5xx, a timeout, or a body that is not JSON: retry later."""

    def __init__(self, request_id: str | None = None):
        super().__init__("listings_unavailable")
        self.request_id = request_id


class RoleMissing(_Carries, OperatorActionRequired):
    """403 with empty details: the SP-API app lacks the Product Listing role."""

    def __init__(self, request_id: str | None = None):
        super().__init__("listings_role_missing")
        self.request_id = request_id


class TokenRefused(_Carries, ConnectFailure):
    """403 about the access token: the seller's authorization is not accepted."""

    def __init__(self, request_id: str | None = None):
        super().__init__("listings_forbidden")
        self.request_id = request_id


class Rejected(_Carries, OperatorActionRequired):
    """400 (or 404/413/415): Amazon refused the request itself; its errors are kept."""

    def __init__(self, answer: Answer, errors: list[dict]):
        super().__init__("listings_rejected")
        self.status = answer.status
        self.request_id = answer.request_id
        self.errors = errors

    @property
    def amazon_message(self) -> str:
        return "; ".join(f"{e.get('code', '')}: {e.get('message', '')}"[:300]
                         for e in self.errors) or f"HTTP {self.status}"


def call(method: str, seller: Seller, path: str, *, params: dict | None = None,
         body: dict | None = None, ok: tuple[int, ...] = (200,)) -> Answer:
    """Send one SP-API request; the answer (status in ``ok``) or one of the errors above."""
    config = current_app.config
    headers = {"x-amz-access-token": seller.access_token, "user-agent": user_agent(config),
               "accept": "application/json"}
    if body is not None:
        headers["content-type"] = "application/json"
    url = marketplaces.spapi_endpoint(config, seller.region) + path
    try:
        response = requests.request(method, url, params=params, json=body, headers=headers,
                                    timeout=config["ASC_AMAZON_HTTP_TIMEOUT"])
    except requests.RequestException:
        raise Unavailable() from None
    answer = Answer(response.status_code, request_id=response.headers.get("x-amzn-RequestId"),
                    rate_limit=stated_rate(response))
    if response.status_code == 429:
        raise Throttled(answer)
    if response.status_code == 403:
        if responses.about_the_token(response):
            raise TokenRefused(answer.request_id)
        raise RoleMissing(answer.request_id)
    if response.status_code >= 500:
        log.warning("Amazon answered %s to %s %s (request id %s)", response.status_code,
                    method, path.split("/items/")[0], answer.request_id)
        raise Unavailable(answer.request_id)
    if response.status_code not in ok:
        log.warning("Amazon refused %s %s: %s (request id %s)", method,
                    path.split("/items/")[0], responses.summary(response), answer.request_id)
        raise Rejected(answer, responses.errors(response))
    try:
        parsed = response.json() if response.content else {}
    except ValueError:
        raise Unavailable(answer.request_id) from None
    if not isinstance(parsed, dict):
        raise Unavailable(answer.request_id)
    answer.body = parsed
    return answer


def stated_rate(response) -> float | None:
    """``x-amzn-RateLimit-Limit`` when Amazon sends it (best effort, never on 403/429/5xx)."""
    try:
        value = float(response.headers.get("x-amzn-RateLimit-Limit", ""))
    except ValueError:
        return None
    return value if 0 < value < 1000 else None


def text(value, limit: int) -> str | None:
    """A string from Amazon's answer, capped; anything else is None."""
    return value[:limit] if isinstance(value, str) and value else None
