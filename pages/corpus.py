"""Corpus: the article table with metadata, adding articles by upload, and editing metadata."""
import datetime as dt

import streamlit as st

from core.store.attached import writing
from core.catalogs import PUB_DATE_MIN, VISIT_IDS, pub_date_problem
from core.errors import DiplotoneError
from core.export import csv_text
from core.ingest.add import MAX_FILE_BYTES
from core.paths import store_path
from core.reader import plain_markdown
from core.store.db import Store
from pages import common

f = common.page_filters()
(table,) = common.fetch(f, ("article_table",))

st.title("Corpus")
st.caption(f"Store: {plain_markdown(store_path())}")
st.subheader(f"Articles in the selection ({len(table)})")
common.text_table(table.drop(columns=["article_id", "meta_source"]),
                  {"tone": st.column_config.NumberColumn(format="%+.2f"), "pub_date": common.TABLE_COLUMNS["pub_date"],
                   "date_confidence": st.column_config.NumberColumn("date conf.", format="%.2f")})
st.download_button("CSV", csv_text(table), file_name="articles.csv", mime="text/csv",
                   on_click="ignore", icon=":material/table:")
dups = common.fetch_plain("duplicates")
if not dups.empty:
    with st.expander(f"Duplicates recognised ({len(dups)}), excluded from every chart"):
        common.text_table(dups, {"pub_date": common.TABLE_COLUMNS["pub_date"]})

st.subheader("Add articles")
with st.form("upload", clear_on_submit=True):
    files = st.file_uploader("Text, Markdown or HTML files", type=["txt", "md", "html", "htm"],
                             accept_multiple_files=True, max_upload_size=MAX_FILE_BYTES // 2**20)
    submitted = st.form_submit_button("Add to the corpus", type="primary")
if submitted and files:
    from core.ingest.add import ingest_uploads

    with st.spinner(f"Extracting {len(files)} file(s)…"):
        try:
            # The write lock only around each short write: reading and extraction leave the other tabs free.
            report = ingest_uploads([(u.name, u.getvalue()) for u in files], store_path(),
                                    guard=lambda: writing(store_path()))
        except DiplotoneError as exc:
            st.error(plain_markdown(str(exc)))
        else:  # file names and messages as text: a file named [x](http://...) is not a link
            for line in report.lines():
                (st.error if line.startswith("Not added") else st.success)(plain_markdown(line))

st.subheader("Edit an article's metadata")
if table.empty:
    st.info("No article in the selection to edit.")
else:
    aid = st.selectbox("Article", table["article_id"].tolist(), key="co_edit",
                       format_func=dict(zip(table["article_id"], table["title"])).get)
    meta = common.fetch_plain("article_meta", aid).iloc[0]
    with st.form("edit_meta"):
        title = st.text_input("Title", meta["title"] or "")
        outlet = st.text_input("Outlet", meta["outlet"] or "")
        url = st.text_input("URL", meta["url"] or "")
        stored = meta["pub_date"].date() if str(meta["pub_date"]) != "NaT" else None
        if stored and pub_date_problem(stored):  # stored before dates were checked: show it, let it be fixed
            st.warning(f"The stored date {stored.isoformat()} {pub_date_problem(stored)}: set the right one.")
            stored = None
        pub = st.date_input("Publication date", stored, min_value=PUB_DATE_MIN, max_value=dt.date.today(),
                            format="YYYY-MM-DD")
        visit = st.selectbox("Visit", VISIT_IDS, index=VISIT_IDS.index(meta["visit"]) if meta["visit"] in VISIT_IDS else 0)
        st.caption("Empty fields go back to what the text says. Edits survive rebuilds.")
        if st.form_submit_button("Save metadata"):
            fields = {"title": title.strip(), "outlet": outlet.strip(), "url": url.strip(), "pub_date": pub,
                      "visit": visit}
            try:
                with writing(store_path()), Store.open(store_path()) as store:
                    store.set_user_meta(aid, fields)
            except DiplotoneError as exc:
                st.error(plain_markdown(str(exc)))
            else:
                st.success("Saved.")
