"""What the benchmark serves with gunicorn: the demo, plus two ceiling routes.

The ceiling renders the home page's own markup (ceiling.html: the layout, summary, filters and
24 store cards) from plain objects, with no database and no plugin code, so the plugin's pages
can be read as a fraction of it. Its template is compiled once, as a Flask app's templates are.

The old ceiling (until November 2026) is kept to compare with the figures measured against it:
it renders thinner markup (33 KB against the home page's 57 KB) and, through
render_template_string, compiles its template on every request, which was four fifths of its
time.
"""

from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

from flask import render_template, render_template_string, session

from asc_plugin.demo import create_app

app = create_app()

PAGE = app.jinja_env.from_string((Path(__file__).parent / "ceiling.html").read_text("utf-8"))


def _cards() -> list[SimpleNamespace]:
    """24 stores as a bare app would hand them to its template: plain values, formatted."""
    cards = []
    for n in range(24):
        moment = datetime(2026, 11, 27, 5, 20, tzinfo=timezone.utc) + timedelta(minutes=n)
        cards.append(SimpleNamespace(
            id=50 - n, name=f"Bench store {49 - n:03d}", url=f"/admin/amazon/stores/{50 - n}",
            status="Incomplete", status_tone="warning", status_icon="!",
            connection="Not connected", connection_tone="warning", connection_icon="!",
            marketplace="United States · North America", website="Main Website",
            created_iso=moment.isoformat(), created_utc=moment.strftime("%Y-%m-%d %H:%M:%S UTC"),
            created="Nov 27, 2026", updated_iso=moment.isoformat(),
            updated_utc=moment.strftime("%Y-%m-%d %H:%M:%S UTC"), updated="Nov 27, 2026"))
    return cards


CARDS = _cards()

CEILING = """{% extends "asc_demo/base.html" %}{% block content %}
<nav><ul><li><a href="/a">Amazon Stores</a></li><li><a href="/b">Learning and Preparation</a></li>
<li><a href="/c">Attributes</a></li></ul></nav>
<div><h1>Amazon Stores</h1><p>Each Amazon store lists one of your websites in one Amazon
marketplace. Add a store, then connect it to your Amazon Seller Central account.</p>
<a href="/new">Add Amazon Store</a></div>
<ul class="cards">{% for i in items %}<li><article class="card" id="store-{{ i }}">
<header><h3 id="store-{{ i }}-name">{{ "Store %03d" % i }}</h3><span class="badge">Incomplete</span></header>
<dl><dt>Marketplace</dt><dd>United States · North America</dd><dt>Website</dt><dd>Main Website</dd>
<dt>Amazon</dt><dd><span class="badge">Not connected</span></dd>
<dt>Created</dt><dd><time datetime="2026-11-27T05:20:00+00:00">2026-11-27 05:20 UTC</time></dd>
<dt>Last updated</dt><dd><time datetime="2026-11-27T05:20:00+00:00">2026-11-27 05:20 UTC</time></dd></dl>
<div class="actions"><form method="post" action="/s/{{ i }}/connect" data-card="store-{{ i }}">
<input type="hidden" name="csrf_token" value="{{ token }}"><input type="hidden" name="new_tab" value="0">
<button type="submit">Connect store<span class="hidden"> {{ "Store %03d" % i }}</span></button></form>
<a href="/s/{{ i }}">View Store<span class="hidden"> {{ "Store %03d" % i }}</span></a>
<details><summary>Actions</summary><div><form method="post" action="/s/{{ i }}/deactivate">
<input type="hidden" name="csrf_token" value="{{ token }}"><input type="hidden" name="back" value="card">
<button type="submit">Deactivate</button></form><a href="/s/{{ i }}/delete">Delete…</a></div>
</details></div></article></li>{% endfor %}</ul>
<nav><span>Page 1 of 3</span><a href="/p/2">Next</a></nav>{% endblock %}"""


@app.get("/_bench/ceiling")
def ceiling():
    """The home page's markup with 24 store cards, from constants: no database, no plugin
    code."""
    session.get("admin")
    return render_template(PAGE, cards=CARDS, token="x" * 91, since=1796029229)


@app.get("/_bench/old-ceiling")
def old_ceiling():
    """The ceiling measured until November 2026 (see the module docstring)."""
    session.get("admin")
    return render_template_string(CEILING, items=range(24), token="x" * 91)
