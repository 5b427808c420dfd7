"""What every page shares: cached data access, the filter sidebar with its URL, chart rendering.

Pages stay thin: they call `fetch()` (core.store.queries results, cached by filter set and store
file state, the store attached read-only only for the time of a cache miss so an ingest can always write) and
`show_chart()` (the core.figures figure with PNG/SVG/CSV downloads and an evidence drill-down).
"""
from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from core import figures as F
from core import evidence as E
from core.store import queries as Q
from core.catalogs import ISSUE_IDS, VISIT_IDS
from core.export import catalogue_labels, csv_text, figure_image
from core.filters import Filters, from_query_params, to_query_params, typed_date
from core.model import SIDES
from core.paths import store_path
from core.reader import plain_markdown
from core.store.attached import attached_connection
from core.search.results import query_scope

SEARCH_KEY = "f_query"  # the search in force (pages.workbench draws and checks it)
WIDGETS = {"issue": "f_issue", "person": "f_person", "side": "f_side", "visit": "f_visit", "outlet": "f_outlet"}
# URL keys of the pages' own choices, which Streamlit binds to the URL itself (widgets with
# bind="query-params"; the key is the parameter): not filters, so no "unknown parameter" notice.
PAGE_KEYS = {"count_as", "measure", "from_visit", "to_visit", "drivers_issue", "drivers_side", "quotes_of",
             "article", "article_tab", "src_measure", "src_unit", "src_by"}


def page_key(key: str) -> bool:
    return key in PAGE_KEYS or key.startswith("ev_")


def page_filters() -> Filters:
    """The filters dashboard.py drew for this run.

    A `pages/` folder beside dashboard.py makes a fresh Streamlit server run its first request
    in the old folder-of-pages mode: a deep link (/people?issue=taiwan) then runs the page alone,
    without dashboard.py and its st.navigation. The page switches the server to st.navigation
    (what a st.navigation call itself does, on the same flag) and reruns, so the link opens the
    shared view; tests/test_browser_views.py checks it on a fresh server."""
    if "filters" not in st.session_state:
        from streamlit.runtime.pages_manager import PagesManager

        PagesManager.uses_pages_directory = False
        st.rerun()
    return st.session_state["filters"]


def store_signature() -> tuple[str, int, int]:
    """(path, mtime, size) of the store and its WAL: changes whenever a writer commits."""
    path = store_path()
    stamp = [path.stat().st_mtime_ns, path.stat().st_size] if path.exists() else [0, 0]
    wal = Path(str(path) + ".wal")
    if wal.exists():
        stamp[0] += wal.stat().st_mtime_ns
        stamp[1] += wal.stat().st_size
    return str(path), stamp[0], stamp[1]


@st.cache_data(max_entries=512, show_spinner=False)
def _run_queries(signature, filters: Filters, calls: tuple) -> list:
    with attached_connection(signature[0]) as con, query_scope(con, filters):
        return [getattr(Q, name)(con, filters, *args) for name, *args in calls]


def fetch(filters: Filters, *calls) -> list[pd.DataFrame]:
    """Results of core.store.queries calls, e.g. fetch(f, ("people",), ("person_quotes", "Wang Yi")).

    All calls of one page share one read-only attachment of the store (core.store.attached); results are
    cached per (store state, filters)."""
    return _run_queries(store_signature(), filters, tuple(tuple(c) for c in calls))


@st.cache_data(max_entries=64, show_spinner=False)
def _run_article(signature, name: str, *args):
    with attached_connection(signature[0]) as con:
        return getattr(Q, name)(con, *args)


def fetch_plain(name: str, *args):
    """A core.store.queries call that takes no filters (article detail, options), cached by store state."""
    return _run_article(store_signature(), name, *args)


@st.cache_data(show_spinner=False)
def labels() -> tuple[dict, tuple]:
    return catalogue_labels()


def issue_name(issue_id: str) -> str:
    return labels()[0].get(issue_id) or issue_id.replace("_", " ").capitalize()


def visit_name(visit_id: str, short: bool = False) -> str:
    """The catalogue's readable name of a visit ("Blinken in Beijing (Jun 2023)"); ids stay in URLs and CSVs."""
    return F.visit_label(labels()[1], visit_id, short)


# --- filters ----------------------------------------------------------------------------------

def _known(options: dict) -> dict:
    return {"person": options["person"], "outlet": options["outlet"]}


