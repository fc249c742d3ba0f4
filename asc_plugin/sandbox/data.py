"""The sandbox's sellers (documented in docs/sandbox.md) and its in-memory Amazon state."""

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


#: The roles the sandbox's APIs ask of the app (Amazon's role names are longer): the Sellers
#: API's, and the Catalog Items API's (Product Listing).
REQUIRED_ROLE = "selling_partner_insights"
CATALOG_ROLE = "product_listing"
#: The Orders API's (Inventory and Order Tracking), and the restricted role that adds buyer and
#: shipping details to its answers (Direct-to-Consumer Shipping): not granted by default.
ORDERS_ROLE = "inventory_and_order_tracking"
PII_ROLE = "direct_to_consumer_shipping"


@dataclass(frozen=True)
class Settings:
    """How the sandbox's Amazon behaves where the real one is known to vary."""

    routing: str = "direct"          # "direct" | "login_uri": where consent sends the seller
    relative_callback: bool = False  # amazon_callback_uri as a path, as integrators report
    roles: tuple[str, ...] = (REQUIRED_ROLE, CATALOG_ROLE, ORDERS_ROLE)
    catalog_rate: float = 2.0        # searchCatalogItems per seller: requests/s
    catalog_burst: float = 2.0       # … and its burst
    rate_header: bool = True         # send x-amzn-RateLimit-Limit (Amazon does not always)
    #: identifiers searchCatalogItems refuses with a 400 InvalidInput for the whole request, as
    #: Amazon does for one it will not take (its checks go beyond check digits)
    refused_identifiers: tuple[str, ...] = ()


@dataclass
class Faults:
    """Switches tests flip to make the sandbox misbehave like Amazon sometimes does."""

    token: str | None = None      # "500" | "badjson" | "norefresh" | "invalid_client"
                                  # | "unauthorized_client"
    sellers: str | None = None    # "403" (token) | "403_role" | "429" | "500" | "badjson"
    catalog: str | None = None    # "403" | "403_role" | "429" | "429_empty" (no body) | "500"
                                  # | "503" | "badjson" | "slow" (answers after a second: a
                                  # client's timeout) | "odd" (items with missing fields,
                                  # wrong types, garbage ASINs, a dozen items for one id)
    catalog_times: int | None = None  # the catalog fault answers this many requests, then ends
    delay: float = 0.0            # seconds added to every token / Sellers API answer


@dataclass
class OfferState:
    """Listings, feed documents and feeds the sandbox holds (sandbox/listings.py, feeds.py)."""

    listings: dict = field(default_factory=dict)   # (seller, marketplace, sku) -> record
    documents: dict = field(default_factory=dict)  # document id -> record
    feeds: dict = field(default_factory=dict)      # feed id -> record
    #: surface ("listings", "restrictions", "definitions", "feeds", "upload") -> [fault, times]
    faults: dict = field(default_factory=dict)
    gzip_reports: bool = True
    #: Multiplies every rate and burst here (tests that are not about the limits go faster).
    rate_scale: float = 1.0
    #: Every request to these APIs: time, operation, seller, params, body, status.
    requests: list = field(default_factory=list)


#: A day in seconds, on the sandbox clock.
DAY = 86400


@dataclass(frozen=True)
class OrderSettings:
    """How the Orders API's sandbox generates orders, and its usage plans (sandbox/orders.py)."""

    interval: float = 3 * 3600      # seconds between generated orders per marketplace; 0: none
    lookback: float = DAY           # generated orders start this long before authorization
    search_rate: float = 0.0056
    search_burst: float = 20
    get_rate: float = 0.5
    get_burst: float = 30


@dataclass
class Placed:
    """An order placed through the sandbox's control (or a generated one, as computed)."""

    order_id: str
    seller_id: str
    marketplace_id: str
    created: float
    lines: list[tuple[str, int]]      # (sku, quantity)
    pending: float = 0.0              # seconds in PENDING
    cancelled_at: float | None = None
    fulfilled_by: str = "MERCHANT"
    cancel_while_pending: bool = False


