"""English and Traditional Chinese: every string marked, every string translated, locale rules."""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from flask import Flask
from flask_babel import Babel
from flask_sqlalchemy import SQLAlchemy

from asc_plugin import AmazonSalesChannel, BaseHost
from asc_plugin.i18n import EXTRACT_KEYWORDS, catalog_for

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "asc_plugin/translations/zh_Hant/LC_MESSAGES/asc_plugin.po"

def _methods():
    """What babel.cfg (the file the extract script uses) says to read."""
    with (ROOT / "babel.cfg").open() as config:
        methods, _options = parse_mapping_cfg(config)
    return methods


@functools.cache
def _extracted() -> frozenset:
    """Every marked message of the code and templates, extracted once per test run."""
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), _methods(), keywords=EXTRACT_KEYWORDS):
        found.add(message if isinstance(message, str) else tuple(message))
    return frozenset(found)


def _catalog():
    with PO.open("rb") as f:
        return read_po(f)


def test_every_marked_string_has_a_chinese_translation():
    catalog = _catalog()
    assert not catalog.fuzzy, "a fuzzy catalog header makes pybabel compile skip the catalog"
    translated = {m.id: m for m in catalog if m.id}
    missing = [m for m in _extracted() if m not in translated]
    assert missing == [], f"run scripts/translations.py extract + update: {missing[:5]}"
    for message in translated.values():
        assert not message.fuzzy, message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(s.strip() for s in strings), f"untranslated: {message.id!r}"
    stale = [m for m in translated if m not in _extracted()]
    assert stale == [], f"no longer used: {stale[:5]}"


def test_translations_keep_their_placeholders():
    problems = [(m.id, errors) for m, errors in _catalog().check() if errors]
    assert problems == []
    for message in _catalog():
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(re.findall(r"%\((\w+)\)", ids[-1]))
        for s in strings:
            assert set(re.findall(r"%\((\w+)\)", s)) == wanted, message.id


def test_terms_follow_the_seed_page():
    strings = {m.id: m.string for m in _catalog() if m.id}
    assert strings["Amazon Sales Channel"] == "Amazon銷售管道"
    assert strings["Pre-setup tasks"] == "預先設定工作"
    assert strings["Learning and Preparation"] == "學習與準備"
    assert strings["Store dashboard"] == "商店儀表板"
    assert (strings["Marketing"], strings["Channels"]) == ("行銷", "管道")
    assert "清單規則" in strings["Next step: create listing rules"]
    assert "商店卡片" in strings["Amazon's answer did not say which connection it belongs to. "
                             "Start again from the store card."]
    assert "商店卡片" in strings["There is no store to connect. Add an Amazon store first, then "
                             "connect it from its card."]
    assert all("存放區" not in (s if isinstance(s, str) else "".join(s))
               for s in strings.values())  # the seed's mistranslation of "store"


def test_traditional_chinese_follows_one_typography():
    """No space between Han and Latin text (as in the seed's Amazon銷售管道), full-width
    brackets, one word for a marketplace (站點), and 重新授權 for renewing an authorization."""
    han = "\u4e00-\u9fff"
    for message in _catalog():
        if not message.id:
            continue
        for text in (message.string if isinstance(message.string, tuple)
                     else (message.string,)):
            plain = re.sub(r"%\(\w+\)[sd]", "", text)
            assert not re.search(rf"[{han}] +[A-Za-z0-9%]|[A-Za-z0-9)] +[{han}]", text), text
            assert "(" not in plain and ")" not in plain, text
            assert "市場" not in text and "續約" not in text, text
    strings = {m.id: m.string for m in _catalog() if m.id}
    assert strings["Renew authorization"] == "重新授權"
    assert strings["Connected as %(shown)s (%(seller)s)."] == "已連線至%(shown)s（%(seller)s）。"
    assert "站點" in strings["Product ID on the Amazon market"]


_JINJA = re.compile(r"{#.*?#}|{%.*?%}|{{.*?}}", re.S)
_TAG = re.compile(r"<(script|style)\b.*?</\1>|<[^>]*>", re.S)


