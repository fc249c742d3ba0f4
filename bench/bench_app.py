"""What the benchmark serves with gunicorn: the demo, plus a ceiling route.

The ceiling renders a comparable Jinja page (the demo layout and fifty card-like blocks) with no
database and no plugin code, so the plugin's pages can be read as a fraction of it.
"""

from flask import render_template_string, session

from asc_plugin.demo import create_app

app = create_app()

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
    """The same markup as 24 store cards, from constants: no database, no plugin code."""
    session.get("admin")
    return render_template_string(CEILING, items=range(24), token="x" * 91)
