"""Articles: read one article with entities, issues and tone highlighted, its removed boilerplate,
and its metadata with the evidence for its date and visit."""
import json

import pandas as pd
import streamlit as st

from core import figures as F
from core.reader import article_html, plain_markdown, raw_lines_html
from core.search.results import highlight_spans
from pages import common, corrections_panel



def outlet_shown(outlet, credit) -> str:
    """A reprint names both: "Valley Courier-Times (credits Associated Press)"."""
    outlet = outlet if isinstance(outlet, str) and outlet else "unknown"
    return f"{outlet} (credits {credit})" if isinstance(credit, str) and credit else outlet


def metadata_table(meta: pd.Series) -> pd.DataFrame:
    """Each stored field with its value and where it came from (meta_source: user, page, inferred)."""
    source = json.loads(meta.get("meta_source") or "{}")
    shown = meta.drop(["meta_source", "user_meta"], errors="ignore")
    shown["visit"] = common.visit_name(shown["visit"]) if isinstance(shown.get("visit"), str) else shown.get("visit")
    return pd.DataFrame({"value": [common.cell_text(v) for v in shown.values],
                         "source": [source.get(k, "") for k in shown.index]}, index=shown.index)


def entity_table(ments: pd.DataFrame) -> pd.DataFrame:
    """One row per name as written (and what it resolved to), in order of first mention: a long
    article's mentions, one row each, made a table too long to read."""
    keys = ["canonical", "text", "label"]
    out = ments.fillna({k: "" for k in keys}).groupby(keys, sort=False).agg(
        side=("side", "first"), role=("role", "first"), mentions=("sent_idx", "size"),
        sentences=("sent_idx", lambda s: ", ".join(map(str, s.drop_duplicates()))), first=("sent_idx", "min"))
    return out.sort_values("first", kind="stable").drop(columns="first").reset_index()


f = common.page_filters()
(table,) = common.fetch(f, ("article_table",))

st.title("Articles")
if table.empty:
    st.warning("No article matches the current filters: widen them in the sidebar.")
    st.stop()
titles = dict(zip(table["article_id"], table["title"]))
dates = dict(zip(table["article_id"], table["pub_date"]))
aid = st.selectbox("Article", table["article_id"].tolist(), key="article", bind="query-params",
                   format_func=lambda a: f"{titles[a]} ({dates[a]:%d %b %Y})" if dates[a] is not None
                   and str(dates[a]) != "NaT" else titles[a])
meta = common.fetch_plain("article_meta", aid).iloc[0]
sents = common.fetch_plain("article_sentences", aid)
ments = common.fetch_plain("article_mentions", aid)
lines = common.fetch_plain("article_lines", aid)

st.subheader(plain_markdown(meta["title"]), anchor=False)
c = st.columns([1, 1, 3, 1])
c[0].metric("Outlet", plain_markdown(outlet_shown(meta["outlet"], meta["credit"])),  # metrics render markdown
            help="The publisher the page names; in brackets the wire or outlet it credits (a reprint).")
c[1].metric("Published", f"{meta['pub_date']:%d %b %Y}" if str(meta["pub_date"]) != "NaT" else "undated")
c[2].metric("Visit", plain_markdown(common.visit_name(meta["visit"], short=True)),
            help=plain_markdown(common.visit_name(meta["visit"])))
c[3].metric("Article tone", f"{meta['tone']:+.2f}" if meta["tone"] == meta["tone"] else "n/a")
clicked = st.session_state.get("ar_focus")
with st.expander("Metadata and its evidence", expanded=not (clicked and clicked[0] == aid)):
    st.markdown(f"**Date evidence** (confidence {meta['pub_date_confidence']:.2f}): "
                f"{plain_markdown(meta['date_evidence'] or '—')}")
    st.markdown(f"**Visit evidence**: {plain_markdown(meta['visit_evidence'] or '—')}")
    common.text_table(metadata_table(meta.drop(["date_evidence", "visit_evidence"])))

names = common.labels()[0]
corrections_panel.panel(aid, sents, common.fetch_plain("filter_options")["person"], names)
corrected = corrections_panel.article_state(aid)[3]

# Blank lines are layout, not boilerplate: only removed lines with text are counted.
removed = int((lines["removed"] & lines["text"].fillna("").str.strip().ne("")).sum()) if not lines.empty else 0
tab_read, tab_raw, tab_tone, tab_ent = st.tabs(["Reader", "Original text", "Tone by sentence", "Entities"],
                                               key="article_tab", bind="query-params")
marks, focus = {}, None
if f.query:
    marks = {int(r.sent_idx): spans for r in sents.itertuples() if (spans := highlight_spans(str(r.text), f.query))}
    focus = clicked[1] if clicked and clicked[0] == aid else None
with tab_read:
    st.caption("Shading: sentence tone (red hostile, green cooperative). Underlined: people "
               "(blue US, red China, grey other); dotted: organisations and places. Badges: issues; — speaker.")
    if f.query:
        st.caption(f"Search “{f.query}”: its words are marked in {len(marks)} sentence{'s' if len(marks) != 1 else ''}, "
                   "outlined in orange (those sentences are shown without entity underlines).")
    if focus is not None:
        st.info(f"The line you clicked: {plain_markdown(sents.loc[sents.sent_idx == focus, 'text'].iloc[0])}",
                icon=":material/search:")
    st.html(article_html(sents, ments, names, marks, focus, corrected))
with tab_raw:
    st.caption(f"Every line of the file as received; {removed} line{'s' if removed != 1 else ''} with text "
               "(greyed, struck through) were removed as "
               "boilerplate before analysis (the reason is given).")
    st.html(raw_lines_html(lines))
with tab_tone:
    ctx = common.context(f, pd.DataFrame([{"articles": 1, "outlets": 1, "first_date": meta["pub_date"],
                                           "last_date": meta["pub_date"]}]))
    common.show_chart("article_tone", F.article_sentence_tone(sents, ctx, meta["title"]),
                      sents[["sent_idx", "tone", "coop", "speaker", "side", "issues", "text"]])
with tab_ent:
    st.caption("Each name as written once, with the sentences it is in (numbered from 0, in reading order).")
    common.text_table(entity_table(ments), {"text": "as written", "label": "kind", "canonical": "person or name"})