@pytest.mark.parametrize("template", sorted(
    p.relative_to(ROOT).as_posix() for p in [*ROOT.glob("templates/asc/*.html"),
                                            *ROOT.glob("templates/asc_sandbox/*.html")]))
def test_templates_have_no_unmarked_text(template):
    text = _JINJA.sub(" ", (ROOT / template).read_text())
    text = _TAG.sub(" ", text)
    words = re.findall(r"[A-Za-z][A-Za-z'’-]+", text)
    allowed = {"amazon", "seller", "central"}  # the sandbox's logo wordmark
    assert [w for w in words if w.lower() not in allowed] == []


def _string_constants_outside_calls(tree):
    """Yield (node, text) for str constants that are not docstrings or gettext arguments."""
    marked, skipped = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name in {"_", "_l", "N_", "gettext", "ngettext", "lazy_gettext", "warning",
                        "info", "debug", "error", "exception", "Namespace", "signal",
                        "add_url_rule", "get", "getlist", "setdefault", "startswith",
                        # Amazon's API bodies are English on the real Amazon too (protocol).
                        "_lwa_error", "_spapi_error", "urlencode", "AppGroup",
                        # Command-line help is for the operator, like the commands' docstrings.
                        "option"}:
                for arg in ast.walk(node):
                    marked.add(id(arg))
        if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Module)) and node.body and \
                isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant):
            skipped.add(id(node.body[0].value))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and \
                id(node) not in marked and id(node) not in skipped:
            yield node, node.value


# Modules whose strings reach merchants (extension.py's errors are for host developers).
USER_FACING = ["views", "services", "forms.py", "errors.py", "cli.py", "sandbox/app.py",
               "amazon"]
#: Sellers API error bodies the sandbox returns, in Amazon's own (English) words.
PROTOCOL = {"Access to requested resource is denied.",
            "You exceeded your quota for the requested resource.",
            "We encountered an internal error.",
            "Service temporarily unavailable.",
            "The access token you provided is revoked, malformed or invalid.",
            "The seller cancelled the authorization."}


def test_user_facing_python_has_no_unmarked_sentences():
    offenders = []
    for entry in USER_FACING:
        path = ROOT / "asc_plugin" / entry
        for file in ([path] if path.is_file() else sorted(path.glob("*.py"))):
            tree = ast.parse(file.read_text())
            for node, text in _string_constants_outside_calls(tree):
                # A sentence for people: starts with a capital, has words and ends like one.
                if re.fullmatch(r"[A-Z“][^\n]*[a-z][^\n]*[.!?:…]", text) and " " in text \
                        and text not in PROTOCOL:
                    offenders.append(f"{file.relative_to(ROOT)}:{node.lineno}: {text!r}")
    assert offenders == []


@pytest.mark.parametrize("header, expected", [
    ("zh-TW,zh;q=0.9,en;q=0.8", "zh-Hant"), ("zh-HK", "zh-Hant"), ("zh-Hant", "zh-Hant"),
    ("zh-CN,zh;q=0.9", "en"), ("en-US,en;q=0.9", "en"), ("fr", "en")])
def test_locale_follows_the_browser(admin, header, expected):
    html = admin.get("/admin/amazon/", headers={"Accept-Language": header}).text
    assert f'lang="{expected}"' in html
    assert ("還沒有Amazon商店" in html) is (expected == "zh-Hant")


def test_asc_locale_overrides_the_browser(make_app):
    app = make_app(ASC_LOCALE="zh_Hant")
    client = app.test_client()
    with client.session_transaction() as s:
        s["admin"] = "admin"
    html = client.get("/admin/amazon/", headers={"Accept-Language": "en"}).text
    assert "新增Amazon商店" in html


def test_a_host_babel_locale_selector_wins():
    class Host(BaseHost):
        def can_access(self):
            return True

    app = Flask(__name__)
    app.config.update(SECRET_KEY="k", SQLALCHEMY_DATABASE_URI="sqlite://", TESTING=True)
    Babel(app, locale_selector=lambda: "zh_TW")
    db = SQLAlchemy(app)
    AmazonSalesChannel(app, db=db, host=Host())
    with app.app_context():
        from asc_plugin.models import metadata

        metadata.create_all(db.engine)
    html = app.test_client().get("/admin/amazon/", headers={"Accept-Language": "en"}).text
    assert "還沒有Amazon商店" in html and 'lang="zh-Hant"' in html


