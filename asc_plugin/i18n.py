"""The plugin's translations (English, Traditional Chinese): its own catalog, read with Babel.

The plugin keeps its own catalog (domain ``asc_plugin``), loaded with Babel's
``babel.support.Translations``, and never configures the host's Babel: it installs no
``Babel()``, changes no ``BABEL_*`` key, and does not shadow the host's ``_``/``gettext`` in
templates (plugin templates call ``asc_gettext``/``asc_ngettext``). Flask-Babel is not a
dependency: installing it would switch a host's Flask-Admin to Flask-Babel, and that host's
``/admin/`` would fail until it set up ``Babel(app)``. When the host runs Flask-Babel, its locale
selector is followed.

Which catalog a message comes from:

1. ``ASC_LOCALE``, when the host sets it;
2. in a request, the host's Flask-Babel locale (its selector) when the host runs Flask-Babel,
   else the browser's ``Accept-Language``;
3. outside a request (CLI, cron, workers), the process's locale environment (``LANGUAGE``,
   ``LC_ALL``, ``LC_MESSAGES``, ``LANG``). The host's selector is never called there: selectors
   usually read ``request`` and would fail.

zh-TW, zh-HK, zh-MO and zh-Hant get the zh_Hant catalog; everything else gets English.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, cast

from babel import Locale, UnknownLocaleError, support
from babel.support import LazyProxy
from flask import current_app, g, has_app_context, has_request_context, request
from wtforms.i18n import get_builtin_gnu_translations

if TYPE_CHECKING:
    from flask import Request
    from werkzeug.local import LocalProxy

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
DOMAIN = "asc_plugin"
_TRADITIONAL_TERRITORIES = {"TW", "HK", "MO"}
#: The marker functions message extraction looks for (scripts/translations.py and the tests).
EXTRACT_KEYWORDS = {"_": None, "_l": None, "N_": None, "gettext": None, "lazy_gettext": None,
                    "ngettext": (1, 2), "asc_gettext": None, "asc_ngettext": (1, 2),
                    "asc_count": (1, 2)}
#: WTForms' own catalogs (its built-in validation messages), by our catalog.
_WTFORMS_LOCALES = {"en": "en", "zh_Hant": "zh_TW"}
_wtforms_cache: dict = {}


def catalog_for(locale: Locale | None) -> str:
    """Which of our catalogs serves a Babel locale."""
    if locale is None or locale.language != "zh":
        return "en"
    if locale.script == "Hant" or locale.territory in _TRADITIONAL_TERRITORIES:
        return "zh_Hant"
    return "en"


def _parse(value) -> Locale | None:
    if value is None:
        return None
    if isinstance(value, Locale):
        return value
    try:
        return Locale.parse(str(value).replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError):
        return None


def _from_accept_language() -> Locale | None:
    """The first language of the browser's, in its order of preference, that we have."""
    for value, _quality in request.accept_languages:
        locale = _parse(value)
        if locale is not None and (locale.language == "en" or catalog_for(locale) != "en"):
            return locale
    return None


def current_locale() -> Locale:
    """The locale plugin text is shown in now (see the module docstring for the order)."""
    if not has_app_context():
        return Locale("en")
    forced = _parse(current_app.config.get("ASC_LOCALE"))
    if forced is not None:
        return forced
    if has_request_context():
        cached = g.get("_asc_locale")
        if cached is None:
            if "babel" in current_app.extensions:
                from flask_babel import get_locale  # optional: Flask-Babel

                cached = get_locale()
            else:
                cached = _from_accept_language()
            cached = g._asc_locale = cached or Locale("en")
        return cached
    return process_locale() or Locale("en")


def process_locale() -> Locale | None:
    """The process's message locale from LANGUAGE, LC_ALL, LC_MESSAGES or LANG, as gettext reads
    them. LC_CTYPE is skipped: Python sets it to C.UTF-8 itself (locale coercion, PEP 538) when
    LANG names a locale the OS has not installed, which must not hide the LANG asked for."""
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if name == "LANGUAGE":
            value = value.split(":")[0]
        value = value.split(".")[0].split("@")[0]
        if value in ("C", "POSIX"):
            return Locale("en")
        if value:
            return _parse(value)
    return None


def current_catalog() -> str:
    return catalog_for(current_locale())


