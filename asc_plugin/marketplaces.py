"""Amazon marketplaces as data: country, marketplace id, region, Seller Central, SP-API endpoint.

The table follows Amazon's SP-API documentation. URLs can be overridden per app through
ASC_AMAZON_SELLER_CENTRAL_URLS and ASC_AMAZON_SPAPI_ENDPOINTS (the sandbox uses that).
"""

from __future__ import annotations

from dataclasses import dataclass

from .i18n import N_

SPAPI_ENDPOINTS = {
    "NA": "https://sellingpartnerapi-na.amazon.com",
    "EU": "https://sellingpartnerapi-eu.amazon.com",
    "FE": "https://sellingpartnerapi-fe.amazon.com",
}

REGION_NAMES = {"NA": N_("North America"), "EU": N_("Europe"), "FE": N_("Far East")}


@dataclass(frozen=True)
class Marketplace:
    code: str
    country: str
    marketplace_id: str
    region: str
    seller_central_url: str | None

    @property
    def region_name(self) -> str:
        return REGION_NAMES[self.region]

    @property
    def currency(self) -> str:
        """The ISO 4217 code of the marketplace's currency (prices listed there are in it)."""
        return CURRENCIES[self.code]


#: Each marketplace's currency, as Amazon's marketplace table gives it.
CURRENCIES = {
    "US": "USD", "CA": "CAD", "MX": "MXN", "BR": "BRL", "UK": "GBP", "DE": "EUR", "FR": "EUR",
    "IT": "EUR", "ES": "EUR", "NL": "EUR", "BE": "EUR", "IE": "EUR", "SE": "SEK", "PL": "PLN",
    "TR": "TRY", "AE": "AED", "SA": "SAR", "EG": "EGP", "IN": "INR", "JP": "JPY", "AU": "AUD",
    "SG": "SGD", "ZA": "ZAR",
}

_EU = "https://sellercentral-europe.amazon.com"

MARKETPLACES: tuple[Marketplace, ...] = (
    # The seed's four come first: they are the ones enabled by default.
    Marketplace("US", N_("United States"), "ATVPDKIKX0DER", "NA", "https://sellercentral.amazon.com"),
    Marketplace("CA", N_("Canada"), "A2EUQ1WTGCTBG2", "NA", "https://sellercentral.amazon.ca"),
    Marketplace("MX", N_("Mexico"), "A1AM78C64UM0Y8", "NA", "https://sellercentral.amazon.com.mx"),
    Marketplace("UK", N_("United Kingdom"), "A1F83G8C2ARO7P", "EU", _EU),
    Marketplace("BR", N_("Brazil"), "A2Q3Y263D00KWC", "NA", "https://sellercentral.amazon.com.br"),
    Marketplace("DE", N_("Germany"), "A1PA6795UKMFR9", "EU", _EU),
    Marketplace("FR", N_("France"), "A13V1IB3VIYZZH", "EU", _EU),
    Marketplace("IT", N_("Italy"), "APJ6JRA9NG5V4", "EU", _EU),
    Marketplace("ES", N_("Spain"), "A1RKKUPIHCS9HS", "EU", _EU),
    Marketplace("NL", N_("Netherlands"), "A1805IZSGTT6HS", "EU", "https://sellercentral.amazon.nl"),
    Marketplace("SE", N_("Sweden"), "A2NODRKZP88ZB9", "EU", "https://sellercentral.amazon.se"),
    Marketplace("PL", N_("Poland"), "A1C3SOZRARQ6R3", "EU", "https://sellercentral.amazon.pl"),
    Marketplace("TR", N_("Turkey"), "A33AVAJ2PDY3EV", "EU", "https://sellercentral.amazon.com.tr"),
    Marketplace("AE", N_("United Arab Emirates"), "A2VIGQ35RCS4UG", "EU",
                "https://sellercentral.amazon.ae"),
    Marketplace("IN", N_("India"), "A21TJRUUN4KGV", "EU", "https://sellercentral.amazon.in"),
    Marketplace("JP", N_("Japan"), "A1VC38T7YXB528", "FE", "https://sellercentral.amazon.co.jp"),
    Marketplace("AU", N_("Australia"), "A39IBJ37TRP1C6", "FE", "https://sellercentral.amazon.com.au"),
    Marketplace("SG", N_("Singapore"), "A19VAU5U5O7RUS", "FE", "https://sellercentral.amazon.sg"),
    # Seller Central hosts unconfirmed: usable only with an ASC_AMAZON_SELLER_CENTRAL_URLS entry.
    Marketplace("IE", N_("Ireland"), "A28R8C7NBKEWEA", "EU", None),
    Marketplace("BE", N_("Belgium"), "AMEN7PMS3EDWL", "EU", None),
    Marketplace("ZA", N_("South Africa"), "AE08WJ6YKNBMC", "EU", None),
    Marketplace("EG", N_("Egypt"), "ARBP9OOSHTCHU", "EU", None),
    Marketplace("SA", N_("Saudi Arabia"), "A17E79C6D8DWNP", "EU", None),
)

BY_CODE = {m.code: m for m in MARKETPLACES}
# Older sources say GB for the United Kingdom.
BY_CODE["GB"] = BY_CODE["UK"]


def get(code: str) -> Marketplace | None:
    return BY_CODE.get((code or "").upper())


def of(code: str) -> Marketplace:
    """The marketplace of a stored store (created only with a code of this table)."""
    market = get(code)
    if market is None:
        raise LookupError(f"{code!r} is no Amazon marketplace this version knows")
    return market


def enabled(config) -> list[Marketplace]:
    """The marketplaces a new store may choose, in table order."""
    wanted = {c.upper() for c in config["ASC_ENABLED_MARKETPLACES"]}
    overrides = config["ASC_AMAZON_SELLER_CENTRAL_URLS"]
    return [
        m for m in MARKETPLACES
        if m.code in wanted and (m.seller_central_url or m.code in overrides)
    ]


def seller_central_url(config, code: str) -> str:
    market = BY_CODE[code]
    url = config["ASC_AMAZON_SELLER_CENTRAL_URLS"].get(code) or market.seller_central_url
    if not url:
        raise LookupError(f"No Seller Central URL for {code}; set ASC_AMAZON_SELLER_CENTRAL_URLS")
    return url.rstrip("/")


def seller_central_bases(config, region: str) -> set[str]:
    """Every Seller Central base URL serving a region (the table's, and configured ones)."""
    overrides = config["ASC_AMAZON_SELLER_CENTRAL_URLS"]
    urls = {m.seller_central_url for m in MARKETPLACES if m.region == region}
    urls |= {url for code, url in overrides.items() if code in BY_CODE
             and BY_CODE[code].region == region}
    return {u.rstrip("/") for u in urls if u}


def spapi_endpoint(config, region: str) -> str:
    return (config["ASC_AMAZON_SPAPI_ENDPOINTS"].get(region) or SPAPI_ENDPOINTS[region]).rstrip("/")
