"""The sandbox's Feeds API (2021-06-30) for JSON_LISTINGS_FEED, processed asynchronously.

``createFeedDocument`` answers a pre-signed upload URL (``/_sandbox/uploads/…``) that expires 5
minutes later on the sandbox's clock; ``createFeed`` queues the document; ``getFeed`` shows it
IN_QUEUE, then IN_PROGRESS, then DONE (or FATAL for a document that is not a feed) within
:data:`QUEUE_SECONDS` + :data:`PROCESS_SECONDS` of real time; the processing report (gzip unless
switched off) lists each message's issues, and every accepted message changes the listings the
Listings Items API shows. Rate limits and fault switches as in sandbox/listings.py;
JSON_LISTINGS_FEED also allows only 5 submissions per 5 minutes per seller and region, and
25,000 messages a feed.
"""

from __future__ import annotations

import gzip
import hashlib
import hmac
import json
import time
import uuid

from flask import Blueprint, Response, jsonify, request

from .guards import Answer, current_sandbox
from .listings import (
    accept,
    apply_patches,
    check_offer,
    error,
    iso,
    marketplace,
    operation,
    take,
    take_fault,
)

bp = Blueprint("feeds", __name__)

QUEUE_SECONDS = 0.5
PROCESS_SECONDS = 1.0
URL_SECONDS = 300
MAX_MESSAGES = 25_000
OPERATIONS = ("UPDATE", "PARTIAL_UPDATE", "PATCH", "DELETE")


# --- The pre-signed URLs (Amazon's S3) -----------------------------------------------------------

def _signature(kind: str, document_id: str, expires: int) -> str:
    return hmac.new(current_sandbox().url_key, f"{kind}:{document_id}:{expires}".encode(),
                    hashlib.sha256).hexdigest()[:32]


def _signed(kind: str, document_id: str) -> str:
    expires = int(current_sandbox().now() + URL_SECONDS)
    return (f"{request.host_url}_sandbox/{kind}/{document_id}?X-Amz-Expires={expires}"
            f"&X-Amz-Signature={_signature(kind, document_id, expires)}")


def _url_problem(kind: str, document_id: str) -> Response | None:
    try:
        expires = int(request.args.get("X-Amz-Expires", ""))
    except ValueError:
        expires = 0
    if not hmac.compare_digest(_signature(kind, document_id, expires),
                               request.args.get("X-Amz-Signature", "")):
        return s3_error("SignatureDoesNotMatch", "The request signature we calculated does "
                        "not match the signature you provided.")
    if current_sandbox().now() > expires:
        return s3_error("AccessDenied", "Request has expired")
    return None


@bp.put("/_sandbox/uploads/<document_id>")
def feed_upload(document_id: str) -> Answer:
    """The pre-signed upload URL (Amazon's S3), for 5 minutes."""
    problem = _url_problem("uploads", document_id)
    if problem is not None:
        return problem
    fault = take_fault("upload")
    if fault in ("500", "503"):
        return s3_error("InternalError", "We encountered an internal error.", int(fault))
    state = current_sandbox()
    with state.lock:
        document = state.offers.documents.get(document_id)
        if document is None or document["kind"] != "input":
            return s3_error("NoSuchKey", "The specified key does not exist.", 404)
        document["data"] = request.get_data()[:50 * 1024 * 1024]
    return "", 200


@bp.get("/_sandbox/downloads/<document_id>")
def feed_download(document_id: str) -> Answer:
    problem = _url_problem("downloads", document_id)
    if problem is not None:
        return problem
    state = current_sandbox()
    with state.lock:
        document = state.offers.documents.get(document_id)
    if document is None or document["data"] is None:
        return s3_error("NoSuchKey", "The specified key does not exist.", 404)
    return Response(document["data"], mimetype="application/octet-stream")


# --- The Feeds API's operations --------------------------------------------------------------

@bp.post("/spapi/<region>/feeds/2021-06-30/documents")
@operation("feeds", "createFeedDocument")
def create_feed_document(info: dict) -> Answer:
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("contentType"), str):
        return error(400, "InvalidInput", "contentType is required.")
    document_id = f"amzn1.tortuga.4.na.{uuid.uuid4()}"
    state = current_sandbox()
    with state.lock:
        state.offers.documents[document_id] = {
            "seller": info["seller_id"], "content_type": body["contentType"], "data": None,
            "kind": "input"}
    return jsonify({"feedDocumentId": document_id, "url": _signed("uploads", document_id)}), \
        201


