"""The Articles page's corrections: rename, merge or delete a person, change a person's side, role or
official status, reassign a quote's speaker, set a sentence's tone, add or remove an issue on a
sentence, mark a line as boilerplate or body, undo, and promote a merge into seeds/actors.csv; each
is written to the store's corrections log (core.corrections). Forms clear after a save, so a second
click does not repeat a change on whatever the form then shows."""
from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from core import corrections
from core.model import SIDES
from core.store.attached import attached_connection, writing
from core.errors import DiplotoneError
from core.paths import store_path
from core.reader import plain_markdown
from core.search.index import reindex
from core.store.db import Store
from pages import common

_SCOPES = {"In every article": None, "In this article only": "article"}
_STATUS = {"official": True, "commentator": False}


@st.cache_data(max_entries=32, show_spinner=False)
def _article(signature, article_id: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, set]:
    with attached_connection(signature[0]) as con:
        people = con.execute("SELECT canonical, side, role, official, mentions, quotes FROM persons "
                             "WHERE article_id = ? ORDER BY mentions DESC, canonical", [article_id]).df()
        quotes = con.execute("SELECT quote_idx, text, speaker FROM quotes WHERE article_id = ? ORDER BY quote_idx",
                             [article_id]).df()
        log = corrections.listing(con, article_id)
        return people, quotes, log, corrections.corrected_sentences(con, article_id)


def article_state(article_id: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, set]:
    """(people, quotes, corrections log, corrected sentence numbers) of an article."""
    return _article(common.store_signature(), article_id)


def _write(make, saved: str | None = None) -> None:
    """Run make(con) -> changed article ids in one transaction, re-index those articles, and read
    again the articles whose lines were marked or unmarked."""
    from core.build import reparse_marked

    try:
        with writing(store_path()), Store.open(store_path()) as store:
            with store.transaction() as con:
                changed = make(con)
            reindex(store_path(), store.con, changed)
        with st.spinner("Reading the article again with the lines as marked…"):
            reparse_marked(store_path(), guard=lambda: writing(store_path()))
    except DiplotoneError as exc:
        st.session_state["_fix_message"] = ("error", str(exc))
        return
    st.session_state["_fix_message"] = ("success", saved or f"Saved; {len(changed)} article"
                                        f"{'s' if len(changed) != 1 else ''} updated in every chart.")


def _value(text) -> str:
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return "—"
    value = json.loads(text)
    if isinstance(value, dict):
        return ", ".join(f"{k} {v if v is not None else '—'}" for k, v in value.items())
    return str(value)


def _described(r) -> str:
    """One log line: what, where, before -> after, who and when, status."""
    everywhere = r.article_id is None or pd.isna(r.article_id)
    where = "every article" if everywhere else "this article" if r.kind in corrections.PERSON_KINDS else f"item {int(r.item)}"
    what = {"person": "person", "profile": f"profile of {r.subject}", "speaker": "speaker", "tone": "tone",
            "issue": f"issue {r.subject}", "line": "line"}.get(r.kind, r.kind)
    after = "deleted" if r.kind == "person" and _value(r.after) == "—" else _value(r.after)
    if r.kind == "issue":
        before, after = ("tagged" if _value(r.before) == "True" else "not tagged"), ("added" if after == "True" else "removed")
    elif r.kind == "line":
        before, after = (("boilerplate" if v == "True" else "body") for v in (_value(r.before), after))
    else:
        before = _value(r.before)
    return f"#{r.id} {what} ({where}): {before} → {after} · {r.author}, {str(r.created_at)[:16]} · {r.status}"