def init_filters_from_url(options: dict) -> None:
    """On a session's first run, set the sidebar widgets from the URL (a shared link)."""
    if st.session_state.get("_filters_ready"):
        return
    params = {k: st.query_params.get_all(k) for k in st.query_params.keys() if not page_key(k)}
    filters, notices = from_query_params(params, _known(options))
    for key, attr in (("issue", "issues"), ("person", "persons"), ("side", "sides"),
                      ("visit", "visits"), ("outlet", "outlets")):
        st.session_state[WIDGETS[key]] = list(getattr(filters, attr))
    st.session_state["f_from"] = filters.date_from.isoformat() if filters.date_from else ""
    st.session_state["f_to"] = filters.date_to.isoformat() if filters.date_to else ""
    st.session_state["_url_notices"] = notices
    st.session_state["_filters_ready"] = True


# Nothing is cut: Streamlit ends a metric value and a multiselect chip that do not fit with "…" (the
# chip with a tooltip); here they wrap onto another line (tests/test_browser_views.py looks for cut text on every page).
NO_CUT_STYLE = """<style>
[data-testid="stMetricValue"], [data-testid="stMetricValue"] * {white-space:normal !important;
 overflow:visible !important; text-overflow:clip !important; overflow-wrap:anywhere}
[data-testid="stMetricValue"] {font-size:1.6rem; line-height:1.25}
[data-testid="stMultiSelectTagsContainer"] [data-tag] {height:auto !important; white-space:normal !important}
[data-testid="stMultiSelectTagsContainer"] [data-tag] > span {white-space:normal !important; overflow:visible !important;
 text-overflow:clip !important}
</style>"""


def sidebar_filters(options: dict) -> Filters:
    """The one filter set for every page, drawn in the sidebar and mirrored into the URL."""
    init_filters_from_url(options)
    st.html(NO_CUT_STYLE)
    sb = st.sidebar
    sb.header("Filters")
    sb.multiselect("Issue", ISSUE_IDS, key=WIDGETS["issue"], format_func=issue_name,
                   placeholder="All issues")
    sb.multiselect("Person", options["person"], key=WIDGETS["person"], placeholder="All people")
    sb.multiselect("Side", SIDES, key=WIDGETS["side"], placeholder="All sides",
                   help="Narrows tone and people to the words and people of that side.")
    sb.multiselect("Visit", VISIT_IDS, key=WIDGETS["visit"], placeholder="All visits",
                   format_func=lambda v: f"{visit_name(v)} ({options['visit_counts'].get(v, 0)})")
    sb.multiselect("Outlet", options["outlet"], key=WIDGETS["outlet"], placeholder="All outlets")
    lo, hi = options["date_min"], options["date_max"]
    c1, c2 = sb.columns(2)
    # Text boxes, not date pickers: a typed date applies on Enter (the picker's segments applied only
    # on blur and showed "2023 - 0" for a half-typed date); 2023-06 and 2023 are accepted too.
    c1.text_input("From", key="f_from", placeholder="YYYY-MM-DD")
    c2.text_input("To", key="f_to", placeholder="YYYY-MM-DD")
    if lo and hi:
        sb.caption(f"Articles are dated {lo:%d %b %Y} – {hi:%d %b %Y}.")
    date_from, date_to = _typed(sb, "f_from"), _typed(sb, "f_to", end=True)
    # A callback: it runs before the next run draws the widgets, the only time their state may be set.
    sb.button("Clear filters", width="stretch", on_click=clear_filters)
    ss = st.session_state
    filters = Filters(issues=ss[WIDGETS["issue"]], persons=ss[WIDGETS["person"]], sides=ss[WIDGETS["side"]],
                      visits=ss[WIDGETS["visit"]], outlets=ss[WIDGETS["outlet"]],
                      date_from=date_from, date_to=date_to,
                      query=ss.get(SEARCH_KEY, ""), outlet_types=ss.get("f_otype", ()))  # pages.workbench
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        sb.warning("'From' is after 'To': the date range is ignored.")
        filters = filters.replace(date_from=None, date_to=None)
    sb.download_button("Download briefing", lambda: _briefing(filters), file_name=briefing_name(filters),
                       mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
                       on_click="ignore", icon=":material/slideshow:", width="stretch",
                       help="A PowerPoint of this view: every chart with a one-line reading, quotes, methods.")
    write_url(filters)
    return filters


def _briefing(filters: Filters) -> bytes:
    from core.briefing import briefing

    return briefing(store_path(), filters)