@bp.post("/spapi/<region>/feeds/2021-06-30/feeds")
@operation("feeds", "createFeed")
def create_feed(info: dict) -> Answer:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return error(400, "InvalidInput", "Invalid input")
    if body.get("feedType") != "JSON_LISTINGS_FEED":
        return error(400, "InvalidInput", "This sandbox processes JSON_LISTINGS_FEED only.")
    markets = body.get("marketplaceIds")
    market = marketplace(info, markets if isinstance(markets, list) else [])
    if not isinstance(market, str):
        return market
    state = current_sandbox()
    with state.lock:
        document = state.offers.documents.get(str(body.get("inputFeedDocumentId")))
    if document is None or document["seller"] != info["seller_id"] or \
            document["data"] is None:
        return error(400, "InvalidInput", "inputFeedDocumentId is not an uploaded feed "
                     "document of this seller.")
    if not take(info, "JSON_LISTINGS_FEED"):
        return error(429, "QuotaExceeded", "You exceeded your quota for the requested "
                     "resource: JSON_LISTINGS_FEED allows 5 submissions per 5 minutes.")
    feed_id = str(50000000000 + len(state.offers.feeds) + 1)
    with state.lock:
        state.offers.feeds[feed_id] = {
            "seller": info["seller_id"], "marketplace": market,
            "document": body["inputFeedDocumentId"], "created": time.time(),
            "created_sandbox": state.now(), "status": "IN_QUEUE", "result": None}
    return jsonify({"feedId": feed_id}), 202


@bp.get("/spapi/<region>/feeds/2021-06-30/feeds/<feed_id>")
@operation("feeds", "getFeed")
def get_feed(info: dict, feed_id: str) -> Answer:
    feed = _callers(current_sandbox().offers.feeds, feed_id, info)
    if feed is None:
        return error(404, "NotFound", "The requested feed was not found.")
    _advance(feed_id, feed)
    body = {"feedId": feed_id, "feedType": "JSON_LISTINGS_FEED",
            "marketplaceIds": [feed["marketplace"]],
            "createdTime": iso(feed["created_sandbox"]),
            "processingStatus": feed["status"]}
    if feed["status"] in ("IN_PROGRESS", "DONE", "FATAL"):
        body["processingStartTime"] = iso(feed["created_sandbox"] + QUEUE_SECONDS)
    if feed["status"] in ("DONE", "FATAL"):
        body["processingEndTime"] = iso(feed["created_sandbox"] + QUEUE_SECONDS
                                        + PROCESS_SECONDS)
        body["resultFeedDocumentId"] = feed["result"]
    return jsonify(body)


@bp.get("/spapi/<region>/feeds/2021-06-30/documents/<document_id>")
@operation("feeds", "getFeedDocument")
def get_feed_document(info: dict, document_id: str) -> Answer:
    document = _callers(current_sandbox().offers.documents, document_id, info)
    if document is None:
        return error(404, "NotFound", "The requested feed document was not found.")
    body = {"feedDocumentId": document_id, "url": _signed("downloads", document_id)}
    if document.get("gzip"):
        body["compressionAlgorithm"] = "GZIP"
    return jsonify(body)


def _callers(records: dict, key: str, info: dict) -> dict | None:
    """The record (a feed, a document) if it belongs to the caller's seller."""
    with current_sandbox().lock:
        record = records.get(key)
    return record if record is not None and record["seller"] == info["seller_id"] else None


# --- Processing ------------------------------------------------------------------------------

def _advance(feed_id: str, feed: dict) -> None:
    """IN_QUEUE, IN_PROGRESS, then processed once (DONE or FATAL), by real time."""
    state = current_sandbox()
    elapsed = time.time() - feed["created"]
    with state.lock:
        if feed["status"] in ("DONE", "FATAL"):
            return
        if elapsed < QUEUE_SECONDS:
            return
        if elapsed < QUEUE_SECONDS + PROCESS_SECONDS:
            feed["status"] = "IN_PROGRESS"
            return
        document = state.offers.documents[feed["document"]]
    status, report = _process(feed_id, feed, document)
    data = json.dumps(report).encode()
    zipped = state.offers.gzip_reports
    result_id = f"amzn1.tortuga.4.na.{uuid.uuid4()}"
    with state.lock:
        state.offers.documents[result_id] = {
            "seller": feed["seller"], "kind": "report", "gzip": zipped,
            "data": gzip.compress(data) if zipped else data,
            "content_type": "application/json"}
        feed["status"], feed["result"] = status, result_id


def _process(feed_id: str, feed: dict, document: dict) -> tuple[str, dict]:
    try:
        content = json.loads(document["data"].decode("utf-8"))
        header, messages = content["header"], content["messages"]
        assert isinstance(header, dict) and isinstance(messages, list)
    except (ValueError, KeyError, TypeError, AssertionError, UnicodeDecodeError):
        return "FATAL", _report(feed, feed_id, [{
            "messageId": 0, "code": "4000003", "severity": "ERROR",
            "message": "The feed document is not valid JSON_LISTINGS_FEED JSON."}], 0, 0)
    if header.get("sellerId") != feed["seller"] or header.get("version") != "2.0" or \
            not 1 <= len(messages) <= MAX_MESSAGES:
        return "FATAL", _report(feed, feed_id, [{
            "messageId": 0, "code": "4000003", "severity": "ERROR",
            "message": "The feed header must name this seller and version 2.0, with 1 to "
                       "25,000 messages."}], 0, 0)
    issues: list[dict] = []
    seen: set[int] = set()
    accepted, now = 0, current_sandbox().now()
    for message in messages:
        found = _message_issues(message, seen, feed["marketplace"])
        if not found:
            found = _apply(feed, message, now)
            accepted += 0 if found else 1
        issues += found
    return "DONE", _report(feed, feed_id, issues, len(messages), accepted)


