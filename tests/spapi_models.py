"""The parts of Amazon's published SP-API models this project uses, as JSON Schema.

Transcribed by hand from ``amzn/selling-partner-api-models`` (Apache-2.0):
``models/catalog-items-api-model/catalogItems_2022-04-01.json`` (operation searchCatalogItems,
definitions ItemSearchResults, Pagination, Refinements, BrandRefinement,
ClassificationRefinement, Item, ItemIdentifiersByMarketplace, ItemIdentifier,
ItemSummaryByMarketplace, ErrorList, Error) and ``models/sellers-api-model/sellers.json``
(getMarketplaceParticipations: GetMarketplaceParticipationsResponse, MarketplaceParticipation,
Marketplace, Participation, ErrorList, Error) — required fields, types and enums as they stand
there. Amazon's SDK, generated from the same models, checks the same answers independently in
tests/test_spapi_sdk.py; these schemas add what it does not check.
"""

from __future__ import annotations

_ERROR = {"type": "object", "required": ["code", "message"],
          "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                         "details": {"type": "string"}}}
#: Catalog Items: ErrorList is an object holding the errors.
CATALOG_ERROR_LIST = {"type": "object", "required": ["errors"],
                      "properties": {"errors": {"type": "array", "items": _ERROR}}}

_ITEM_IDENTIFIER = {"type": "object", "required": ["identifierType", "identifier"],
                    "properties": {"identifierType": {"type": "string"},
                                   "identifier": {"type": "string"}}}
_SUMMARY = {"type": "object", "required": ["marketplaceId"], "properties": {
    "marketplaceId": {"type": "string"}, "adultProduct": {"type": "boolean"},
    "autographed": {"type": "boolean"}, "brand": {"type": "string"},
    "color": {"type": "string"}, "itemClassification": {"type": "string"},
    "itemName": {"type": "string"}, "manufacturer": {"type": "string"},
    "memorabilia": {"type": "boolean"}, "modelNumber": {"type": "string"},
    "packageQuantity": {"type": "integer"}, "partNumber": {"type": "string"},
    "releaseDate": {"type": "string"}, "size": {"type": "string"},
    "style": {"type": "string"}, "tradeInEligible": {"type": "boolean"},
    "websiteDisplayGroup": {"type": "string"}, "websiteDisplayGroupName": {"type": "string"}}}
_ITEM = {"type": "object", "required": ["asin"], "properties": {
    "asin": {"type": "string"},
    "identifiers": {"type": "array", "items": {
        "type": "object", "required": ["marketplaceId", "identifiers"],
        "properties": {"marketplaceId": {"type": "string"},
                       "identifiers": {"type": "array", "items": _ITEM_IDENTIFIER}}}},
    "summaries": {"type": "array", "items": _SUMMARY}}}
ITEM_SEARCH_RESULTS = {"type": "object", "required": ["numberOfResults", "items"], "properties": {
    "numberOfResults": {"type": "integer"},
    "pagination": {"type": "object", "properties": {"nextToken": {"type": "string"},
                                                    "previousToken": {"type": "string"}}},
    "refinements": {"type": "object", "required": ["brands", "classifications"], "properties": {
        "brands": {"type": "array", "items": {
            "type": "object", "required": ["numberOfResults", "brandName"],
            "properties": {"numberOfResults": {"type": "integer"},
                           "brandName": {"type": "string"}}}},
        "classifications": {"type": "array", "items": {
            "type": "object", "required": ["numberOfResults", "displayName", "classificationId"],
            "properties": {"numberOfResults": {"type": "integer"},
                           "displayName": {"type": "string"},
                           "classificationId": {"type": "string"}}}}}},
    "items": {"type": "array", "items": _ITEM}}}

#: searchCatalogItems' query parameters: name -> (required, max items, enum of each value).
SEARCH_CATALOG_ITEMS_PARAMETERS = {
    "identifiers": (False, 20, None),
    "identifiersType": (False, None, ("ASIN", "EAN", "GTIN", "ISBN", "JAN", "MINSAN", "SKU",
                                      "UPC")),
    "marketplaceIds": (True, 1, None),
    "includedData": (False, None, ("attributes", "classifications", "dimensions", "identifiers",
                                   "images", "productTypes", "relationships", "salesRanks",
                                   "summaries", "vendorDetails")),
    "locale": (False, None, None),
    "sellerId": (False, None, None),
    "keywords": (False, 20, None),
    "brandNames": (False, None, None),
    "classificationIds": (False, None, None),
    "pageSize": (False, None, None),  # integer, maximum 20
    "pageToken": (False, None, None),
    "keywordsLocale": (False, None, None),
}
#: Response statuses the operation documents.
SEARCH_CATALOG_ITEMS_RESPONSES = (200, 400, 403, 404, 413, 415, 429, 500, 503)

#: Sellers API: ErrorList is an array of Error; responses wrap it in "errors".
_MARKETPLACE = {"type": "object", "required": ["id", "name", "countryCode",
                                               "defaultCurrencyCode", "defaultLanguageCode",
                                               "domainName"],
                "properties": {k: {"type": "string"} for k in (
                    "id", "name", "countryCode", "defaultCurrencyCode", "defaultLanguageCode",
                    "domainName")}}
_PARTICIPATION = {"type": "object", "required": ["hasSuspendedListings", "isParticipating"],
                  "properties": {"isParticipating": {"type": "boolean"},
                                 "hasSuspendedListings": {"type": "boolean"}}}
GET_MARKETPLACE_PARTICIPATIONS_RESPONSE = {"type": "object", "properties": {
    "payload": {"type": "array", "items": {
        "type": "object", "required": ["marketplace", "participation", "storeName"],
        "properties": {"marketplace": _MARKETPLACE, "participation": _PARTICIPATION,
                       "storeName": {"type": "string"}}}},
    "errors": {"type": "array", "items": _ERROR}}}
GET_MARKETPLACE_PARTICIPATIONS_PARAMETERS: dict = {}  # the operation takes none