def test_a_lazy_string_is_translated_where_it_is_shown_and_works_as_text():
    """Module-level labels: Babel's LazyProxy, uncached (each request's language), hashable
    (labels go in dicts and sets), markup for Jinja and WTForms, JSON for Flask."""
    from babel.support import LazyProxy
    from flask import json, render_template_string

    from asc_plugin.i18n import lazy_gettext

    label = lazy_gettext("Marketing")
    assert isinstance(label, LazyProxy)
    app = Flask(__name__)
    app.config.update(SECRET_KEY="k", SQLALCHEMY_DATABASE_URI="sqlite://", TESTING=True)
    AmazonSalesChannel(app, db=SQLAlchemy(app))
    shown = {}
    for language in ("en", "zh-TW", "en"):
        with app.test_request_context(headers={"Accept-Language": language}):
            shown[language] = (str(label), render_template_string("{{ l }}", l=label),
                               json.dumps({"l": label}), {label: 1}.get(str(label)),
                               label + "!", label == str(label))
    assert shown["en"] == ("Marketing", "Marketing", '{"l": "Marketing"}', 1, "Marketing!",
                           True)
    assert shown["zh-TW"] == ("行銷", "行銷", json.dumps({"l": "行銷"}), 1, "行銷!", True)


def test_catalog_choice_for_chinese_variants():
    from babel import Locale

    assert catalog_for(Locale.parse("zh_Hant_TW")) == "zh_Hant"
    assert catalog_for(Locale.parse("zh_TW")) == "zh_Hant"
    assert catalog_for(Locale.parse("zh_Hans_CN")) == "en"
    assert catalog_for(None) == "en"


def test_plurals_and_dates_in_both_languages(app, admin):
    from datetime import timedelta

    from helpers import add_store, store_named

    from asc_plugin.models import ConnectionState, Store, utcnow
    from asc_plugin.state import plugin_state

    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    with app.app_context():
        row = plugin_state().session.get(Store, store.id)
        row.connection_state = ConnectionState.CONNECTED
        row.seller_id = "A3FH4EXAMPLE"
        row.authorization_expires_at = utcnow() + timedelta(hours=23)
        row.created_at = row.created_at.replace(year=2026, month=3, day=4)
        plugin_state().session.commit()
    en = admin.get("/admin/amazon/", headers={"Accept-Language": "en"}).text
    zh = admin.get("/admin/amazon/", headers={"Accept-Language": "zh-TW"}).text
    assert "1 day left" in en and "1 days" not in en
    assert "剩餘1天" in zh
    assert "Mar 4, 2026" in en and "2026年3月4日" in zh
    assert "expires in 1 day." in en and "將在1天後到期" in zh


def test_traditional_chinese_says_one_word_per_idea_with_full_width_punctuation():
    """The seed's words (清單 listing, 產品 product, 目錄 catalog), never 刊登/上架/商品 beside
    them; 「」 quotes and full-width ，；： next to Chinese; no space after full-width
    punctuation."""
    han = "\u4e00-\u9fff"
    for message in _catalog():
        if not message.id:
            continue
        for text in (message.string if isinstance(message.string, tuple)
                     else (message.string,)):
            assert not re.search("刊登|上架|商品|型錄", text), text
            assert not re.search("[“”‘’\"]", text), text
            assert not re.search(rf"[{han}][,;:?!]|[,;:?!] *[{han}]", text), text
            assert not re.search(r"[。，、；：？！「」（）] ", text), text
            assert not re.search(r" [。，、；：？！「」（）]", text), text
    strings = {m.id: m.string for m in _catalog() if m.id}
    assert strings["Listing preview"] == "清單預覽"
    assert strings["Listing rules"] == "清單規則"
    assert strings["; "] == "；"
