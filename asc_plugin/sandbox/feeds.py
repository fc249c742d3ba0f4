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
import secrets
import time
import uuid

from flask import Flask, Response, jsonify, request

from .data import SandboxState
from .listings import Api, accept, apply_patches, check_offer, error

QUEUE_SECONDS = 0.5
PROCESS_SECONDS = 1.0
URL_SECONDS = 300
MAX_MESSAGES = 25_000
OPERATIONS = ("UPDATE", "PARTIAL_UPDATE", "PATCH", "DELETE")


def register(app: Flask, state: SandboxState, csrf) -> None:
    api = Api(app, state)
    key = secrets.token_bytes(16)

    def signed(kind: str, document_id: str) -> str:
        expires = int(state.now() + URL_SECONDS)
        signature = hmac.new(key, f"{kind}:{document_id}:{expires}".encode(),
                             hashlib.sha256).hexdigest()[:32]
        return (f"{request.host_url}_sandbox/{kind}/{document_id}?X-Amz-Expires={expires}"
                f"&X-Amz-Signature={signature}")

    def url_problem(kind: str, document_id: str):
        try:
            expires = int(request.args.get("X-Amz-Expires", ""))
        except ValueError:
            expires = 0
        expected = hmac.new(key, f"{kind}:{document_id}:{expires}".encode(),
                            hashlib.sha256).hexdigest()[:32]
        if not hmac.compare_digest(expected, request.args.get("X-Amz-Signature", "")):
            return s3_error("SignatureDoesNotMatch", "The request signature we calculated does "
                            "not match the signature you provided.")
        if state.now() > expires:
            return s3_error("AccessDenied", "Request has expired")
        return None

    def operation_view(name, handler):
        def view(region, **kwargs):
            info = api.begin(region, "feeds", name)
            if not isinstance(info, dict):
                return api.finish(name, info, info)
            return api.finish(name, info, handler(info, **kwargs))
        view.__name__ = f"feeds_{name}"
        return view

    def create_document(info):
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not isinstance(body.get("contentType"), str):
            return error(400, "InvalidInput", "contentType is required.")
        document_id = f"amzn1.tortuga.4.na.{uuid.uuid4()}"
        with state.lock:
            state.offers.documents[document_id] = {
                "seller": info["seller_id"], "content_type": body["contentType"], "data": None,
                "kind": "input"}
        return jsonify({"feedDocumentId": document_id, "url": signed("uploads", document_id)}), \
            201

    def create_feed(info):
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return error(400, "InvalidInput", "Invalid input")
        if body.get("feedType") != "JSON_LISTINGS_FEED":
            return error(400, "InvalidInput", "This sandbox processes JSON_LISTINGS_FEED only.")
        markets = body.get("marketplaceIds")
        marketplace = api.marketplace(info, markets if isinstance(markets, list) else [])
        if not isinstance(marketplace, str):
            return marketplace
        with state.lock:
            document = state.offers.documents.get(str(body.get("inputFeedDocumentId")))
        if document is None or document["seller"] != info["seller_id"] or \
                document["data"] is None:
            return error(400, "InvalidInput", "inputFeedDocumentId is not an uploaded feed "
                         "document of this seller.")
        if not api.take(info, "JSON_LISTINGS_FEED"):
            return error(429, "QuotaExceeded", "You exceeded your quota for the requested "
                         "resource: JSON_LISTINGS_FEED allows 5 submissions per 5 minutes.")
        feed_id = str(50000000000 + len(state.offers.feeds) + 1)
        with state.lock:
            state.offers.feeds[feed_id] = {
                "seller": info["seller_id"], "marketplace": marketplace,
                "document": body["inputFeedDocumentId"], "created": time.time(),
                "created_sandbox": state.now(), "status": "IN_QUEUE", "result": None}
        return jsonify({"feedId": feed_id}), 202

    def get_feed(info, feed_id):
        with state.lock:
            feed = state.offers.feeds.get(feed_id)
        if feed is None or feed["seller"] != info["seller_id"]:
            return error(404, "NotFound", "The requested feed was not found.")
        advance(feed_id, feed)
        body = {"feedId": feed_id, "feedType": "JSON_LISTINGS_FEED",
                "marketplaceIds": [feed["marketplace"]],
                "createdTime": _iso(feed["created_sandbox"]),
                "processingStatus": feed["status"]}
        if feed["status"] in ("IN_PROGRESS", "DONE", "FATAL"):
            body["processingStartTime"] = _iso(feed["created_sandbox"] + QUEUE_SECONDS)
        if feed["status"] in ("DONE", "FATAL"):
            body["processingEndTime"] = _iso(feed["created_sandbox"] + QUEUE_SECONDS
                                             + PROCESS_SECONDS)
            body["resultFeedDocumentId"] = feed["result"]
        return jsonify(body)

    def get_document(info, document_id):
        with state.lock:
            document = state.offers.documents.get(document_id)
        if document is None or document["seller"] != info["seller_id"]:
            return error(404, "NotFound", "The requested feed document was not found.")
        body = {"feedDocumentId": document_id, "url": signed("downloads", document_id)}
        if document.get("gzip"):
            body["compressionAlgorithm"] = "GZIP"
        return jsonify(body)

    def advance(feed_id: str, feed: dict) -> None:
        """IN_QUEUE, IN_PROGRESS, then processed once (DONE or FATAL), by real time."""
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
        status, report = process(feed_id, feed, document)
        data = json.dumps(report).encode()
        zipped = state.offers.gzip_reports
        result_id = f"amzn1.tortuga.4.na.{uuid.uuid4()}"
        with state.lock:
            state.offers.documents[result_id] = {
                "seller": feed["seller"], "kind": "report", "gzip": zipped,
                "data": gzip.compress(data) if zipped else data,
                "content_type": "application/json"}
            feed["status"], feed["result"] = status, result_id

    def process(feed_id: str, feed: dict, document: dict) -> tuple[str, dict]:
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
        issues, accepted, seen, now = [], 0, set(), state.now()
        for message in messages:
            found = _message_issues(message, seen, feed["marketplace"])
            if not found:
                sku = message["sku"]
                if message["operationType"] == "DELETE":
                    with state.lock:
                        state.offers.listings.pop((feed["seller"], feed["marketplace"], sku),
                                                  None)
                elif message["operationType"] == "PATCH":
                    with state.lock:
                        record = state.offers.listings.get(
                            (feed["seller"], feed["marketplace"], sku))
                    found = _patch_issues(message, record, feed["marketplace"])
                    if not found:
                        _, attributes = apply_patches(record, message["patches"])
                        _, offer = check_offer({"productType": message["productType"],
                                                "attributes": attributes}, feed["marketplace"])
                        accept(state, feed["seller"], feed["marketplace"], sku, offer, now)
                else:
                    _, offer = check_offer(message, feed["marketplace"])
                    accept(state, feed["seller"], feed["marketplace"], sku, offer, now)
                accepted += 0 if found else 1
            issues += found
        return "DONE", _report(feed, feed_id, issues, len(messages), accepted)

    def _message_issues(message, seen: set, marketplace: str) -> list[dict]:
        message_id = message.get("messageId") if isinstance(message, dict) else None
        if not isinstance(message_id, int) or not 1 <= message_id < 2**31 or \
                message_id in seen:
            return [{"messageId": message_id if isinstance(message_id, int) else 0,
                     "code": "4000004", "severity": "ERROR",
                     "message": "messageId must be a unique integer from 1 to 2147483647."}]
        seen.add(message_id)
        sku = message.get("sku")
        operation = message.get("operationType")
        if not isinstance(sku, str) or not sku or operation not in OPERATIONS:
            return [{"messageId": message_id, "sku": str(sku)[:40], "code": "4000004",
                     "severity": "ERROR", "message": "sku and a valid operationType are "
                     "required."}]
        if operation in ("DELETE", "PATCH"):
            return []  # a PATCH is checked against the listing it patches
        if operation != "UPDATE":
            return [{"messageId": message_id, "sku": sku, "code": "4000004",
                     "severity": "ERROR", "message": "This sandbox applies UPDATE, PATCH and "
                     "DELETE messages only."}]
        problems, _offer = check_offer(message, marketplace)
        return [{"messageId": message_id, "sku": sku, "code": p["code"],
                 "severity": p["severity"], "message": p["message"],
                 **({"attributeName": p["attributeNames"][0]} if p.get("attributeNames")
                    else {})} for p in problems]

    def _patch_issues(message: dict, record: dict | None, marketplace: str) -> list[dict]:
        """A PATCH message's issues: Amazon's for a SKU it does not have, bad patches, or
        what the patched offer would break; [] when it applies."""
        message_id, sku = message["messageId"], message["sku"]
        if record is None:
            return [{"messageId": message_id, "sku": sku, "code": "4000005",
                     "severity": "ERROR", "message": f"SKU '{sku[:40]}' not found in "
                     f"marketplace {marketplace}; PATCH needs an existing listing."}]
        if not isinstance(message.get("productType"), str):
            return [{"messageId": message_id, "sku": sku, "code": "4000004",
                     "severity": "ERROR", "message": "productType is required."}]
        problem, attributes = apply_patches(record, message.get("patches"))
        if problem:
            return [{"messageId": message_id, "sku": sku, "code": "4000004",
                     "severity": "ERROR", "message": problem}]
        problems, _offer = check_offer({"productType": message["productType"],
                                        "attributes": attributes}, marketplace)
        return [{"messageId": message_id, "sku": sku, "code": p["code"],
                 "severity": p["severity"], "message": p["message"],
                 **({"attributeName": p["attributeNames"][0]} if p.get("attributeNames")
                    else {})} for p in problems]

    @app.put("/_sandbox/uploads/<document_id>")
    def feed_upload(document_id):
        """The pre-signed upload URL (Amazon's S3), for 5 minutes."""
        problem = url_problem("uploads", document_id)
        if problem is not None:
            return problem
        fault = api.fault("upload")
        if fault in ("500", "503"):
            return s3_error("InternalError", "We encountered an internal error.", int(fault))
        with state.lock:
            document = state.offers.documents.get(document_id)
            if document is None or document["kind"] != "input":
                return s3_error("NoSuchKey", "The specified key does not exist.", 404)
            document["data"] = request.get_data()[:50 * 1024 * 1024]
        return "", 200

    @app.get("/_sandbox/downloads/<document_id>")
    def feed_download(document_id):
        problem = url_problem("downloads", document_id)
        if problem is not None:
            return problem
        with state.lock:
            document = state.offers.documents.get(document_id)
        if document is None or document["data"] is None:
            return s3_error("NoSuchKey", "The specified key does not exist.", 404)
        return Response(document["data"], mimetype="application/octet-stream")

    app.add_url_rule("/spapi/<region>/feeds/2021-06-30/documents", view_func=operation_view(
        "createFeedDocument", create_document), methods=["POST"])
    app.add_url_rule("/spapi/<region>/feeds/2021-06-30/feeds", view_func=operation_view(
        "createFeed", create_feed), methods=["POST"])
    app.add_url_rule("/spapi/<region>/feeds/2021-06-30/feeds/<feed_id>", view_func=operation_view(
        "getFeed", get_feed))
    app.add_url_rule("/spapi/<region>/feeds/2021-06-30/documents/<document_id>",
                     view_func=operation_view("getFeedDocument", get_document))
    for name in ("feeds_createFeedDocument", "feeds_createFeed", "feed_upload"):
        csrf.exempt(app.view_functions[name])


def s3_error(code: str, message: str, status: int = 403):
    body = (f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code>'
            f"<Message>{message}</Message></Error>")
    return Response(body, status=status, mimetype="application/xml")


def _iso(epoch: float) -> str:
    from .listings import iso

    return iso(epoch)


def _report(feed: dict, feed_id: str, issues: list[dict], processed: int, accepted: int) -> dict:
    errors = sum(1 for i in issues if i["severity"] == "ERROR")
    return {"header": {"sellerId": feed["seller"], "version": "2.0", "feedId": feed_id},
            "issues": issues,
            "summary": {"errors": errors,
                        "warnings": sum(1 for i in issues if i["severity"] == "WARNING"),
                        "messagesProcessed": processed, "messagesAccepted": accepted,
                        "messagesInvalid": processed - accepted}}