def _apply(feed: dict, message: dict, now: float) -> list[dict]:
    """Apply a well-formed message to the listings; the issues of a PATCH that cannot apply."""
    state = current_sandbox()
    key = (feed["seller"], feed["marketplace"], message["sku"])
    if message["operationType"] == "DELETE":
        with state.lock:
            state.offers.listings.pop(key, None)
        return []
    if message["operationType"] == "PATCH":
        with state.lock:
            record = state.offers.listings.get(key)
        found = _patch_issues(message, record, feed["marketplace"])
        if found or record is None:
            return found
        _, attributes = apply_patches(record, message["patches"])
        message = {"productType": message["productType"], "attributes": attributes}
    _, offer = check_offer(message, feed["marketplace"])
    if offer is not None:
        accept(state, *key, offer, now)
    return []


def _message_issues(message: object, seen: set[int], market: str) -> list[dict]:
    message_id = message.get("messageId") if isinstance(message, dict) else None
    if not isinstance(message, dict) or not isinstance(message_id, int) or \
            not 1 <= message_id < 2**31 or message_id in seen:
        return [{"messageId": message_id if isinstance(message_id, int) else 0,
                 "code": "4000004", "severity": "ERROR",
                 "message": "messageId must be a unique integer from 1 to 2147483647."}]
    seen.add(message_id)
    sku = message.get("sku")
    kind = message.get("operationType")
    if not isinstance(sku, str) or not sku or kind not in OPERATIONS:
        return [{"messageId": message_id, "sku": str(sku)[:40], "code": "4000004",
                 "severity": "ERROR", "message": "sku and a valid operationType are "
                 "required."}]
    if kind in ("DELETE", "PATCH"):
        return []  # a PATCH is checked against the listing it patches
    if kind != "UPDATE":
        return [{"messageId": message_id, "sku": sku, "code": "4000004",
                 "severity": "ERROR", "message": "This sandbox applies UPDATE, PATCH and "
                 "DELETE messages only."}]
    return _offer_issues(message_id, sku, message, market)


def _patch_issues(message: dict, record: dict | None, market: str) -> list[dict]:
    """A PATCH message's issues: Amazon's for a SKU it does not have, bad patches, or
    what the patched offer would break; [] when it applies."""
    message_id, sku = message["messageId"], message["sku"]
    if record is None:
        return [{"messageId": message_id, "sku": sku, "code": "4000005",
                 "severity": "ERROR", "message": f"SKU '{sku[:40]}' not found in "
                 f"marketplace {market}; PATCH needs an existing listing."}]
    if not isinstance(message.get("productType"), str):
        return [{"messageId": message_id, "sku": sku, "code": "4000004",
                 "severity": "ERROR", "message": "productType is required."}]
    problem, attributes = apply_patches(record, message.get("patches"))
    if problem:
        return [{"messageId": message_id, "sku": sku, "code": "4000004",
                 "severity": "ERROR", "message": problem}]
    return _offer_issues(message_id, sku, {"productType": message["productType"],
                                           "attributes": attributes}, market)


def _offer_issues(message_id: int, sku: str, offer: dict, market: str) -> list[dict]:
    """What the Listings Items API would say of this offer, as processing-report issues."""
    problems, _offer = check_offer(offer, market)
    return [{"messageId": message_id, "sku": sku, "code": p["code"],
             "severity": p["severity"], "message": p["message"],
             **({"attributeName": p["attributeNames"][0]} if p.get("attributeNames")
                else {})} for p in problems]


def s3_error(code: str, message: str, status: int = 403) -> Response:
    body = (f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code>'
            f"<Message>{message}</Message></Error>")
    return Response(body, status=status, mimetype="application/xml")


def _report(feed: dict, feed_id: str, issues: list[dict], processed: int, accepted: int) -> dict:
    errors = sum(1 for i in issues if i["severity"] == "ERROR")
    return {"header": {"sellerId": feed["seller"], "version": "2.0", "feedId": feed_id},
            "issues": issues,
            "summary": {"errors": errors,
                        "warnings": sum(1 for i in issues if i["severity"] == "WARNING"),
                        "messagesProcessed": processed, "messagesAccepted": accepted,
                        "messagesInvalid": processed - accepted}}
