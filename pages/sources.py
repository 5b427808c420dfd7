"""Sources and attention: how much coverage each kind of outlet gave, when (visits on the axis),
and which outlet types carry which issues and speakers; how each article's type was found."""
import streamlit as st

from core import figures as F
from pages import common, workbench

f = common.page_filters()
names = workbench.type_names()
colors = {names[t]: c for t, c in F.OUTLET_TYPE_COLORS.items() if t in names}

st.title("Sources and attention")
(summary,) = common.fetch(f, ("corpus_summary",))
ctx = common.context(f, summary)

c1, c2, c3 = st.columns(3)
measure = c1.segmented_control("Count", ["articles", "sentences"], default="articles", key="src_measure",
                                bind="query-params") or "articles"
unit = c2.segmented_control("Per", ["day", "week", "month"], default="week", key="src_unit", bind="query-params") or "week"
by = c3.segmented_control("By", ["outlet type", "outlet"], default="outlet type", key="src_by",
                          bind="query-params") or "outlet type"
column = "outlet_type" if by == "outlet type" else "outlet"
(vol,) = common.fetch(f, ("volume", unit, column))
shown = vol.assign(outlet_type=vol["outlet_type"].map(lambda t: names.get(t, t))) if column == "outlet_type" else vol
common.show_chart("volume", F.volume(shown, ctx, f"Coverage per {unit}, by {by}", measure, unit, column,
                                     colors if column == "outlet_type" else None), vol,
                  caption="Sentences: those the filters select (a search or an issue narrows them).")

issues, speakers = common.fetch(f, ("share_of_voice", "issue"), ("share_of_voice", "speaker"))
common.show_chart("share_issues", F.share_of_voice(issues, ctx, "issue", names), issues, click=("issue", 0))
common.show_chart("share_speakers", F.share_of_voice(speakers, ctx, "speaker", names), speakers,
                  click=("person", 0))

(arts,) = common.fetch(f, ("article_sources",))
unclassified = int((arts["outlet_type"] == "unclassified").sum())
with st.expander(f"How each article's outlet type was found ({unclassified} unclassified)",
                 expanded=bool(unclassified)):
    st.caption("From seeds/outlet_types.yaml: the outlet's name, else a pattern on the page (a dateline, a credit, "
               "the address). Add an outlet or a pattern there and run `diplotone build` to classify the rest.")
    common.text_table(arts.drop(columns=["article_id"]).assign(outlet_type=arts["outlet_type"].map(lambda t: names.get(t, t))),
                      {"pub_date": common.TABLE_COLUMNS["pub_date"]})
