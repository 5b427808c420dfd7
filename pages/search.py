"""Search: keyword-in-context lines of the search in force (best first), its counts over time,
saving it under a name; a click on a line opens the article with the match marked."""
import pandas as pd
import streamlit as st

from core import figures as F
from core.store.attached import attached_connection
from core.errors import DiplotoneError
from core.export import csv_text
from core.filters import to_query_params
from core.search import results
from pages import common, workbench

SHOWN = 200


@st.cache_data(max_entries=64, show_spinner=False)
def _search(signature, filters):
    with attached_connection(signature[0]) as con:
        lines, total = results.search(con, filters, limit=SHOWN)
        weekly = results.over_time(con, filters, "week")
    return lines, total, weekly


f = common.page_filters()
st.title("Search")
if not f.query:
    st.info("Type a search in the sidebar box. " + workbench.HELP, icon=":material/search:")
    st.markdown('Examples: `sanction*` · `"export controls" -tariffs` · `person:"Wang Yi" taiwan` · '
                '`issue:fentanyl OR fentanyl`')
    st.stop()

try:
    lines, total, weekly = _search(common.store_signature(), f)
except DiplotoneError as exc:
    st.error(str(exc))
    st.stop()

articles = int(weekly["articles"].sum()) if not weekly.empty else 0
st.markdown(f"**{total:,}** matching sentence{'s' if total != 1 else ''}"
            + (f"; the best {len(lines)} below, highest score first." if total > len(lines) else "."))
(summary,) = common.fetch(f, ("corpus_summary",))
ctx = common.context(f, summary)
common.show_chart("search_over_time", F.volume(weekly, ctx, "Sentences matching the search, per week",
                                               "sentences", "week"), weekly)

if lines.empty:
    st.warning("No sentence matches under the current filters.")
else:
    st.caption("Click a line to open its article with the match marked.")
    shown = lines[["left", "keyword", "right", "pub_date", "outlet", "speaker", "tone", "corrected", "title"]]
    event = st.dataframe(
        shown, hide_index=True, width="stretch", key="kwic", on_select="rerun", selection_mode="single-row",
        column_config=common.fitted_columns(shown, {
            "left": st.column_config.TextColumn("…", alignment="right", width="large"),
            "keyword": st.column_config.TextColumn("match", width="small"),
            "right": st.column_config.TextColumn("…", width="large"),
            "pub_date": common.TABLE_COLUMNS["pub_date"], "tone": st.column_config.NumberColumn(format="%+.2f"),
            "corrected": st.column_config.CheckboxColumn("✎", help="changed by an analyst's correction", width="small")}))
    rows = event.selection.rows if event else []
    if rows:
        hit = lines.iloc[rows[0]]
        st.session_state["article"] = hit["article_id"]
        st.session_state["ar_focus"] = (hit["article_id"], int(hit["sent_idx"]))
        st.switch_page("pages/articles.py", query_params={**to_query_params(f), "article": hit["article_id"]})
    st.download_button("CSV of these lines", csv_text(lines.drop(columns=["text"])),
                       file_name="search.csv", mime="text/csv", on_click="ignore", icon=":material/table:")

with st.form("save_search", clear_on_submit=True, border=False):
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    name = c1.text_input("Save this search as", placeholder="e.g. Sanctions talk")
    if c2.form_submit_button("Save search", icon=":material/bookmark_add:"):
        try:
            workbench.save_current(name, f.query)
            st.success(f"Saved “{name.strip()}”: it is listed under Saved searches in the sidebar.")
        except DiplotoneError as exc:
            st.error(str(exc))