def briefing_name(filters: Filters) -> str:
    """briefing-taiwan-2024-01-01.pptx: the file named by the view's filters."""
    parts = [v for k, vs in to_query_params(filters).items() for v in vs]
    stem = "-".join(["briefing", *parts])[:80]
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in stem) + ".pptx"


def _typed(sb, key: str, end: bool = False) -> dt.date | None:
    """The date typed in a sidebar box; a clear warning (and no date) when it is not one."""
    try:
        return typed_date(st.session_state.get(key), end)
    except ValueError as exc:
        sb.warning(f"{'From' if key == 'f_from' else 'To'}: {exc} It is ignored.")
        return None


def write_url(filters: Filters) -> None:
    """Mirror the filters into the URL (page changes keep them; a copied link reopens the view). The
    pages' own choices are bound to the URL by Streamlit (PAGE_KEYS) and left alone here."""
    wanted = to_query_params(filters)
    current = {k: st.query_params.get_all(k) for k in st.query_params.keys() if not page_key(k)}
    if current != wanted:
        for key in set(current) - set(wanted):
            del st.query_params[key]
        for key, values in wanted.items():
            st.query_params[key] = values


def clear_filters() -> None:
    for key in WIDGETS.values():
        st.session_state[key] = []
    st.session_state["f_from"] = ""
    st.session_state["f_to"] = ""
    st.session_state[SEARCH_KEY] = st.session_state["f_query_box"] = ""
    st.session_state["f_otype"] = []


def url_notices() -> None:
    for notice in st.session_state.get("_url_notices", []):
        st.warning(plain_markdown(notice), icon=":material/link:")  # it quotes the URL: text, not markdown


# --- charts -----------------------------------------------------------------------------------

def context(filters: Filters, summary: pd.DataFrame) -> F.ChartContext:
    names, visits = labels()
    s = summary.iloc[0]
    return F.ChartContext(filters=filters, articles=int(s["articles"]), outlets=int(s.get("outlets", 0) or 0),
                          first_date=s.get("first_date"), last_date=s.get("last_date"), issue_names=names, visits=visits)


def modebar(name: str) -> dict:
    """Plotly config: the camera button saves a 2x PNG named after the chart."""
    return {"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 2, "filename": name},
            "modeBarButtonsToRemove": ["lasso2d", "select2d"]}


CLICK_STYLE = """<style>[class*="st-key-click_"] .nsewdrag, [class*="st-key-click_"] .point,
[class*="st-key-click_"] .points path {cursor: pointer !important}</style>"""
CHIP_NAMES = {"issue": lambda v: issue_name(v), "visit": lambda v: visit_name(v)}


def toggle_filter(key: str, value: str) -> None:
    """A click on a chart mark: add its value to the sidebar filter, or remove it when it is there."""
    current = list(st.session_state.get(WIDGETS[key], []))
    st.session_state[WIDGETS[key]] = [v for v in current if v != value] if value in current else current + [value]


def clicked_values(selection: dict | None, field: int | None) -> list[str]:
    """The filter values of the marks in a plotly selection: customdata[field], or the y category."""
    values = []
    for p in (selection or {}).get("selection", {}).get("points", []):
        data = p.get("customdata")
        value = (data[field] if isinstance(data, list) and len(data) > field else None) if field is not None else p.get("y")
        if isinstance(value, str):
            values.append(html.unescape(value))  # charts draw text escaped (core.figures.plain)
    return values


def _select_callback(chart_key: str, click: list[tuple[str, int | None]], name: str):
    def apply():
        selection = st.session_state.get(chart_key)
        picked = [(key, value) for key, field in click for value in dict.fromkeys(clicked_values(selection, field))]
        # a heatmap cell gives several values (Taiwan + South China Sea, an issue and a visit): a click adds
        # those missing; when all are already filters, it removes them (the second click)
        there = all(value in st.session_state.get(WIDGETS[key], []) for key, value in picked)
        for key, value in picked:
            if there or value not in st.session_state.get(WIDGETS[key], []):
                toggle_filter(key, value)
        # a fresh chart widget (no selection left), so the next click on the same mark is a new event
        st.session_state[f"_clicks_{name}"] = st.session_state.get(f"_clicks_{name}", 0) + 1
    return apply


