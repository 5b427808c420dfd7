"""Diplotone's main door: `streamlit run dashboard.py`.

The entrypoint is the frame around every page: it makes sure a store exists (building the
seed corpus with a progress bar on first start), draws the one filter sidebar whose state lives
in the URL, and routes to the pages with st.navigation.
"""
from __future__ import annotations

import streamlit as st

from core.errors import DiplotoneError, OlderSchemaError
from core.paths import PROJECT_ROOT, store_path
from core.reader import plain_markdown
from core.store.db import Store
from core.store.attached import attached_connection, writing
from pages import common, workbench

# The icon is a file shipped with the app: a Material icon as page icon makes the browser fetch it
# from a font CDN (the product works offline), and an emoji makes Streamlit load its emoji
# catalogue (~0.3-0.6 s) on the first script run, on the path to the first chart.
st.set_page_config(page_title="Diplotone — US–China diplomacy coverage",
                   page_icon=str(PROJECT_ROOT / "assets" / "icon.png"), layout="wide")


def _store_ready() -> bool:
    path = store_path()
    if not path.exists():
        return False
    try:
        with attached_connection(path) as con:
            return con.execute("SELECT count(*) FROM articles").fetchone()[0] > 0
    except DiplotoneError as exc:
        if "empty" in str(exc):
            return False
        raise


def _upgrade_store() -> None:
    """A store from an older Diplotone: upgrade it in place (articles and edits are kept)."""
    with st.spinner(f"Upgrading the store {store_path()} to this version of Diplotone…"), writing(store_path()):
        Store.open(store_path()).close()
    st.cache_data.clear()


def ensure_store() -> None:
    """First start: process the seed corpus into the store, showing progress."""
    try:
        ready = st.session_state.get("_store_ok") or _store_ready()
    except OlderSchemaError:
        _upgrade_store()
        ready = _store_ready()
    if ready:
        st.session_state["_store_ok"] = True
        return
    from core.build import build

    st.title("Diplotone")
    st.info(f"First start: processing the seed articles into {plain_markdown(store_path())} …")
    bar = st.progress(0.0, text="Loading the language pipeline…")

    def on_progress(done: int, total: int) -> None:
        if total:
            bar.progress(done / total, text=f"Extracting articles: {done} of {total}")

    report = build(None, store_path(), progress=False, batch_size=1, on_progress=on_progress,
                   guard=lambda: writing(store_path()))
    bar.progress(1.0, text=report.summary())
    for error in report.errors:
        st.error(plain_markdown(str(error)))
    st.cache_data.clear()
    st.session_state["_store_ok"] = True
    st.rerun()


try:
    ensure_store()
    options = common.fetch_plain("filter_options")
except DiplotoneError as exc:
    st.error(plain_markdown(str(exc)))
    st.stop()

PAGES = [
    st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page("pages/issues.py", title="Issues", icon=":material/topic:"),
    st.Page("pages/people.py", title="People", icon=":material/groups:"),
    st.Page("pages/tone_shifts.py", title="Tone shifts", icon=":material/compare_arrows:"),
    st.Page("pages/search.py", title="Search", icon=":material/search:"),
    st.Page("pages/sources.py", title="Sources", icon=":material/newspaper:"),
    st.Page("pages/articles.py", title="Articles", icon=":material/article:"),
    st.Page("pages/corpus.py", title="Corpus", icon=":material/table_view:"),
]
page = st.navigation(PAGES)
workbench.sidebar()
st.session_state["filters"] = common.sidebar_filters(options)
common.url_notices()
try:
    page.run()
except DiplotoneError as exc:  # a store damaged or gone under a page: its message, not a traceback
    st.error(plain_markdown(str(exc)))
