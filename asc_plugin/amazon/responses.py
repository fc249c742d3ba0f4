"""Reading SP-API error bodies (``{"errors": [{"code", "message", "details"}]}``) safely.

Amazon answers a 403 in two ways with different owners: with details about the access token
("The access token you provided is revoked, malformed or invalid.") the seller's authorization
is at fault; with empty details, after a token Amazon has just issued, the app is refused the
API (a role it lacks): that is the operator's to fix.
"""

from __future__ import annotations


def errors(response) -> list[dict]:
    """The error objects of a response, or [] when the body is not Amazon's error list."""
    try:
        found = response.json()["errors"]
    except (ValueError, KeyError, TypeError):
        return []
    return [e for e in found if isinstance(e, dict)] if isinstance(found, list) else []


def about_the_token(response) -> bool:
    """Whether a 403 blames the access token (else: the app lacks a role)."""
    text = " ".join(f"{e.get('message', '')} {e.get('details', '')}" for e in errors(response))
    return "token" in text.lower()


def summary(response) -> str:
    """Codes and messages for the server log (Amazon's errors hold no secret)."""
    return "; ".join(f"{e.get('code', '')}: {e.get('message', '')}"[:300]
                     for e in errors(response)) or f"HTTP {response.status_code}"