def _chips(filter_key: str, name: str) -> None:
    """"Filtered by: Taiwan ×": the chart's filter values, each a button that removes it."""
    values = list(st.session_state.get(WIDGETS[filter_key], []))
    if not values:
        return
    label = CHIP_NAMES.get(filter_key, str)
    row = st.container(horizontal=True, vertical_alignment="center", gap="small")  # wraps: no chip is cut
    row.caption(f"Filtered by {filter_key}:")
    for value in values:
        row.button(f"{label(value)} ×", key=f"chip_{name}_{value}", on_click=toggle_filter, args=(filter_key, value),
                   help=f"Remove {label(value)} from the {filter_key} filter", width="content")


def show_chart(name: str, fig, table: pd.DataFrame, *, click: tuple | list | None = None,
               caption: str | None = None) -> None:
    """A chart with its downloads (CSV of its table, SVG and 2x PNG of the figure).

    click: (filter key, customdata index, or None for the y category), or a list of them (a heatmap
    cell's row and column): clicking a mark adds its value(s) to the filter(s) and clicking it again
    removes them; chips under the chart undo."""
    click = [click] if click and isinstance(click[0], str) else list(click or [])
    if click and not table.empty:
        st.html(CLICK_STYLE)
        fig.update_layout(dragmode=False)  # a click selects; no drag-to-zoom ("move" cursor)
        with st.container(key=f"click_{name}"):
            key = f"chart_{name}_{st.session_state.get(f'_clicks_{name}', 0)}"
            st.plotly_chart(fig, key=key, theme=None, config=modebar(name),
                            on_select=_select_callback(key, click, name), selection_mode="points")
    else:
        st.plotly_chart(fig, key=f"chart_{name}", theme=None, config=modebar(name))
    for filter_key in dict.fromkeys(key for key, _ in click):  # also under an emptied chart: the way back
        _chips(filter_key, name)
    if caption:
        st.caption(caption)
    c1, c2, c3, _ = st.columns([1.2, 1.2, 1.6, 4], gap="small")  # room for "PNG 2×" at 1,280 px
    c1.download_button("CSV", csv_text(table), file_name=f"{name}.csv", mime="text/csv",
                       key=f"csv_{name}", on_click="ignore", icon=":material/table:")
    c2.download_button("SVG", lambda: figure_image(fig, "svg"), file_name=f"{name}.svg", mime="image/svg+xml",
                       key=f"svg_{name}", on_click="ignore", icon=":material/image:")
    c3.download_button("PNG 2×", lambda: figure_image(fig, "png"), file_name=f"{name}.png", mime="image/png",
                       key=f"png_{name}", on_click="ignore", icon=":material/image:")


TABLE_COLUMNS = {"text": st.column_config.TextColumn("sentence", width="large"),
                 "title": st.column_config.TextColumn("article", width="medium"),
                 "tone": st.column_config.NumberColumn(format="%+.2f"),
                 "coop": st.column_config.NumberColumn("cooperation", format="%+.2f"),
                 "weight": st.column_config.NumberColumn(format="%.2f"),
                 "w": st.column_config.NumberColumn("weight", format="%.2f"),
                 "contribution": st.column_config.NumberColumn(format="%+.3f"),
                 "words": st.column_config.TextColumn("as written"),
                 "pub_date": st.column_config.DateColumn("date", format="YYYY-MM-DD")}


@st.cache_data(max_entries=256, show_spinner=False)
def _run_evidence(signature, filters: Filters, name: str, args: tuple, issues: dict, visits: dict) -> E.Evidence:
    with attached_connection(signature[0]) as con:
        return E.of(con, filters, name, *args, labels=E.Labels(issues, visits))


def evidence_of(filters: Filters, name: str, *args) -> E.Evidence:
    """core.evidence.<name>(con, filters, *args): a chart mark's rows and its number, cached by store state."""
    names, visits = labels()
    return _run_evidence(store_signature(), filters, name, tuple(args), names, {v.id: v.name for v in visits})


def evidence_panel(filters: Filters, key: str, name: str, marks: list[tuple], format_func, what: str) -> None:
    """A chart's evidence: pick one of its marks -> the rows that produced its number (same filters,
    visits and weighting, core.evidence), the number stated and recomputed from those rows."""
    with st.expander(f"Evidence: the sentences behind each {what}"):
        if not marks:
            st.info("This chart shows no number for the current filters, so there is no evidence to list.")
            return
        i = st.selectbox(f"Which {what}", range(len(marks)), key=f"ev_{key}",
                         format_func=lambda j: format_func(*marks[j]), bind="query-params")
        ev = evidence_of(filters, name, *marks[i or 0])
        st.markdown(ev.statement)
        st.html(evidence_html(ev.rows))
        st.download_button("Evidence CSV", csv_text(ev.rows), file_name=f"evidence_{key}.csv", mime="text/csv",
                           key=f"evcsv_{key}", on_click="ignore", icon=":material/table:")


