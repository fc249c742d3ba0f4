"""The sandbox's sellers (documented in the README) and its in-memory Amazon state."""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field

from ..marketplaces import BY_CODE


@dataclass(frozen=True)
class Seller:
    selling_partner_id: str
    email: str
    mobile: str
    password: str
    otp: str | None
    region: str
    store_name: str
    marketplaces: dict[str, bool]  # country code -> isParticipating
    selling_plan: str = "PROFESSIONAL"


SELLERS = (
    Seller("A3FH4EXAMPLE", "seller@example.com", "+15555550100", "sandbox", "123456", "NA",
           "Example Outfitters", {"US": True, "CA": True, "MX": True}),
    Seller("A1UKSELLER01", "uk-seller@example.com", "+447700900123", "sandbox", "123456", "EU",
           "Example Outfitters UK", {"UK": True, "DE": True}),
    Seller("A2NOCANADA01", "us-only@example.com", "+15555550111", "sandbox", None, "NA",
           "US Only Goods", {"US": True, "CA": False}),
) + tuple(
    # Load-test sellers: load01@example.com … load30@example.com, no 2FA, all of North America.
    Seller(f"A0LOAD{n:06d}", f"load{n:02d}@example.com", f"+1555555{n:04d}", "sandbox", None,
           "NA", f"Load Test Seller {n:02d}", {"US": True, "CA": True, "MX": True})
    for n in range(1, 31)
)


def find_seller(login: str) -> Seller | None:
    login = (login or "").strip().lower()
    for seller in SELLERS:
        if login in (seller.email, seller.mobile.replace(" ", "")):
            return seller
    return None


def seller_by_id(selling_partner_id: str) -> Seller | None:
    return next((s for s in SELLERS if s.selling_partner_id == selling_partner_id), None)


@dataclass
class Authorization:
    seller_id: str
    region: str
    refresh_token: str
    authorized_at: float
    revoked: bool = False


@dataclass
class Faults:
    """Switches tests flip to make the sandbox misbehave like Amazon sometimes does."""

    token: str | None = None      # "500" | "timeout" | "badjson" | "norefresh" | "invalid_client"
    sellers: str | None = None    # "403" | "429" | "500" | "timeout" | "badjson"
    delay: float = 0.0            # seconds added to every token / Sellers API answer


@dataclass
class SandboxState:
    """Everything the sandbox remembers; one lock, since the sandbox is served threaded."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    codes: dict[str, dict] = field(default_factory=dict)
    access_tokens: dict[str, dict] = field(default_factory=dict)
    authorizations: list[Authorization] = field(default_factory=list)
    faults: Faults = field(default_factory=Faults)
    clock_offset: float = 0.0
    rate: dict[str, tuple[float, float]] = field(default_factory=dict)
    token_requests: int = 0

    def now(self) -> float:
        return time.time() + self.clock_offset

    def issue_code(self, *, seller: Seller, redirect_uri: str | None) -> str:
        code = "ANsb" + secrets.token_urlsafe(18)
        with self.lock:
            self.codes[code] = {"seller_id": seller.selling_partner_id, "region": seller.region,
                                "redirect_uri": redirect_uri, "expires": self.now() + 300,
                                "used": False}
        return code

    def issue_access_token(self, auth: Authorization) -> str:
        token = "Atza|sb" + secrets.token_urlsafe(40)
        with self.lock:
            self.access_tokens[token] = {"seller_id": auth.seller_id, "region": auth.region,
                                         "refresh_token": auth.refresh_token,
                                         "expires": self.now() + 3600}
        return token

    def take_rate(self, key: str, *, burst: float = 15, per_second: float = 0.0167) -> bool:
        """Token bucket like the Sellers API's (burst 15, about one a minute)."""
        with self.lock:
            tokens, last = self.rate.get(key, (burst, self.now()))
            tokens = min(burst, tokens + (self.now() - last) * per_second)
            if tokens < 1:
                self.rate[key] = (tokens, self.now())
                return False
            self.rate[key] = (tokens - 1, self.now())
            return True


def participations(seller: Seller, region: str) -> list[dict]:
    """The Sellers API payload for a seller in one region."""
    out = []
    for code, participating in seller.marketplaces.items():
        market = BY_CODE[code]
        if market.region != region:
            continue
        out.append({
            "marketplace": {
                "id": market.marketplace_id, "name": f"Amazon.{code.lower()}",
                "countryCode": "GB" if code == "UK" else code,
                "defaultCurrencyCode": {"US": "USD", "CA": "CAD", "MX": "MXN", "UK": "GBP"}.get(
                    code, "EUR"),
                "defaultLanguageCode": {"US": "en_US", "CA": "en_CA", "MX": "es_MX",
                                        "UK": "en_GB", "DE": "de_DE"}.get(code, "en_US"),
                "domainName": f"www.amazon.{code.lower()}",
            },
            "participation": {"isParticipating": participating, "hasSuspendedListings": False},
            "storeName": seller.store_name,
        })
    return out
