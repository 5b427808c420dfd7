"""Issues: frequency by visit and by article, co-occurrence, and the evidence sentences of any issue."""
import streamlit as st

from core import figures as F
from pages import common

f = common.page_filters()
summary, by_visit, by_article, co = common.fetch(
    f, ("corpus_summary",), ("issue_by_visit",), ("issue_by_article",), ("issue_cooccurrence",))
ctx = common.context(f, summary)

st.title("Issues")
measure = st.segmented_control(
    "Measure", ["per_1k_words", "sentences"], default="per_1k_words", key="measure", bind="query-params",
    format_func={"per_1k_words": "Sentences per 1,000 words (fair across long and short texts)",
                 "sentences": "Sentences"}.get) or "per_1k_words"
common.show_chart("issues_by_visit", F.issue_matrix(by_visit, ctx, by="visit", measure=measure), by_visit,
                  click=[("issue", 1), ("visit", 2)])
common.evidence_panel(f, "is_visit", "issue_cell", list(by_visit[["issue", "visit"]].itertuples(index=False, name=None)),
                      lambda i, v: f"{common.issue_name(i)} in {common.visit_name(v)}", "cell")
common.show_chart("issues_by_article", F.issue_matrix(by_article, ctx, by="article", measure=measure), by_article,
                  click=("issue", 1))
titles = dict(zip(by_article["article_id"], by_article["title"]))
common.evidence_panel(f, "is_article", "issue_cell",
                      [(i, None, a) for i, a in by_article[["issue", "article_id"]].itertuples(index=False, name=None)],
                      lambda i, _, a: f"{common.issue_name(i)} in “{titles[a]}”", "cell")
common.show_chart("issue_cooccurrence", F.issue_cooccurrence(co, ctx), co, click=[("issue", 0), ("issue", 1)])
common.evidence_panel(f, "is_pair", "cooccurring_paragraphs",
                      list(co[["issue_a", "issue_b"]].itertuples(index=False, name=None)),
                      lambda a, b: f"{common.issue_name(a)} + {common.issue_name(b)}", "cell")
