"""Issues: frequency by visit and by article, co-occurrence, and the evidence sentences of any issue."""
import streamlit as st

from core import figures as F
from views import common

f = st.session_state["filters"]
summary, by_visit, by_article, co, freq = common.fetch(
    f, ("corpus_summary",), ("issue_by_visit",), ("issue_by_article",), ("issue_cooccurrence",), ("issue_frequency",))
ctx = common.context(f, summary)

st.title("Issues")
measure = st.segmented_control(
    "Measure", ["per_1k_words", "sentences"], default="per_1k_words", key="is_measure",
    format_func={"per_1k_words": "Sentences per 1,000 words (fair across long and short texts)",
                 "sentences": "Sentences"}.get) or "per_1k_words"
common.show_chart("issues_by_visit", F.issue_matrix(by_visit, ctx, by="visit", measure=measure), by_visit)
common.show_chart("issues_by_article", F.issue_matrix(by_article, ctx, by="article", measure=measure), by_article)
common.show_chart("issue_cooccurrence", F.issue_cooccurrence(co, ctx), co)

st.subheader("Evidence sentences of an issue")
common.evidence(f, "any issue", "is_issue", freq["issue"].tolist(), "issue", common.issue_name)
