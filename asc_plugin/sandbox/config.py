"""The sandbox's app registration, and the plugin config that points a host at the sandbox."""

from __future__ import annotations

from ..marketplaces import MARKETPLACES

CLIENT_ID = "amzn1.application-oa2-client.sandbox0000000000000000000000"
CLIENT_SECRET = "amzn1.oa2-cs.v1.sandbox-client-secret-not-for-production"  # noqa: S105
APPLICATION_ID = "amzn1.sellerapps.app.0a0a0a0a-1b1b-2c2c-3d3d-4e4e4e4e4e4e"
APP_NAME = "Demo Shop Amazon Sales Channel"

REGION_PATHS = {"NA": "na", "EU": "eu", "FE": "fe"}


def seller_central_urls(base_url: str) -> dict[str, str]:
    """Country code -> the sandbox's Seller Central for that country's region."""
    base = base_url.rstrip("/")
    return {m.code: f"{base}/{REGION_PATHS[m.region]}" for m in MARKETPLACES}


def sandbox_config_for(base_url: str, *, draft: bool = True) -> dict:
    """ASC_* settings that point the plugin at a sandbox served at base_url."""
    base = base_url.rstrip("/")
    return {
        "ASC_AMAZON_CLIENT_ID": CLIENT_ID,
        "ASC_AMAZON_CLIENT_SECRET": CLIENT_SECRET,
        "ASC_AMAZON_APPLICATION_ID": APPLICATION_ID,
        "ASC_AMAZON_DRAFT_APP": draft,
        "ASC_AMAZON_SELLER_CENTRAL_URLS": seller_central_urls(base),
        "ASC_AMAZON_TOKEN_URL": f"{base}/auth/o2/token",
        "ASC_AMAZON_SPAPI_ENDPOINTS": {r: f"{base}/spapi/{p}" for r, p in REGION_PATHS.items()},
    }