EVIDENCE_SHOWN = 200
CORRECTED = "✎ corrected"  # a row an analyst's correction changed (its `corrected` column)
_EXTRA = {"weight": ("weight", "{:.2f}"), "w": ("weight", "{:.2f}"), "contribution": ("contribution", "{:+.3f}"),
          "uses": ("uses", "{:d}"), "coop": ("cooperation", "{:+.2f}"), "kind": ("", "{}"), "words": ("as written", "“{}”"),
          "issue": ("issue", "{}"), "person": ("names", "{}"), "paragraph": ("paragraph", "{}")}
EVIDENCE_STYLE = """<style>
.dt-ev{max-height:32rem;overflow-y:auto;border:1px solid #e4e7eb;border-radius:6px;padding:.2rem .8rem}
.dt-ev .row{padding:.45rem 0;border-bottom:1px solid #eef0f3}
.dt-ev .s{font-size:.98rem;line-height:1.45;color:#1f2933}
.dt-ev .m{font-size:.8rem;color:#6b7785;margin-top:.15rem}
.dt-ev .t{font-weight:600}.dt-ev .neg{color:#b2182b}.dt-ev .pos{color:#1b7837}
</style>"""


def _value(v, fmt: str = "{}") -> str | None:
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return None
    try:
        return fmt.format(int(v) if fmt == "{:d}" else v)
    except (ValueError, TypeError):
        return str(v)


def evidence_html(rows: pd.DataFrame) -> str:
    """Evidence rows as a reading list: the whole sentence, then its article, date, outlet, visit,
    speaker and tone (every value escaped; the first EVIDENCE_SHOWN rows, the CSV has all)."""
    import html

    if rows.empty:
        return "<p>No rows.</p>"
    out = [EVIDENCE_STYLE, '<div class="dt-ev">']
    for r in rows.head(EVIDENCE_SHOWN).to_dict("records"):
        date = r.get("pub_date")
        meta = [f"“{r.get('title') or 'untitled'}”", f"{date:%d %b %Y}" if _value(date) else "undated",
                r.get("outlet") or "unknown outlet", visit_name(r["visit"]) if r.get("visit") else None]
        speaker = _value(r.get("speaker"))
        meta.append(f"{speaker} ({r.get('side')})" if speaker and _value(r.get("side")) else speaker or "narration")
        meta += [f"{label + ' ' if label else ''}{_value(r[c], fmt)}" for c, (label, fmt) in _EXTRA.items()
                 if c in r and _value(r[c], fmt) is not None and not (c in ("weight", "w") and r[c] == 1)]
        meta.append(CORRECTED if r.get("corrected") else None)
        tone = _value(r.get("tone"), "{:+.2f}")
        cls = "" if tone is None else ("neg" if float(r["tone"]) < -0.05 else "pos" if float(r["tone"]) > 0.05 else "")
        out.append(f'<div class="row"><div class="s">{html.escape(str(r.get("text") or ""))}</div><div class="m">'
                   + " · ".join(html.escape(str(m)) for m in meta if m)
                   + f' · <span class="t {cls}">tone {tone or "n/a"}</span></div></div>')
    if len(rows) > EVIDENCE_SHOWN:
        out.append(f'<div class="m">The first {EVIDENCE_SHOWN} of {len(rows):,} rows; the CSV has all of them.</div>')
    return "".join(out) + "</div>"


