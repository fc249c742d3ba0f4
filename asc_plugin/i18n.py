"""The plugin's translations (English and Traditional Chinese), following the host's locale.

The plugin keeps its own catalog (domain ``asc_plugin``) so a host's catalogs are never touched.
If the host runs Flask-Babel, its locale selector decides; otherwise init_app sets Flask-Babel up
with ASC_LOCALE or the browser's Accept-Language. Messages missing from the plugin's catalog fall
back to the host's, so host templates rendered around plugin pages keep their translations.
"""

from __future__ import annotations

from pathlib import Path

from babel import support
from flask import current_app, g, has_app_context, has_request_context, request
from flask_babel import Babel, LazyString, get_locale
from flask_babel import get_translations as host_translations

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
DOMAIN = "asc_plugin"
#: Catalogs the plugin ships, by the locale they serve.
CATALOGS = ("en", "zh_Hant")
_TRADITIONAL_TERRITORIES = {"TW", "HK", "MO"}
#: The marker functions message extraction looks for (scripts/translations.py and the tests).
EXTRACT_KEYWORDS = {"_": None, "_l": None, "N_": None, "gettext": None, "lazy_gettext": None,
                    "ngettext": (1, 2)}
_cache: dict[tuple[str, int], support.Translations] = {}


def catalog_for(locale) -> str:
    """Which of our catalogs serves a Babel locale (zh-TW, zh-HK and zh-Hant get zh_Hant)."""
    if locale is None or locale.language != "zh":
        return "en"
    if locale.script == "Hant" or locale.territory in _TRADITIONAL_TERRITORIES:
        return "zh_Hant"
    return "en"


def select_locale() -> str:
    """Locale when the plugin, not the host, set Flask-Babel up."""
    forced = current_app.config.get("ASC_LOCALE")
    if forced:
        return forced
    if not has_request_context():
        return "en"
    # In the browser's order of preference, the first language we have a catalog for.
    for value, _quality in request.accept_languages:
        parts = value.replace("_", "-").lower().split("-")
        if parts[0] == "en":
            return "en"
        if parts[0] == "zh" and ({"hant", "tw", "hk", "mo"} & set(parts[1:])):
            return "zh_Hant"
    return "en"


def init_app(app) -> None:
    if "babel" not in app.extensions:
        Babel(app, locale_selector=select_locale)


def translations():
    """Our catalog for the current locale, falling back to the host's catalog.

    Looked up once per request (a page of cards asks hundreds of times).
    """
    if not has_app_context():
        return support.NullTranslations()
    try:
        locale = get_locale()
    except KeyError:  # no Flask-Babel on this app
        return support.NullTranslations()
    cached = g.get("_asc_translations")
    if cached is not None and cached[0] is locale:
        return cached[1]
    catalog = _catalog_for(locale)
    g._asc_translations = (locale, catalog)
    return catalog


def _catalog_for(locale):
    host = host_translations()
    key = (catalog_for(locale), id(host))
    catalog = _cache.get(key)
    if catalog is None:
        catalog = support.Translations.load(str(TRANSLATIONS), [key[0]], DOMAIN)
        if not isinstance(catalog, support.Translations):  # no .mo file: untranslated
            catalog = support.Translations()
        catalog.add_fallback(host)
        _cache[key] = catalog
    return catalog


def bound(catalog=None):
    """gettext and ngettext tied to one catalog, for one template render (no lookups per call)."""
    catalog = catalog or translations()

    def bound_gettext(string: str, **variables) -> str:
        text = catalog.ugettext(string)
        return text % variables if variables else text

    def bound_ngettext(singular: str, plural: str, num: int, **variables) -> str:
        variables.setdefault("num", num)
        return catalog.ungettext(singular, plural, num) % variables

    return bound_gettext, bound_ngettext


def date_formatters():
    """(day, date-and-time) formatters for one render, in the reader's locale and time zone.

    Flask-Babel's own helpers look the locale and zone up on every call; a page of cards makes
    dozens of calls, so they are looked up once here.
    """
    from babel import dates
    from flask_babel import get_timezone

    try:
        locale, zone = get_locale(), get_timezone()
    except KeyError:  # no Flask-Babel on this app
        return (lambda dt: dt.strftime("%Y-%m-%d"),
                lambda dt: dt.strftime("%Y-%m-%d %H:%M UTC"))

    def day(dt) -> str:
        return dates.format_date(dt.astimezone(zone), "medium", locale=locale)

    def when(dt) -> str:
        local = dt.astimezone(zone)
        return f"{dates.format_datetime(local, 'medium', tzinfo=zone, locale=locale)} {zone}"

    return day, when


def gettext(string: str, **variables) -> str:
    text = translations().ugettext(string)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    variables.setdefault("num", num)
    return translations().ungettext(singular, plural, num) % variables


def lazy_gettext(string: str, **variables) -> LazyString:
    """For module-level strings (form labels, messages) translated when they are shown."""
    return LazyString(gettext, string, **variables)


def N_(string: str) -> str:  # noqa: N802 - the conventional name extractors know
    """Marks a string for extraction; it is translated where it is shown."""
    return string


_ = gettext
_l = lazy_gettext
