"""The Feeds API (2021-06-30) with JSON_LISTINGS_FEED: many offers in one submission.

Steps: ``createFeedDocument`` (a pre-signed upload URL valid for 5 minutes), an HTTP PUT of the
JSON to it, ``createFeed``, ``getFeed`` until DONE / FATAL / CANCELLED, then ``getFeedDocument``
for the processing report (gzip-compressed or not). A feed holds at most 25,000 messages.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from urllib.parse import quote

import requests
from flask import current_app

from . import spapi
from .spapi import Seller, text

BASE = "/feeds/2021-06-30"
CONTENT_TYPE = "application/json; charset=UTF-8"
FEED_TYPE = "JSON_LISTINGS_FEED"
MAX_MESSAGES = 25_000
FINAL = ("DONE", "FATAL", "CANCELLED")
STATUSES = ("IN_QUEUE", "IN_PROGRESS") + FINAL


@dataclass(frozen=True)
class Document:
    document_id: str
    url: str
    compression: str | None = None


@dataclass(frozen=True)
class Feed:
    feed_id: str
    status: str
    result_document_id: str | None


def document(seller: Seller, messages: list[dict], *, include_report_data: bool = False) -> dict:
    """A JSON_LISTINGS_FEED document for the seller (header and messages)."""
    if not 1 <= len(messages) <= MAX_MESSAGES:
        raise ValueError("a feed holds 1 to 25,000 messages")
    header: dict[str, object] = {"sellerId": seller.seller_id, "version": "2.0",
                                 "issueLocale": seller.issue_locale}
    if include_report_data:
        header["report"] = {"includedData": ["issues"]}
    return {"header": header, "messages": messages}


def create_document(seller: Seller) -> Document:
    answer = spapi.call("POST", seller, f"{BASE}/documents", body={"contentType": CONTENT_TYPE},
                        ok=(201, 200))
    return _document(answer)


def upload(url: str, content: dict) -> None:
    """PUT the feed to its pre-signed URL (no SP-API headers; same content type)."""
    data = json.dumps(content, separators=(",", ":")).encode("utf-8")
    try:
        response = requests.put(url, data=data, headers={"content-type": CONTENT_TYPE},
                                timeout=max(30, current_app.config["ASC_AMAZON_HTTP_TIMEOUT"]))
    except requests.RequestException:
        raise spapi.Unavailable() from None
    if response.status_code >= 500:
        raise spapi.Unavailable()
    if response.status_code not in (200, 201, 204):
        raise spapi.Rejected(spapi.Answer(response.status_code), [
            {"code": str(response.status_code), "message": response.text[:300]}])


def create_feed(seller: Seller, document_id: str) -> str:
    answer = spapi.call("POST", seller, f"{BASE}/feeds", ok=(202, 200), body={
        "feedType": FEED_TYPE, "marketplaceIds": [seller.marketplace_id],
        "inputFeedDocumentId": document_id})
    feed_id = text(answer.body.get("feedId"), 100)
    if not feed_id:
        raise spapi.Unavailable(answer.request_id)
    return feed_id


def get_feed(seller: Seller, feed_id: str) -> Feed:
    answer = spapi.call("GET", seller, f"{BASE}/feeds/{quote(feed_id, safe='')}")
    body = answer.body
    status = body.get("processingStatus")
    if status not in STATUSES:
        raise spapi.Unavailable(answer.request_id)
    return Feed(feed_id, status, text(body.get("resultFeedDocumentId"), 200))


def get_document(seller: Seller, document_id: str) -> Document:
    answer = spapi.call("GET", seller, f"{BASE}/documents/{quote(document_id, safe='')}")
    return _document(answer)


def download_report(doc: Document) -> dict:
    """The processing report, gunzipped when Amazon says so."""
    try:
        response = requests.get(doc.url, timeout=max(30, current_app.config[
            "ASC_AMAZON_HTTP_TIMEOUT"]))
    except requests.RequestException:
        raise spapi.Unavailable() from None
    if response.status_code != 200:
        raise spapi.Unavailable()
    raw = response.content
    try:
        if doc.compression == "GZIP":
            raw = gzip.decompress(raw)
        report = json.loads(raw.decode("utf-8"))
    except (OSError, EOFError, ValueError, UnicodeDecodeError):
        raise spapi.Unavailable() from None
    return report if isinstance(report, dict) else {}


def report_issues(report: dict) -> dict[int, list[dict]]:
    """messageId -> its issues (code, severity, message, attributeName) from a report."""
    found: dict[int, list[dict]] = {}
    for issue in report.get("issues") or ():
        if isinstance(issue, dict) and isinstance(issue.get("messageId"), int):
            found.setdefault(issue["messageId"], []).append({
                "code": text(str(issue.get("code", "")), 40) or "",
                "severity": issue.get("severity") if issue.get("severity") in (
                    "ERROR", "WARNING", "INFO") else "ERROR",
                "message": text(issue.get("message"), 1000) or "",
                "attribute_names": [text(issue.get("attributeName"), 100)]
                if text(issue.get("attributeName"), 100) else []})
    return found


def _document(answer: spapi.Answer) -> Document:
    body = answer.body
    doc_id, url = text(body.get("feedDocumentId"), 200), text(body.get("url"), 4000)
    if not doc_id or not url:
        raise spapi.Unavailable(answer.request_id)
    compression = "GZIP" if body.get("compressionAlgorithm") == "GZIP" else None
    return Document(doc_id, url, compression)
