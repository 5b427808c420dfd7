"""The People page of the seed corpus reads each quote whole: the full sentence, the quote marked inside."""
from __future__ import annotations

import html
import re
from pathlib import Path

from streamlit.testing.v1 import AppTest


def test_people_page_of_the_seed_corpus_shows_no_fragment_quotes(seed_store, monkeypatch):
    monkeypatch.setenv("DIPLOTONE_STORE", str(seed_store))
    app = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "dashboard.py"), default_timeout=90)
    app.run()
    app.switch_page("pages/people.py")
    app.run()
    app.selectbox(key="quotes_of").set_value("Antony Blinken").run()
    assert not app.exception, app.exception
    body = next(str(el.proto.body) for el in app.get("html") if "dt-quotes" in str(el.proto.body))
    rows = [html.unescape(r) for r in re.findall(r'<div class="row"><div class="s">(.*?)</div>', body)]
    marked = [re.search(r"<mark>(.*?)</mark>", r)[1] for r in rows]
    # a reported clause is shown whole, its quoted words inside it, never cut at a quotation mark
    assert "He stressed that <mark>“decoupling or economic containment” was not a U.S. goal</mark>." in rows
    assert "On the contrary, it would be “disastrous,”" in marked
    assert not {"was not a U.S. goal", "On the contrary, it would be", "decoupling or economic containment"} & set(marked)