def quotes_html(quotes: pd.DataFrame) -> str:
    """A person's quotes as a reading list: the whole sentence with the quote marked inside it,
    then the article, date (and the occasion of a recalled statement), outlet, in office or not,
    tone (every value escaped)."""
    import html

    from core.voices.quotes import quote_in_sentence

    if quotes.empty:
        return "<p>No quotes.</p>"
    out = [EVIDENCE_STYLE, "<style>.dt-ev mark{background:#fff3bf;padding:0 .1rem}</style>", '<div class="dt-ev dt-quotes">']
    for r in quotes.head(EVIDENCE_SHOWN).to_dict("records"):
        before, said, after = quote_in_sentence(r.get("sentence") or "", r.get("text") or "")
        date = r.get("pub_date")
        meta = [f"“{r.get('title') or 'untitled'}”", f"{date:%d %b %Y}" if _value(date) else "undated",
                r.get("outlet") or "unknown outlet",
                "in office" if r.get("official") is True else "commentator" if r.get("official") is False else None]
        meta.append(CORRECTED if r.get("corrected") else None)
        if r.get("recalled"):
            meta.append(f"recalls {r['recalled_when']}" if _value(r.get("recalled_when")) else "recalls an earlier occasion")
        tone = _value(r.get("tone"), "{:+.2f}")
        out.append(f'<div class="row"><div class="s">{html.escape(before)}<mark>{html.escape(said)}</mark>'
                   f'{html.escape(after)}</div><div class="m">' + " · ".join(html.escape(str(m)) for m in meta if m)
                   + f' · <span class="t">tone {tone or "n/a"}</span></div></div>')
    return "".join(out) + "</div>"


SHORT_TABLE = 50  # rows: up to this many a table is an HTML table that wraps, beyond it a dataframe
TABLE_HEIGHT_PX = 560  # a table of more than 12 rows scrolls in a box this high
CHAR_PX, CELL_PAD_PX, MAX_COLUMN_PX = 7.5, 28, 480  # the dataframe's 14 px font: px per character


def cell_text(value, config: dict | None = None) -> str:
    """A cell as a reader wants it: in its column's number or date format (else numbers to 3
    decimals), dates without a midnight time, lists joined, booleans as yes/no, missing as a dash."""
    kind = (config or {}).get("type_config") or {}
    if isinstance(value, (list, tuple, np.ndarray)):
        return ", ".join(map(str, value)) or "—"
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if kind.get("type") == "number" and kind.get("format") and isinstance(value, (int, float)):
        return kind["format"] % value
    if isinstance(value, float):
        return f"{round(value, 3):g}"  # -0.006452 -> -0.006, 1526.0 -> 1526
    if hasattr(value, "strftime"):
        value = pd.Timestamp(value)
        return f"{value:%Y-%m-%d}" if kind.get("type") == "date" or value == value.normalize() else f"{value:%Y-%m-%d %H:%M}"
    return str(value)


def fitted_columns(table: pd.DataFrame, column_config: dict | None = None) -> dict:
    """column_config with every text column as wide as its longest value or label (up to
    MAX_COLUMN_PX): the dataframe draws cells on a canvas and cuts what does not fit."""
    config = {c: dict(v) if isinstance(v, dict) else {"label": v} for c, v in (column_config or {}).items()}
    for col in table.columns:
        kind = ((config.get(col) or {}).get("type_config") or {}).get("type")
        if kind not in (None, "text") or not (table[col].dtype == object or pd.api.types.is_string_dtype(table[col])):
            continue
        label = (config.get(col) or {}).get("label") or str(col)
        longest = max([len(label) + 3, *(len(cell_text(v)) for v in table[col])])  # +3: the header's sort arrow
        config.setdefault(col, {})["width"] = int(min(MAX_COLUMN_PX, CELL_PAD_PX + CHAR_PX * longest))
    return config


def text_table(table: pd.DataFrame, column_config: dict | None = None) -> None:
    """A read-only table with nothing cut. Up to SHORT_TABLE rows an HTML table (st.table) whose cells
    wrap, every value escaped (st.table renders markdown) and formatted as column_config says; longer,
    a dataframe whose text columns fit their text (fitted_columns; a click on a cell shows it whole).
    A `visit` column reads as the visits' names."""
    if "visit" in table.columns:
        table = table.assign(visit=table["visit"].map(visit_name, na_action="ignore"))
    if len(table) > SHORT_TABLE:
        st.dataframe(table, hide_index=True, width="stretch", column_config=fitted_columns(table, column_config))
        st.caption("Click a cell to read the whole of it.")
        return
    config = {c: v if isinstance(v, dict) else {"label": v} for c, v in (column_config or {}).items()}
    shown = pd.DataFrame({(config.get(c) or {}).get("label") or c:
                          [plain_markdown(cell_text(v, config.get(c))) for v in table[c]] for c in table.columns},
                         index=[plain_markdown(i) for i in table.index])
    st.table(shown, hide_index=isinstance(table.index, pd.RangeIndex),  # a long one scrolls (sticky header)
             height=TABLE_HEIGHT_PX if len(table) > 12 else "content")
