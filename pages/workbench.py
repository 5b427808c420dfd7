"""The workbench's part of the sidebar (drawn before the filters, on every page): the search box,
the outlet-type filter, and the saved searches.

The box's text becomes the search in force (pages.common.SEARCH_KEY, a filter like the others,
in the URL as q=) only once it parses; a malformed search is shown with its message and the
search in force stays as it was. Saved searches are read from the store, one button each.
"""
from __future__ import annotations

import streamlit as st

from core.store.attached import attached_connection, writing
from core.errors import DiplotoneError
from core.paths import store_path
from core.search.results import delete_query, save_query, saved_queries
from core import sources
from core.search.syntax import QueryError, parse
from core.sources import TYPE_IDS, UNCLASSIFIED
from core.store.db import Store
from pages import common

BOX = "f_query_box"
OUTLET_TYPES = "f_otype"  # pages.common builds the Filters from it
HELP = ('Words (all must occur), "exact phrases", AND / OR / NOT (or -word), wildcards such as '
        'sanction*, person:"Wang Yi", speaker:Blinken, issue:trade. The search narrows every chart.')


@st.cache_data(max_entries=8, show_spinner=False)
def _saved(signature) -> list[tuple[str, str]]:
    with attached_connection(signature[0]) as con:
        df = saved_queries(con)
    return list(zip(df["name"], df["query"]))


def saved() -> list[tuple[str, str]]:
    """(name, query) of every saved search, by name."""
    return _saved(common.store_signature())


def _apply() -> None:
    text = st.session_state.get(BOX, "").strip()
    try:
        if text:
            parse(text)
    except QueryError as exc:
        st.session_state["_query_error"] = str(exc)
        return
    st.session_state["_query_error"] = None
    st.session_state[common.SEARCH_KEY] = text


def run_saved(query: str) -> None:
    """Put a saved search in the box and in force (a button callback, before the widgets are drawn)."""
    st.session_state[BOX] = query
    _apply()


def _init_from_url() -> None:
    if "_search_ready" in st.session_state:
        return
    known = {*TYPE_IDS, UNCLASSIFIED}
    st.session_state[OUTLET_TYPES] = [t for t in st.query_params.get_all("otype") if t in known]
    text = st.query_params.get("q", "").strip()
    st.session_state[BOX] = text
    try:
        st.session_state[common.SEARCH_KEY] = parse(text) and text if text else ""
    except QueryError:
        st.session_state[common.SEARCH_KEY] = ""  # pages.common reports the link's bad search
    st.session_state["_search_ready"] = True


@st.cache_data(show_spinner=False)
def type_names() -> dict[str, str]:
    """Outlet type id -> name from seeds/outlet_types.yaml (the fixed ids' own names if it is broken)."""
    try:
        return sources.type_names(sources.load_outlet_types())
    except DiplotoneError:
        return sources.type_names([])


def sidebar() -> None:
    """The search box, the outlet-type filter and the saved searches, at the top of the sidebar."""
    _init_from_url()
    sb = st.sidebar
    sb.text_input("Search sentences", key=BOX, on_change=_apply, help=HELP,
                  placeholder='sanction* OR "export controls"', icon=":material/search:")
    error = st.session_state.get("_query_error")
    if error:
        in_force = st.session_state.get(common.SEARCH_KEY)
        sb.error(f"{error} " + (f"Still searching for: {in_force}" if in_force else "No search applied."))
    names = type_names()
    sb.multiselect("Outlet type", list(names), key=OUTLET_TYPES, format_func=names.get, placeholder="All outlet types",
                   help="Wire, US media, Chinese state media, official readouts... from seeds/outlet_types.yaml.")
    try:
        searches = saved()
    except DiplotoneError as exc:
        sb.caption(f"Saved searches unavailable: {exc}")
        return
    if searches:
        with sb.expander(f"Saved searches ({len(searches)})", expanded=False):
            for name, query in searches:
                st.button(name, key=f"saved_{name}", help=query, on_click=run_saved, args=(query,),
                          width="stretch", icon=":material/bookmark:")


def save_current(name: str, query: str) -> None:
    """Save a search in the store under name (replacing one of that name)."""
    with writing(store_path()), Store.open(store_path()) as store:
        save_query(store.con, name, query)
    _saved.clear()


def delete_saved(name: str) -> None:
    with writing(store_path()), Store.open(store_path()) as store:
        delete_query(store.con, name)
    _saved.clear()