def panel(article_id: str, sents: pd.DataFrame, everyone: list[str], issues: dict[str, str]) -> None:
    """The corrections expander of one article. issues: issue id -> its name."""
    people, quotes, log, _ = article_state(article_id)
    with st.expander(f"Correct this article ({len(log)} correction{'s' if len(log) != 1 else ''})",
                     expanded=bool(st.session_state.get("_fix_message"))):
        kind, text = st.session_state.pop("_fix_message", (None, None))
        if kind:
            getattr(st, kind)(text)
        t_person, t_profile, t_speaker, t_sentence, t_line, t_log = st.tabs(
            ["Person", "Side, role, status", "Quote speaker", "Sentence tone and issues", "Lines", "Log and undo"])
        names = people["canonical"].tolist()
        with t_person, st.form(f"fix_person_{article_id}", border=False, clear_on_submit=True):
            name = st.selectbox("Person in this article", names, key="fx_p_old")
            new = st.selectbox("New name (pick a known person to merge, or type a new name)", everyone,
                               index=None, accept_new_options=True, key="fx_p_new")
            scope = st.radio("Where", list(_SCOPES), horizontal=True, key="fx_p_scope")
            c1, c2 = st.columns(2)
            rename = c1.form_submit_button("Rename / merge", icon=":material/merge:")
            delete = c2.form_submit_button("Delete: not a person", icon=":material/person_remove:")
            aid = article_id if _SCOPES[scope] else None
            if rename and name and new:
                _write(lambda con: corrections.add(con, "person", subject=name, after=new, article_id=aid)[1])
                st.rerun()
            if delete and name:
                _write(lambda con: corrections.add(con, "person", subject=name, after=None, article_id=aid)[1])
                st.rerun()
        with t_profile:
            common.text_table(people[["canonical", "side", "role", "official"]],
                              {"canonical": "Person", "official": st.column_config.CheckboxColumn("Official")})
        with t_profile, st.form(f"fix_profile_{article_id}", border=False, clear_on_submit=True):
            who = st.selectbox("Person in this article", names, key="fx_pr_name")
            side = st.selectbox("Side", list(SIDES), index=None, placeholder="unchanged", key="fx_pr_side")
            role = st.text_input("Role", placeholder="unchanged", key="fx_pr_role")
            status = st.radio("Speaks as", list(_STATUS), horizontal=True, index=None, key="fx_pr_status",
                              help="Official: speaks in office for a side. Commentator: an analyst, scholar or other voice.")
            scope = st.radio("Where", list(_SCOPES), horizontal=True, key="fx_pr_scope")
            if st.form_submit_button("Change", icon=":material/badge:") and who:
                fields = {k: v for k, v in {"side": side, "role": role.strip() or None,
                                            "official": _STATUS.get(status)}.items() if v is not None}
                if not fields:
                    st.session_state["_fix_message"] = ("info", "Nothing to change: pick a side, a role or a status.")
                else:
                    aid = article_id if _SCOPES[scope] else None
                    _write(lambda con: corrections.add(con, "profile", subject=who, after=fields, article_id=aid)[1])
                st.rerun()
        with t_speaker, st.form(f"fix_speaker_{article_id}", border=False, clear_on_submit=True):
            if quotes.empty:
                st.caption("No quotes in this article.")
            labels = {int(r.quote_idx): f"#{r.quote_idx} {r.speaker or 'no speaker'}: {str(r.text)[:90]}"
                      for r in quotes.itertuples()}
            quote = st.selectbox("Quote", list(labels), format_func=labels.get, key="fx_q_idx")
            speaker = st.selectbox("Speaker", ["(no speaker)", *everyone], accept_new_options=True, key="fx_q_new")
            if st.form_submit_button("Reassign speaker", icon=":material/record_voice_over:") and quote is not None:
                after = None if speaker == "(no speaker)" else speaker
                _write(lambda con: corrections.add(con, "speaker", article_id=article_id, item=quote, after=after)[1])
                st.rerun()
        with t_sentence, st.form(f"fix_sentence_{article_id}", border=False, clear_on_submit=True):
            texts = {int(r.sent_idx): f"#{r.sent_idx} ({r.tone:+.2f}) {str(r.text)[:100]}" for r in sents.itertuples()}
            sent = st.selectbox("Sentence", list(texts), format_func=texts.get, key="fx_t_idx")
            tone = st.slider("Tone (−1 hostile … +1 cooperative)", -1.0, 1.0, 0.0, 0.05, key="fx_t_val")
            issue = st.selectbox("Issue", list(issues), format_func=issues.get, index=None, key="fx_i_issue")
            c1, c2, c3 = st.columns(3)
            set_tone = c1.form_submit_button("Set tone", icon=":material/tune:")
            add_issue = c2.form_submit_button("Add issue", icon=":material/add:")
            drop_issue = c3.form_submit_button("Remove issue", icon=":material/remove:")
            if set_tone and sent is not None:
                _write(lambda con: corrections.add(con, "tone", article_id=article_id, item=sent, after=float(tone))[1])
                st.rerun()
            if (add_issue or drop_issue) and sent is not None and issue:
                _write(lambda con: corrections.add(con, "issue", article_id=article_id, item=sent, subject=issue,
                                                   after=bool(add_issue))[1])
                st.rerun()
        with t_line, st.form(f"fix_line_{article_id}", border=False, clear_on_submit=True):
            lines = common.fetch_plain("article_lines", article_id)
            lines = lines[lines["text"].fillna("").str.strip().ne("")]
            shown = {int(r.line_idx): f"#{r.line_idx} {'(removed: ' + str(r.reason) + ') ' if r.removed else ''}"
                                      f"{str(r.text)[:90]}" for r in lines.itertuples()}
            line = st.selectbox("Line of the original text", list(shown), format_func=shown.get, key="fx_l_idx")
            st.caption("The article is read again without or with the line (a few seconds); corrections on "
                       "its sentences that then no longer fit are kept and marked stale.")
            c1, c2 = st.columns(2)
            boiler = c1.form_submit_button("Boilerplate", icon=":material/block:")
            body = c2.form_submit_button("Body", icon=":material/article:")
            if (boiler or body) and line is not None:
                _write(lambda con: corrections.add(con, "line", article_id=article_id, item=line, after=bool(boiler))[1])
                st.rerun()
        with t_log:
            if log.empty:
                st.caption("No corrections concern this article yet. `diplotone fix list` shows every correction.")
            for r in log.itertuples():
                c1, c2, c3 = st.columns([6, 1, 1], vertical_alignment="center")
                c1.markdown(plain_markdown(_described(r)))
                if r.status != corrections.UNDONE and c2.button("Undo", key=f"undo_{r.id}", icon=":material/undo:"):
                    _write(lambda con, cid=int(r.id): corrections.undo(con, cid))
                    st.rerun()
                mergeable = (r.kind == "person" and r.status == corrections.APPLIED and _value(r.after) != "—"
                             and (r.article_id is None or pd.isna(r.article_id)))
                if mergeable and c3.button("To catalogue", key=f"promote_{r.id}", icon=":material/library_add:",
                                           help="Write this merge into seeds/actors.csv as an alias; the next "
                                                "build finds the name itself."):
                    _promote(int(r.id))
                    st.rerun()


def _promote(cid: int) -> None:
    try:
        with attached_connection(store_path()) as con:
            st.session_state["_fix_message"] = ("success", corrections.promote(con, cid))
    except DiplotoneError as exc:
        st.session_state["_fix_message"] = ("error", str(exc))