class LazyString(LazyProxy):
    """A message translated each time it is shown (module-level labels and messages).

    Babel's :class:`~babel.support.LazyProxy`, uncached (the locale changes with every request),
    with what the proxy lacks for our uses: a hash (labels and choices go in dicts and sets;
    LazyProxy defines ``__eq__`` only, which leaves it unhashable) and ``__html__``, through
    which Jinja and WTForms insert our own catalog's text as it is and Flask's JSON provider
    serialises it (it refuses a bare LazyProxy).
    """

    __slots__ = ()

    def __init__(self, string: str, variables: dict[str, object]) -> None:
        super().__init__(gettext, string, enable_cache=False, **variables)

    def __html__(self) -> str:
        return str(self)

    def __hash__(self) -> int:
        return hash(str(self))

    def __repr__(self) -> str:
        return f"l{str(self)!r}"


class PluginCatalog:
    """The plugin's catalog in the locale the module docstring chooses, in any host (with or
    without Flask-Babel) and in the CLI."""

    def __init__(self):
        self.cache: dict[str, support.NullTranslations] = {}

    def get_translations(self):
        if not has_app_context():
            return support.NullTranslations()
        if has_request_context():
            # A page asks hundreds of times (presenters, lazy labels): once per request is
            # enough, and never longer (the key is this very request and ASC_LOCALE).
            key = (cast("LocalProxy[Request]", request)._get_current_object(),
                   current_app.config.get("ASC_LOCALE"))
            cached = g.get("_asc_translations")
            if cached is not None and cached[0][0] is key[0] and cached[0][1] == key[1]:
                return cached[1]
            translations = self._load(current_catalog())
            g._asc_translations = (key, translations)
            return translations
        return self._load(current_catalog())

    def _load(self, catalog: str):
        translations = self.cache.get(catalog)
        if translations is None:
            translations = support.Translations.load(str(TRANSLATIONS), [catalog], DOMAIN)
            self.cache[catalog] = translations
        return translations

    def gettext(self, string: str, **variables) -> str:
        text = self.get_translations().ugettext(string)
        return grouped(text, variables) if variables else text

    def ngettext(self, singular: str, plural: str, num: int, **variables) -> str:
        variables.setdefault("num", num)
        return grouped(self.get_translations().ungettext(singular, plural, num), variables)


_INTEGER_FIELD = re.compile(r"%\((\w+)\)d")


def grouped(text: str, variables: dict) -> str:
    """``text % variables`` with every integer grouped the same way, in both languages
    (2,400, never 2400): a count reads alike in a banner, a log entry and a table."""
    numbers = {key for key, value in variables.items()
               if isinstance(value, int) and not isinstance(value, bool)}
    if numbers:
        text = _INTEGER_FIELD.sub(
            lambda m: f"%({m.group(1)})s" if m.group(1) in numbers else m.group(0), text)
        variables = {key: f"{value:,}" if key in numbers else value
                     for key, value in variables.items()}
    return text % variables


domain = PluginCatalog()


def gettext(string: str, **variables) -> str:
    return domain.gettext(string, **variables)


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    return domain.ngettext(singular, plural, num, **variables)


def lazy_gettext(string: str, **variables) -> LazyString:
    """For module-level strings (form labels, messages) translated when they are shown."""
    return LazyString(string, variables)


def N_(string: str) -> str:  # noqa: N802 - the conventional name extractors know
    """Marks a string for extraction; it is translated where it is shown."""
    return string


def bound():
    """(gettext, ngettext) tied to this request's catalog: a page of cards asks hundreds of
    times, so the catalog is looked up once per render."""
    catalog = domain.get_translations()

    def bound_gettext(string: str, **variables) -> str:
        text = catalog.ugettext(string)
        return grouped(text, variables) if variables else text

    def bound_ngettext(singular: str, plural: str, num: int, **variables) -> str:
        variables.setdefault("num", num)
        return grouped(catalog.ungettext(singular, plural, num), variables)

    return bound_gettext, bound_ngettext


def wtforms_translations():
    """WTForms' own catalog for our locale, so its built-in messages match the page."""
    catalog = current_catalog()
    translations = _wtforms_cache.get(catalog)
    if translations is None:
        translations = _wtforms_cache[catalog] = get_builtin_gnu_translations(
            [_WTFORMS_LOCALES[catalog]])
    return translations


def sentence_space() -> str:
    """Between two sentences: a space in English, none in Chinese (whose full-width
    punctuation carries its own spacing)."""
    return "" if current_catalog() == "zh_Hant" else " "


def sentences(*parts: str) -> str:
    """Sentences one after another, spaced as the reader's language spaces them."""
    return sentence_space().join(p for p in parts if p)


def html_lang() -> str:
    return "zh-Hant" if current_catalog() == "zh_Hant" else "en"


_ = gettext
_l = lazy_gettext
