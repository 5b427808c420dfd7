"""People: who is mentioned and who speaks by side, each person's quotes and tone, who appears with whom."""
import streamlit as st

from core import figures as F
from pages import common

f = common.page_filters()
summary, ppl, co = common.fetch(f, ("corpus_summary",), ("people",), ("person_cooccurrence",))
ctx = common.context(f, summary)

st.title("People")
common.show_chart("people", F.people(ppl, ctx), ppl, click=("person", None),
                  caption=f"{F.CORRECTED_MARK} after a name: that person's figures include an analyst's correction "
                          "(Articles page; the CSV's `corrected` column)." if ppl["corrected"].any() else None)
common.evidence_panel(f, "pp_person", "person", [(p,) for p in ppl["person"]], str, "person")

speakers = ppl[ppl["quotes"] > 0]["person"].tolist()
st.subheader("Quotes of one person")
if speakers:
    person = st.selectbox("Person", speakers, key="quotes_of", bind="query-params")
    (quotes,) = common.fetch(f, ("person_quotes", person))
    common.show_chart("person_quotes", F.person_quotes(quotes, ctx, person), quotes)
    recalled = quotes[quotes["recalled"]]
    undated = recalled["occasion"].isna().sum()
    st.caption(f"The chart's evidence: its {len(quotes)} quote{'s' if len(quotes) != 1 else ''}, one dot each"
               + (f", mean tone {quotes['tone'].mean():+.2f}" if quotes["tone"].notna().any() else "")
               + (f"; {len(recalled) - undated} recalled statement(s) (diamonds) placed at the month they recall"
                  if len(recalled) > undated else "")
               + (f"; {undated} recalled statement(s) left out: the text does not say when" if undated else "") + ".")
    st.html(common.quotes_html(quotes))
else:
    st.info("No quoted speaker in the current selection: widen the filters in the sidebar.")

common.show_chart("person_cooccurrence", F.person_cooccurrence(co, ctx), co, click=[("person", 0), ("person", 1)])
common.evidence_panel(f, "pp_pair", "person_pair", list(co[["person_a", "person_b"]].itertuples(index=False, name=None)),
                      lambda a, b: f"{a} + {b}", "cell")
