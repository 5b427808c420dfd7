"""The Articles page's corrections: rename or merge a person, reassign a quote's speaker, set a
sentence's tone, and undo; each is written to the store's corrections log (core.corrections)."""
from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from core import corrections
from core.store.attached import attached_connection, writing
from core.errors import DiplotoneError
from core.paths import store_path
from core.reader import plain_markdown
from core.search.index import reindex
from core.store.db import Store
from pages import common


@st.cache_data(max_entries=32, show_spinner=False)
def _article(signature, article_id: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, set]:
    with attached_connection(signature[0]) as con:
        people = con.execute("SELECT canonical, side, mentions, quotes FROM persons WHERE article_id = ? "
                             "ORDER BY mentions DESC, canonical", [article_id]).df()
        quotes = con.execute("SELECT quote_idx, text, speaker FROM quotes WHERE article_id = ? ORDER BY quote_idx",
                             [article_id]).df()
        log = corrections.listing(con, article_id)
        return people, quotes, log, corrections.corrected_sentences(con, article_id)


def article_state(article_id: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, set]:
    """(people, quotes, corrections log, corrected sentence numbers) of an article."""
    return _article(common.store_signature(), article_id)


def _write(make) -> None:
    """Run make(con) -> changed article ids in one transaction, then re-index those articles."""
    try:
        with writing(store_path()), Store.open(store_path()) as store:
            with store.transaction() as con:
                changed = make(con)
            reindex(store_path(), store.con, changed)
    except DiplotoneError as exc:
        st.session_state["_fix_message"] = ("error", str(exc))
        return
    st.session_state["_fix_message"] = ("success", f"Saved; {len(changed)} article{'s' if len(changed) != 1 else ''} "
                                                   "updated in every chart.")


def _value(text) -> str:
    return "—" if text is None or (not isinstance(text, str) and pd.isna(text)) else str(json.loads(text))


def panel(article_id: str, sents: pd.DataFrame, everyone: list[str]) -> None:
    """The corrections expander of one article."""
    people, quotes, log, _ = article_state(article_id)
    with st.expander(f"Correct this article ({len(log)} correction{'s' if len(log) != 1 else ''})",
                     expanded=bool(st.session_state.get("_fix_message"))):
        kind, text = st.session_state.pop("_fix_message", (None, None))
        if kind:
            getattr(st, kind)(text)
        t_person, t_speaker, t_tone, t_log = st.tabs(["Person", "Quote speaker", "Sentence tone", "Log and undo"])
        with t_person, st.form(f"fix_person_{article_id}", border=False):
            name = st.selectbox("Person in this article", people["canonical"].tolist(), key="fx_p_old")
            new = st.selectbox("New name (pick a known person to merge, or type a new name)", everyone,
                               index=None, accept_new_options=True, key="fx_p_new")
            scope = st.radio("Where", ["In every article", "In this article only"], horizontal=True, key="fx_p_scope")
            if st.form_submit_button("Rename / merge", icon=":material/merge:") and name and new:
                aid = None if scope == "In every article" else article_id
                _write(lambda con: corrections.add(con, "person", subject=name, after=new, article_id=aid)[1])
                st.rerun()
        with t_speaker, st.form(f"fix_speaker_{article_id}", border=False):
            if quotes.empty:
                st.caption("No quotes in this article.")
            labels = {int(r.quote_idx): f"#{r.quote_idx} {r.speaker or 'no speaker'}: {str(r.text)[:90]}"
                      for r in quotes.itertuples()}
            quote = st.selectbox("Quote", list(labels), format_func=labels.get, key="fx_q_idx")
            who = st.selectbox("Speaker", ["(no speaker)", *everyone], accept_new_options=True, key="fx_q_new")
            if st.form_submit_button("Reassign speaker", icon=":material/record_voice_over:") and quote is not None:
                after = None if who == "(no speaker)" else who
                _write(lambda con: corrections.add(con, "speaker", article_id=article_id, item=quote, after=after)[1])
                st.rerun()
        with t_tone, st.form(f"fix_tone_{article_id}", border=False):
            texts = {int(r.sent_idx): f"#{r.sent_idx} ({r.tone:+.2f}) {str(r.text)[:100]}" for r in sents.itertuples()}
            sent = st.selectbox("Sentence", list(texts), format_func=texts.get, key="fx_t_idx")
            tone = st.slider("Tone (−1 hostile … +1 cooperative)", -1.0, 1.0, 0.0, 0.05, key="fx_t_val")
            if st.form_submit_button("Set tone", icon=":material/tune:") and sent is not None:
                _write(lambda con: corrections.add(con, "tone", article_id=article_id, item=sent, after=float(tone))[1])
                st.rerun()
        with t_log:
            if log.empty:
                st.caption("No corrections concern this article yet. `diplotone fix list` shows every correction.")
            for r in log.itertuples():
                c1, c2 = st.columns([6, 1], vertical_alignment="center")
                where = "every article" if r.article_id is None or pd.isna(r.article_id) else f"item {r.item}"
                c1.markdown(plain_markdown(f"#{r.id} {r.kind} ({where}): {_value(r.before)} → {_value(r.after)} · "
                                              f"{r.author}, {str(r.created_at)[:16]} · {r.status}"))
                if r.status != corrections.UNDONE and c2.button("Undo", key=f"undo_{r.id}", icon=":material/undo:"):
                    _write(lambda con, cid=int(r.id): corrections.undo(con, cid))
                    st.rerun()