@dataclass
class OrdersState:
    """Placed orders, pagination tokens, the fault switch and requests of the Orders API."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    settings: OrderSettings = field(default_factory=OrderSettings)
    fault: str | None = None
    fault_times: int | None = None
    fault_operation: str | None = None   # "search" | "get" | None (both)
    placed: dict[str, Placed] = field(default_factory=dict)
    tokens: dict[str, dict] = field(default_factory=dict)
    requests: list[dict] = field(default_factory=list)

    def reset(self) -> None:
        with self.lock:
            self.settings = OrderSettings()
            self.fault = self.fault_times = self.fault_operation = None
            self.placed.clear()
            self.tokens.clear()
            self.requests.clear()


@dataclass
class SandboxState:
    """Everything the sandbox remembers; one lock, since the sandbox is served threaded."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    codes: dict[str, dict] = field(default_factory=dict)
    access_tokens: dict[str, dict] = field(default_factory=dict)
    authorizations: list[Authorization] = field(default_factory=list)
    faults: Faults = field(default_factory=Faults)
    settings: Settings = field(default_factory=Settings)
    clock_offset: float = 0.0
    rate: dict[str, tuple[float, float]] = field(default_factory=dict)
    token_requests: int = 0
    #: Every searchCatalogItems request: monotonic time, seller, identifiers, status (tests
    #: and the benchmark read it to prove the rate limit held).
    catalog_requests: list[dict] = field(default_factory=list)
    offers: OfferState = field(default_factory=OfferState)
    orders: OrdersState = field(default_factory=OrdersState)
    #: Signs the pre-signed document URLs of the Feeds API (sandbox/feeds.py).
    url_key: bytes = field(default_factory=lambda: secrets.token_bytes(16))

    def now(self) -> float:
        return time.time() + self.clock_offset

    def reset(self) -> None:
        with self.lock:
            self.codes.clear()
            self.access_tokens.clear()
            self.authorizations.clear()
            self.rate.clear()
            self.catalog_requests.clear()
            self.offers = OfferState()
            self.faults = Faults()
            self.settings = Settings()
            self.clock_offset = 0.0
            self.token_requests = 0
        self.orders.reset()

    def revoke(self, seller_id: str) -> None:
        """Manage Your Apps › Remove: every authorization of the seller, and its tokens."""
        with self.lock:
            for auth in self.authorizations:
                if auth.seller_id == seller_id:
                    auth.revoked = True
            for token in [t for t, v in self.access_tokens.items()
                          if v["seller_id"] == seller_id]:
                del self.access_tokens[token]

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
        """A token bucket per key, like Amazon's (the Sellers API's default: burst 15, about one
        a minute). Measured on the monotonic clock: moving the sandbox's clock moves days, not
        the rate."""
        now = time.monotonic()
        with self.lock:
            tokens, last = self.rate.get(key, (burst, now))
            tokens = min(burst, tokens + (now - last) * per_second)
            if tokens < 1:
                self.rate[key] = (tokens, now)
                return False
            self.rate[key] = (tokens - 1, now)
            return True


#: What Amazon's Sellers API says of each marketplace the sandbox's sellers use.
MARKETPLACE_FACTS = {
    "US": ("Amazon.com", "www.amazon.com", "US", "USD", "en_US"),
    "CA": ("Amazon.ca", "www.amazon.ca", "CA", "CAD", "en_CA"),
    "MX": ("Amazon.com.mx", "www.amazon.com.mx", "MX", "MXN", "es_MX"),
    "UK": ("Amazon.co.uk", "www.amazon.co.uk", "GB", "GBP", "en_GB"),
    "DE": ("Amazon.de", "www.amazon.de", "DE", "EUR", "de_DE"),
}


def participations(seller: Seller, region: str) -> list[dict]:
    """The Sellers API payload for a seller in one region."""
    out = []
    for code, participating in seller.marketplaces.items():
        market = BY_CODE[code]
        if market.region != region:
            continue
        name, domain, country, currency, language = MARKETPLACE_FACTS[code]
        out.append({
            "marketplace": {
                "id": market.marketplace_id, "name": name, "countryCode": country,
                "defaultCurrencyCode": currency, "defaultLanguageCode": language,
                "domainName": domain,
            },
            "participation": {"isParticipating": participating, "hasSuspendedListings": False},
            "storeName": seller.store_name,
        })
    return out


def marketplace_ids(token: dict) -> list[str]:
    """The ids of the marketplaces where an access token's seller sells, in its region."""
    seller = seller_by_id(token["seller_id"])
    if seller is None:
        return []
    return [p["marketplace"]["id"] for p in participations(seller, token["region"])]
