"""Every chart of the dashboard: pure functions (DataFrame, ChartContext, ...) -> plotly Figure.

Charts are shared as screenshots in slides and memos, so each one must stand alone: `figure()`
gives every figure a title saying what it shows, a subtitle naming the active filters and the
number of articles, a source note with the tone scale, and one visual theme; ids (issues,
visits, people, articles) go on categorical axes with readable labels; an empty selection
gives `empty()`, a figure with a clear message instead of bare axes.
"""
from __future__ import annotations

import copy
import datetime as dt
import functools
import html
import math
import re
import textwrap
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from core.filters import Filters, describe
from core.store.queries import ARTICLE_COLUMNS, QUOTES_SHOWN
from core.tone.aggregates import MIN_ARTICLES, MIN_SENTENCES

FONT = "Inter, 'Segoe UI', Helvetica, Arial, sans-serif"
INK = "#1f2933"
MUTED = "#6b7785"
GRID = "#e4e7eb"
SIDE_COLORS = {"US": "#2b6cb0", "China": "#c53030", "Other": "#718096"}
OUTLET_TYPE_COLORS = {"wire": "#4a5568", "us_media": "#2b6cb0", "chinese_state_media": "#c53030", "official": "#805ad5",
                      "think_tank": "#2f855a", "opinion": "#d69e2e", "other": "#90cdf4", "unclassified": "#cbd5e0"}
ACCENT = "#2b6cb0"
NEG, POS = "#c53030", "#2f855a"  # tone: hostile, cooperative
LESS = "#dd6b20"  # attention that fell (not a tone, so not red/green)
# Hostile (red) .. neutral (light) .. cooperative (green): the tone scale of every chart.
TONE_SCALE = [[0.0, "#b2182b"], [0.5, "#f7f7f7"], [1.0, "#1b7837"]]
COUNT_SCALE = [[0.0, "#f0f4f8"], [1.0, "#1c4e80"]]
WIDTH, HEIGHT = 1000, 560
TONE_NOTE = "tone −1 hostile … +1 cooperative"
TITLE_CHARS = 80  # a 19px bold title line that fits the 1000px chart
AXIS = dict(automargin=True, gridcolor=GRID, zerolinecolor="#9aa5b1")


@dataclass(frozen=True)
class ChartContext:
    """What every chart needs besides its data.

    filters: the active filter set (named in the subtitle); articles, outlets, first/last date: the
    selection behind the chart (source note); issue_names: issue id -> readable name; visits:
    catalogue visits (id, name, start, end) drawn on time axes and named in titles.
    """

    filters: Filters
    articles: int
    outlets: int = 0
    first_date: object = None
    last_date: object = None
    issue_names: dict = field(default_factory=dict)
    visits: tuple = ()

    def issue(self, issue_id: str) -> str:
        return self.issue_names.get(issue_id) or issue_id.replace("_", " ").capitalize()

    def visit(self, visit_id: str, short: bool = False) -> str:
        return visit_label(self.visits, visit_id, short)


def visit_label(visits, visit_id: str, short: bool = False) -> str:
    """A visit's readable name from the catalogue ("Blinken in Beijing (Jun 2023)"), the id when the
    catalogue has none; short drops the parenthesised date (where a date is shown beside it)."""
    name = next((v.name for v in visits if v.id == visit_id and v.name), None) or str(visit_id)
    return re.sub(r"\s*\([^)]*\)\s*$", "", name) or name if short else name


def plain(value):
    """Text from the data (titles, outlets, names, words, file names) as plotly text: <, > and &
    escaped, so label markup in it (<a href=...>, <span style="...url(...)">) is drawn as text, not
    made a link or a remote style, in the browser, in SVG exports and in kaleido's Chromium."""
    if isinstance(value, str):
        return html.escape(value, quote=False)
    if isinstance(value, (list, tuple, np.ndarray)):
        return [plain(v) for v in value]
    return value


def _plain_text(chart):
    """A chart function whose text inputs (the table's text columns, its text arguments) are plain()."""
    @functools.wraps(chart)
    def escaped(df: pd.DataFrame, ctx: "ChartContext", *args, **kwargs):
        text = [c for c in df.columns if not (pd.api.types.is_numeric_dtype(df[c]) or pd.api.types.is_bool_dtype(df[c])
                                              or pd.api.types.is_datetime64_any_dtype(df[c]))]
        if text and not df.empty:
            df = df.assign(**{c: df[c].map(plain) for c in text})
        return chart(df, ctx, *map(plain, args), **{k: plain(v) for k, v in kwargs.items()})
    return escaped


def _wrap(text: str, width: int = 70) -> str:
    return "<br>".join(textwrap.wrap(str(text), width, break_long_words=False)) if text else ""  # words whole


def _short(text: str, width: int = 34) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _title_lines(title: str) -> list[str]:
    """A long title (visit names) on two lines, broken after its 'What: ' head, not mid-name."""
    if len(title) <= TITLE_CHARS:
        return [title]
    head, sep, tail = title.partition(": ")
    parts = [head + ":", tail] if sep else [title]
    return [line for part in parts for line in textwrap.wrap(part, TITLE_CHARS)]


SUBTITLE_CHARS = 95  # a 13px subtitle line that fits a chart drawn in a 1,280 px window


def _subtitle_lines(text: str) -> list[str]:
    """The filters line on as many lines as it needs, broken between filters (" · "), never cut."""
    lines: list[str] = []
    for part in text.split(" · "):
        if lines and len(lines[-1]) + 3 + len(part) <= SUBTITLE_CHARS:
            lines[-1] += " · " + part
        else:
            lines.append(part)
    return lines


@functools.cache
def _template() -> dict:
    return pio.templates["plotly_white"].to_plotly_json()


@functools.cache
def _grid_layout(rows: int, cols: int, titles: tuple = (), **spacing) -> dict:
    """Axis domains (and subplot title annotations) of a rows x cols grid, computed once by plotly."""
    from plotly.subplots import make_subplots

    layout = make_subplots(rows=rows, cols=cols, subplot_titles=titles or None, **spacing).to_dict()["layout"]
    layout.pop("template", None)
    return layout


def _axes(layout: dict) -> list[str]:
    return [k for k in layout if re.fullmatch(r"[xy]axis\d*", k)]


def source_note(ctx: ChartContext, tone: bool = False) -> str:
    """What a chart stands on, for a slide: the articles, outlets and date span behind it, the export
    date, and the tone scale where the chart shows tone."""
    n = ctx.articles
    parts = [f"{n} article{'s' if n != 1 else ''}"]
    if ctx.outlets:
        parts.append(f"{ctx.outlets} outlet{'s' if ctx.outlets != 1 else ''}")
    if ctx.first_date is not None and pd.notna(ctx.first_date):
        parts.append(f"{pd.Timestamp(ctx.first_date):%d %b %Y} – {pd.Timestamp(ctx.last_date):%d %b %Y}")
    # two lines: one line ran past the right edge of a chart drawn in a 1,280 px window
    text = f"Source: Diplotone, news coverage of US–China diplomacy — {', '.join(parts)};<br>exported {dt.date.today():%d %b %Y}"
    return text + (f"; {TONE_NOTE}" if tone else "")


def figure(ctx: ChartContext, title: str, data: list[dict], layout: dict | None = None, height: int = HEIGHT,
           bottom: int = 0) -> go.Figure:
    """Assemble a chart in one go from plain trace and layout dicts, with the shared look: title,
    filter subtitle with article count, source note, theme.

    Building property by property (update_layout, add_trace...) makes plotly validate and copy
    the figure at every step, which was most of a page's server time; here it is built once with
    validation skipped, and the tests validate every chart's spec in full instead.
    bottom: extra bottom margin (px) for slanted x labels, so the source note stays below them."""
    n = ctx.articles
    articles = f"{n} article{'s' if n != 1 else ''}"
    lines = _title_lines(title)
    sub = _subtitle_lines(f"{plain(describe(ctx.filters, ctx.issue, ctx.visit))} · {articles}")
    extra = 24 * (len(lines) - 1) + 17 * (len(sub) - 1)
    layout = dict(layout or {})
    layout.setdefault("xaxis", {})
    layout.setdefault("yaxis", {})
    for axis in _axes(layout):
        layout[axis] = {**AXIS, **layout[axis]}
    note = dict(text=source_note(ctx, tone="tone" in title.lower()),  # the scale only where a chart shows tone
                xref="paper", yref="paper", x=0, y=0, yshift=-(72 + bottom), xanchor="left", yanchor="top",
                showarrow=False, font=dict(size=11, color=MUTED), align="left")
    layout.update(
        template=_template(),
        title=dict(text="<b>" + "<br>".join(lines) + "</b>", subtitle=dict(text="<br>".join(sub),
                                                         font=dict(size=13, color=MUTED)),
                   x=0.01, xanchor="left", y=0.97, yanchor="top", font=dict(size=19, color=INK)),
        font=dict(family=FONT, size=13, color=INK), paper_bgcolor="white", plot_bgcolor="white",
        width=WIDTH, height=height + bottom + extra, margin=dict(l=20, r=30, t=100 + extra, b=106 + bottom),
        legend={**dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1.0, title=None),
                **layout.get("legend", {})},
        hoverlabel=dict(font=dict(family=FONT)),
        annotations=[*layout.get("annotations", []), note],
    )
    return go.Figure(dict(data=data, layout=layout), _validate=False)


# Two lines: on one, the note ran past the right edge of a chart whose long row names push the
# plot area (where the note starts) to the right.
LOW_NOTE = (f"Hollow points rest on fewer than {MIN_ARTICLES} articles or {MIN_SENTENCES} sentences: "
            "low confidence.<br>Bars: 90 % bootstrap interval over articles.")


def _low_note(bottom: int = 0) -> dict:
    """The low-confidence note, in the place of the source note, which moves down NOTE_ROOM px:
    pass figure() bottom + NOTE_ROOM (a note above the plot would collide with the legend)."""
    return dict(text=LOW_NOTE, xref="paper", yref="paper", x=0, y=0, yshift=-(72 + bottom), xanchor="left",
                yanchor="top", showarrow=False, font=dict(size=11, color=MUTED), align="left")


NOTE_ROOM = 32  # the two lines of the low-confidence note above the source note


def empty(ctx: ChartContext, title: str, message: str = "No data for the current filters.") -> go.Figure:
    """The empty-selection variant: title and subtitle as usual, a clear message instead of axes."""
    text = (f"{message}<br><span style='font-size:13px;color:{MUTED}'>"
            f"Widen the filters in the sidebar to see this chart.</span>")
    return figure(ctx, title, [], dict(
        xaxis=dict(visible=False), yaxis=dict(visible=False),
        annotations=[dict(text=text, xref="paper", yref="paper", x=0.5, y=0.5, showarrow=False,
                          font=dict(size=17, color=INK))]), height=360)


def _narrowing(ctx: ChartContext) -> str:
    """Why sentences may be missing from articles that are selected: side and person filters keep only
    the words of that side's speakers / the sentences of those people (core.filters)."""
    parts = []
    if ctx.filters.sides:
        parts.append(f"the words of {' or '.join(ctx.filters.sides)}-side speakers")
    if ctx.filters.persons:
        parts.append(f"the sentences of {plain(', '.join(ctx.filters.persons))}")
    return f" in {' and '.join(parts)}" if parts else ""


def _slant_room(labels, angle: float = 35) -> int:
    """Pixels that x labels slanted by `angle` degrees need below the axis (13px font)."""
    longest = max((len(str(x)) for x in labels), default=0)
    return int(longest * 6.8 * math.sin(math.radians(angle)))


def _rows_height(n: int, per_row: int = 28, base: int = 220) -> int:
    return max(380, min(1400, base + per_row * n))


def tone_colors(tones) -> list[str]:
    """Each tone's colour on TONE_SCALE, computed here: plotly.js bars given numbers and a colorscale
    draw right but log "Invalid color specifier" once per bar in the browser console."""
    from plotly.colors import sample_colorscale

    values = pd.Series(tones, dtype=float)
    colors = sample_colorscale(TONE_SCALE, ((values.fillna(0).clip(-1, 1) + 1) / 2).tolist())
    return [c if pd.notna(v) else GRID for c, v in zip(colors, values)]


def _tone_axis(**kw) -> dict:
    """A -1..+1 tone axis with its ends named."""
    return dict(range=[-1.05, 1.05], zeroline=True, zerolinewidth=1.5, tickvals=[-1, -0.5, 0, 0.5, 1],
                ticktext=["−1 hostile", "−0.5", "0", "+0.5", "+1 cooperative"], **kw)


TONE_STEPS = (0.05, 0.1, 0.25, 0.5)  # tick steps of a zoomed tone axis


def _zoomed_tone_axis(low: float, high: float, **kw) -> dict:
    """A tone axis over what the points and their intervals span (zero always inside), so that
    differences of a tenth can be read; ticks every TONE_STEPS step (about five), the outer ticks
    saying which way is hostile and which cooperative (the source note names the full -1..+1 scale)."""
    low, high = min(low, 0.0), max(high, 0.0)
    pad = max(0.05, 0.12 * (high - low))
    low, high = max(-1.0, low - pad), min(1.0, high + pad)
    step = next((s for s in TONE_STEPS if (high - low) / s <= 6), 0.5)
    ticks = [round(t * step, 2) for t in range(int(np.ceil(low / step)), int(np.floor(high / step)) + 1)]
    text = [f"{t:+.2f}".replace("+0.00", "0").replace("-", "−") for t in ticks]
    if ticks[0] < 0:
        text[0] += " hostile"
    if ticks[-1] > 0:
        text[-1] += " cooperative"
    title = kw.pop("title", {}).get("text", "Tone")
    return dict(range=[low, high], zeroline=True, zerolinewidth=2, zerolinecolor=INK, tickvals=ticks, ticktext=text,
                title=dict(text=f"{title} (axis zoomed)"), **kw)


def _rows(df: pd.DataFrame, columns: list[str]) -> list[list]:
    """customdata: one list of values per row."""
    return df[columns].to_numpy(dtype=object).tolist()


def _dates(values: pd.Series) -> list[str]:
    return pd.to_datetime(values).dt.strftime("%Y-%m-%d").tolist()


_FIRST_DAY, _LAST_DAY = pd.Timestamp("0001-01-01"), pd.Timestamp("9999-12-31")


def _date_range(dates: pd.Series, min_pad_days: int) -> list[str]:
    """An x-axis range around dates with a 5 % margin, kept within years 1-9999: a date stored
    before the publication-date check (year 1 or 9999) must not pad the axis out of the calendar."""
    lo, hi = dates.min(), dates.max()
    pad = max(pd.Timedelta(days=min_pad_days), (hi - lo) * 0.05)
    lo = lo - pad if lo - _FIRST_DAY > pad else _FIRST_DAY
    hi = hi + pad if _LAST_DAY - hi > pad else _LAST_DAY
    return [f"{d.year:04d}-{d.month:02d}-{d.day:02d}" for d in (lo, hi)]


# --- Overview ---------------------------------------------------------------------------------

@_plain_text
def issue_frequency(df: pd.DataFrame, ctx: ChartContext, measure: str = "sentences") -> go.Figure:
    """Horizontal bars: sentences per issue (or per 1,000 words), largest on top."""
    title = "How often each issue is discussed" + (" (sentences per 1,000 words)" if measure == "per_1k_words" else " (sentences)")
    if df.empty:
        return empty(ctx, title, f"No issue is discussed{_narrowing(ctx)} in the selected articles.")
    d = df.sort_values(measure, ascending=True)
    issues = d["issue"].tolist()
    bar = dict(type="bar", x=d[measure].tolist(), y=issues, orientation="h", marker=dict(color=ACCENT),
               text=d[measure].tolist(), textposition="outside", cliponaxis=False,
               customdata=_rows(d, ["issue", "sentences", "articles"]),
               hovertemplate="%{y}<br>%{customdata[1]} sentences in %{customdata[2]} articles<extra></extra>")
    return figure(ctx, title, [bar], dict(
        yaxis=dict(type="category", tickmode="array", tickvals=issues, ticktext=[ctx.issue(i) for i in issues]),
        xaxis=dict(title=dict(text="Sentences per 1,000 words" if measure == "per_1k_words"
                              else "Sentences tagged with the issue"), rangemode="tozero")), _rows_height(len(d)))


@_plain_text
def tone_trend(df: pd.DataFrame, ctx: ChartContext) -> go.Figure:
    """Articles' tone over time (dots; past core.store.queries.TREND_ARTICLES, days' mean tones),
    its 30-day rolling mean over articles (line), visits as shaded bands."""
    title = "Tone of coverage over time, with the visits"
    d = df.dropna(subset=["pub_date"]) if not df.empty else df
    if d.empty:
        return empty(ctx, title, "No dated articles in the current selection.")
    dates = pd.to_datetime(d["pub_date"])
    x = _dates(dates)
    low = d["low_confidence"].astype(bool).tolist() if "low_confidence" in d else [False] * len(d)
    by_day = "articles" in d  # core.store.queries.tone_trend(by="day"): one dot per day
    if by_day:
        sizes = (d["articles"].clip(upper=400) ** 0.5) * 1.6 + 5
        custom = _rows(d.assign(day=dates.dt.strftime("%Y-%m-%d"), what=d["articles"].map(
            lambda n: f"{n:,} article{'s' if n != 1 else ''}"), none=""), ["day", "what", "none", "visit", "sentences"])
        hover = ("<b>%{x|%d %b %Y}</b> · %{customdata[1]} · %{customdata[3]}"
                 "<br>mean tone %{y:.2f} over %{customdata[4]:,} sentences<extra></extra>")
    else:
        sizes = (d["sentences"].clip(upper=80) ** 0.5) * 2.2 + 6
        custom = _rows(d, ["article_id", "title", "outlet", "visit", "sentences"])
        hover = ("<b>%{customdata[1]}</b><br>%{customdata[2]} · %{x|%d %b %Y} · %{customdata[3]}"
                 "<br>tone %{y:.2f} over %{customdata[4]} sentences<extra></extra>")
    dots = dict(type="scatter", x=x, y=d["tone"].tolist(), mode="markers", name="Day" if by_day else "Article",
                marker=dict(size=sizes.tolist(), color=d["tone"].tolist(),
                            colorscale=TONE_SCALE, cmin=-1, cmax=1, line=dict(width=1, color=INK),
                            symbol=["circle-open" if v else "circle" for v in low]),
                customdata=custom, hovertemplate=hover)
    # The rolling mean is broken where no article falls within 30 days: a straight line across
    # months without coverage would read as a trend that no text supports.
    gap = dates.diff() > pd.Timedelta(days=30)
    line_x, line_y = [], []
    for day, tone, new_run in zip(x, d["rolling_tone"], gap):
        if new_run:
            line_x.append(None)
            line_y.append(None)
        line_x.append(day)
        line_y.append(tone)
    line = dict(type="scatter", x=line_x, y=line_y, mode="lines", name="30-day mean",
                line=dict(color=INK, width=2), hoverinfo="skip", connectgaps=False)
    x_range = _date_range(dates, 10)
    bands, names = _visit_marks(ctx, x_range, dict(y=1.0, yref="y"))
    what = ("Dots: days, each the mean tone of that day's articles (size: articles)" if by_day
            else "Dot size: sentences read")
    trend_note = dict(_low_note(), text=f"Hollow dots: {'days' if by_day else 'articles'} read on fewer than "
                                          f"{MIN_SENTENCES} sentences (low confidence).<br>{what}.")
    return figure(ctx, title, [dots, line], dict(
        shapes=bands, annotations=[*names, trend_note],
        xaxis=dict(title=dict(text="Publication date"), range=x_range, tickformat="%b %Y",
                   type="date"),
        yaxis=_tone_axis(title=dict(text="Mean article tone of the day" if by_day else "Article tone"))),
        bottom=NOTE_ROOM)


def _visit_marks(ctx: ChartContext, x_range: list[str], where: dict) -> tuple[list, list]:
    """The visits starting within x_range (YYYY-MM-DD) as shaded bands on a date axis, and their
    names (annotations placed at `where`, e.g. dict(y=1.0, yref="y")). A name reads down from the
    top just inside its band's start, so a visit at the left edge does not write over the y-axis
    labels, and on a light backing, so a bar behind it does not hide it."""
    shown = [v for v in ctx.visits if v.id != "other" and v.start and x_range[0] <= f"{v.start:%Y-%m-%d}" <= x_range[1]]
    bands = [dict(type="rect", xref="x", yref="paper", x0=f"{v.start:%Y-%m-%d}", y0=0, y1=1,
                  x1=f"{(v.end or v.start) + pd.Timedelta(days=1):%Y-%m-%d}", fillcolor="#f6ad55", opacity=0.35,
                  line=dict(width=0), layer="below") for v in shown]
    names = [dict(x=f"{v.start:%Y-%m-%d}", **where, text=ctx.visit(v.id, short=True), textangle=-90,
                  showarrow=False, xanchor="left", yanchor="top", font=dict(size=10, color="#9c4221"), xshift=1,
                  bgcolor="rgba(255,255,255,0.75)", borderpad=0)
             for v in shown]
    return bands, names


DAY_MS = 86_400_000


@_plain_text
def volume(df: pd.DataFrame, ctx: ChartContext, title: str, measure: str, unit: str = "week",
           series: str | None = None, colors: dict | None = None) -> go.Figure:
    """Bars of a count per period (df: period, measure[, series] stacked by colour), visits as bands.

    measure: the count column (e.g. 'articles', 'sentences'); unit: the period's length, named on
    the axis; series: a column splitting each bar (e.g. outlet type), colours from `colors`."""
    d = df.dropna(subset=["period"]) if not df.empty else df
    if d.empty:
        return empty(ctx, title, "No dated articles in the current selection.")
    dates = pd.to_datetime(d["period"])
    groups = [(None, d)] if series is None else list(d.groupby(series, sort=False))
    palette = colors or {}
    days = {"day": 1, "week": 7, "month": 30}[unit]
    bars = [dict(type="bar", x=_dates(pd.to_datetime(g["period"])), y=g[measure].tolist(), xperiod=days * DAY_MS,
                 xperiodalignment="start", width=days * DAY_MS * 0.85, offset=0,
                 name=str(name) if name is not None else measure,
                 marker=dict(color=palette.get(name, ACCENT)) if series is None or name in palette else {},
                 hovertemplate=(f"{name} · " if name is not None else "") + f"%{{x|%d %b %Y}}: %{{y:,}} {measure}"
                               "<extra></extra>")
             for name, g in groups]
    x_range = _date_range(dates + pd.Timedelta(days=days / 2), 7)
    bands, names = _visit_marks(ctx, x_range, dict(y=1.0, yref="paper"))
    return figure(ctx, title, bars, dict(
        barmode="stack", shapes=bands, annotations=names, showlegend=series is not None,
        xaxis=dict(title=dict(text=f"{unit.capitalize()} of publication (shaded: visits)"), type="date",
                   range=x_range, tickformat="%b %Y"),
        yaxis=dict(title=dict(text=f"{measure.capitalize()} per {unit}"), rangemode="tozero")))


@_plain_text
def share_of_voice(df: pd.DataFrame, ctx: ChartContext, by: str, type_names: dict) -> go.Figure:
    """Heatmap: each outlet type's (columns) share of its issue sentences or quotes per issue or speaker (rows).

    Columns are shares within an outlet type (each column sums to 100%), so a small outlet type
    reads as clearly as a large one; the cell text gives the count behind each share."""
    what = "issue sentences" if by == "issue" else "quotes"
    title = f"Share of voice: which outlet types carry which {'issues' if by == 'issue' else 'speakers'}"
    if df.empty:
        return empty(ctx, title, f"No {what} in the current selection.")
    types = [t for t in type_names if t in set(df["outlet_type"])]
    order = df.groupby("label")["n"].sum().sort_values(ascending=False).index.tolist()
    share = df.pivot_table(index="label", columns="outlet_type", values="share", aggfunc="sum").reindex(
        index=order, columns=types)
    n = df.pivot_table(index="label", columns="outlet_type", values="n", aggfunc="sum").reindex(index=order, columns=types)
    text = [[f"{s:.0%} ({int(c)})" if c == c else "" for s, c in zip(srow, crow)]
            for srow, crow in zip(share.to_numpy(), n.to_numpy())]
    rows = [ctx.issue(i) for i in order] if by == "issue" else order
    labels = [type_names[t] for t in types]
    return _heatmap(ctx, title, labels, rows, (share * 100).round(1).to_numpy().tolist(), text,
                    f"%{{x}}: %{{z:.1f}}% of its {what} on %{{y}}<extra></extra>", f"% of the type's {what}",
                    _rows_height(len(order), 30, 260), _slant_room(labels),
                    customdata=[[[r, t] for t in types] for r in order])  # [issue id / speaker, outlet type]: click


@_plain_text
def visit_change(df: pd.DataFrame, ctx: ChartContext, top: int = 10) -> go.Figure:
    """Diverging bars: change in issue attention (per 1,000 words) from the first to the last visit."""
    if df.empty:
        return empty(ctx, "What changed most between the first and the last visit",
                     "The selection covers fewer than two visits.")
    first, last = ctx.visit(df["first_visit"].iloc[0]), ctx.visit(df["last_visit"].iloc[0])
    title = f"What changed most: {first} → {last}"
    d = df.head(top).iloc[::-1]
    issues = d["issue"].tolist()
    bar = dict(type="bar", x=d["change_per_1k"].tolist(), y=issues, orientation="h",
               marker=dict(color=[ACCENT if v > 0 else LESS for v in d["change_per_1k"]]),
               customdata=_rows(d, ["first_per_1k", "last_per_1k", "first_tone", "last_tone", "issue"]),
               hovertemplate="%{y}: %{customdata[0]} → %{customdata[1]} sentences per 1,000 words"
                             "<br>tone %{customdata[2]:.2f} → %{customdata[3]:.2f}<extra></extra>")
    return figure(ctx, title, [bar], dict(
        yaxis=dict(type="category", tickmode="array", tickvals=issues, ticktext=[ctx.issue(i) for i in issues]),
        xaxis=dict(title=dict(text="Change in sentences per 1,000 words (later visit minus earlier)"), zeroline=True)),
        _rows_height(len(d)))


# --- Issues -----------------------------------------------------------------------------------

def _heatmap(ctx: ChartContext, title: str, x, y, z, text, hover: str, colorbar: str, height: int, bottom: int,
             x_labels=None, customdata=None, tickangle: int = -35) -> go.Figure:
    """A heatmap with categorical axes (x ids shown as x_labels when given), first row on top, whose
    cells can be clicked.

    Streamlit sends no selection events for heatmap traces, so each cell with a value also gets an
    invisible square scatter point at its centre that carries the hover and the click (customdata:
    the cell's customdata plus its value, which `hover` reads as %{z}). The heatmap itself still
    draws the cells, so they fill the plot at any width and the static export is the same picture;
    hoverdistance -1 gives a click anywhere in a cell to the point at its centre."""
    trace = dict(type="heatmap", x=list(x), y=list(y), z=z, text=text, texttemplate="%{text}",
                 colorscale=COUNT_SCALE, hoverinfo="skip", xgap=2, ygap=2,
                 colorbar=dict(title=dict(text=colorbar, side="right"), thickness=12))
    cells = [(col, row, (list(customdata[i][j]) if customdata is not None else []) + [value])
             for i, (row, values) in enumerate(zip(y, z)) for j, (col, value) in enumerate(zip(x, values))
             if value is not None and value == value]
    width = len(cells[0][2]) - 1 if cells else 0
    points = dict(type="scatter", mode="markers", x=[c[0] for c in cells], y=[c[1] for c in cells],
                  customdata=[c[2] for c in cells], showlegend=False, cliponaxis=False,
                  marker=dict(symbol="square", size=18, opacity=0),
                  hovertemplate=hover.replace("%{z", f"%{{customdata[{width}]"))
    xaxis = dict(type="category", tickangle=tickangle, showgrid=False)
    if x_labels is not None:
        xaxis.update(tickmode="array", tickvals=list(x), ticktext=list(x_labels))
    return figure(ctx, title, [trace, points], dict(
        xaxis=xaxis, yaxis=dict(type="category", showgrid=False, autorange="reversed"),
        hovermode="closest", hoverdistance=-1), height, bottom)


WRAPPED_ARTICLES = 6  # up to this many article columns, each is labelled by its whole title, wrapped


def _article_labels(arts: pd.DataFrame) -> list[str]:
    """Article column labels that are never cut: the whole title wrapped on lines (with its date) where
    the columns leave room, else the outlet and date (whole words; the hover gives the title)."""
    if len(arts) <= WRAPPED_ARTICLES:
        width = max(10, 56 // len(arts))  # a column of a chart drawn 850 px wide beside long issue names
        return [_wrap(t, width) + (f"<br>({pd.Timestamp(d):%d %b %y})" if pd.notna(d) else "")
                for t, d in zip(arts["title"], arts["pub_date"])]
    return [f"{o or 'unknown outlet'}, {pd.Timestamp(d):%d %b %y}" if pd.notna(d) else (o or "unknown outlet")
            for o, d in zip(arts["outlet"], arts["pub_date"])]


def _cells(wide: pd.DataFrame, fmt: str) -> list[list[str]]:
    """Cell labels of a wide table: formatted numbers, blank where there is none."""
    return [["" if pd.isna(v) else format(v, fmt) for v in row] for row in wide.to_numpy()]


@_plain_text
def issue_matrix(df: pd.DataFrame, ctx: ChartContext, by: str = "visit", measure: str = "per_1k_words") -> go.Figure:
    """Heatmap of issues (rows) by visit or by article (columns), in time order."""
    what = "sentences per 1,000 words" if measure == "per_1k_words" else "sentences"
    title = f"Issues by {by}: {what}"
    if by == "article" and df["article_id"].nunique() >= ARTICLE_COLUMNS:
        title = f"Issues in the {ARTICLE_COLUMNS} articles that discuss them most: {what}"
    if df.empty:
        return empty(ctx, title, f"No issue is discussed{_narrowing(ctx)} in the selected articles.")
    if by == "visit":
        cols = df.drop_duplicates("visit")["visit"].tolist()
        col_of = df["visit"]
        labels = [ctx.visit(v) for v in cols]
    else:
        arts = df.drop_duplicates("article_id")
        cols = arts["article_id"].tolist()
        labels = _article_labels(arts)
        col_of = df["article_id"]
    issues = df.groupby("issue")["sentences"].sum().sort_values(ascending=False).index.tolist()
    wide = df.assign(col=col_of).pivot_table(index="issue", columns="col", values=measure, aggfunc="sum")
    wide = wide.reindex(index=issues, columns=cols)
    # hover: the column's whole name (an article's title and date)
    names = dict(zip(cols, labels if by == "visit" else [
        f"{_wrap(t, 60)} ({pd.Timestamp(d):%d %b %Y})" if pd.notna(d) else _wrap(t, 60)
        for t, d in zip(arts["title"], arts["pub_date"])]))
    cells = [[[names[c], issue, c] for c in cols] for issue in issues]  # [column name, issue id, column id]: hover, click
    wrapped = by == "article" and any("<br>" in label for label in labels)
    return _heatmap(ctx, title, cols, [ctx.issue(i) for i in issues], wide.fillna(0).to_numpy().tolist(),
                    _cells(wide, ".0f" if measure == "sentences" else ".1f"),
                    "%{y} · %{customdata[0]}<br>%{z:.1f} " + what + "<extra></extra>", what,
                    _rows_height(len(issues), 30, 260),
                    16 * max(label.count("<br>") for label in labels) if wrapped else _slant_room(labels),
                    x_labels=labels, customdata=cells, tickangle=0 if wrapped else -35)


@_plain_text
def issue_cooccurrence(df: pd.DataFrame, ctx: ChartContext) -> go.Figure:
    """Symmetric heatmap: paragraphs in which two issues are discussed together."""
    title = "Issues discussed together (paragraphs with both)"
    if df.empty:
        chosen = " or ".join(ctx.issue(i) for i in ctx.filters.issues)
        return empty(ctx, title, f"No paragraph{_narrowing(ctx)} of the selected articles discusses "
                                 + (f"{chosen} together with another issue." if chosen else "two issues."))
    both = pd.concat([df, df.rename(columns={"issue_a": "issue_b", "issue_b": "issue_a"})])
    order = both.groupby("issue_a")["paragraphs"].sum().sort_values(ascending=False).index.tolist()
    wide = both.pivot_table(index="issue_a", columns="issue_b", values="paragraphs", aggfunc="sum")
    wide = wide.reindex(index=order, columns=order)
    names = [ctx.issue(i) for i in order]
    return _heatmap(ctx, title, names, names, wide.to_numpy().tolist(), _cells(wide, ".0f"),
                    "%{y} + %{x}: %{z} paragraphs<extra></extra>", "Paragraphs",
                    _rows_height(len(order), 34, 300), _slant_room(names),
                    customdata=[[[a, b] for b in order] for a in order])  # [row issue, column issue]: click


# --- People -----------------------------------------------------------------------------------

COMMENTATOR_COLOR = "#b8c2cc"
CORRECTED_MARK = "✎"
CORRECTED_HOVER = "<br>✎ corrected: these figures include an analyst's correction"


@_plain_text
def people(df: pd.DataFrame, ctx: ChartContext, top: int = 20) -> go.Figure:
    """Who is mentioned and who speaks: officials (coloured by side) above commentators (grey:
    scholars, analysts, former officials, journalists), so a Q&A with three analysts cannot
    pass for the officials' voices; mentions and quotes per person. A person whose figures
    include an analyst's correction (the table's `corrected`) reads "Name ✎", and says so on hover."""
    title = "Who is mentioned and who speaks: officials by side, then commentators"
    if df.empty:
        return empty(ctx, title, "No people are mentioned in the selection.")
    official = df["official"].fillna(False).astype(bool) if "official" in df else pd.Series(True, index=df.index)
    fixed = df["corrected"].fillna(False).astype(bool) if "corrected" in df else pd.Series(False, index=df.index)
    d = df.head(top).assign(_official=official.head(top), _fix=[CORRECTED_HOVER if c else "" for c in fixed.head(top)])
    d = d.sort_values("_official", kind="stable", ascending=False).iloc[::-1]
    data = []
    groups = [(f"{side} official", color, (d["side"] == side) & d["_official"]) for side, color in SIDE_COLORS.items()]
    groups.append(("Commentator", COMMENTATOR_COLOR, ~d["_official"]))
    for side, color, rows in groups:
        s = d[rows]
        if s.empty:
            continue
        common = dict(type="bar", y=s["person"].tolist(), orientation="h", marker=dict(color=color), legendgroup=side,
                      customdata=_rows(s, ["side", "role", "articles", "quote_tone", "_fix"]))
        data.append(dict(x=s["mentions"].tolist(), name=side, **common,
                         hovertemplate="%{y} (%{customdata[0]}, %{customdata[1]})<br>%{x} mentions in "
                                       "%{customdata[2]} articles%{customdata[4]}<extra></extra>"))
        data.append(dict(x=s["quotes"].tolist(), name=side, showlegend=False, xaxis="x2", yaxis="y2", **common,
                         hovertemplate="%{y}<br>%{x} quotes, mean tone %{customdata[3]:.2f}%{customdata[4]}"
                                       "<extra></extra>"))
    layout = copy.deepcopy(_grid_layout(1, 2, shared_yaxes=True, horizontal_spacing=0.04))
    persons = d["person"].tolist()
    for axis in ("yaxis", "yaxis2"):
        layout[axis].update(type="category", categoryorder="array", categoryarray=persons)
    if d["_fix"].astype(bool).any():  # the label marks it; the category stays the name (a click filters by it)
        layout["yaxis"].update(tickmode="array", tickvals=persons,
                               ticktext=[f"{p} {CORRECTED_MARK}" if f else p for p, f in zip(persons, d["_fix"])])
    layout["xaxis"].update(rangemode="tozero", title=dict(text="Mentions"))
    layout["xaxis2"].update(rangemode="tozero", title=dict(text="Quotes (direct and reported)"))
    layout.update(barmode="overlay", legend=dict(title=dict(text="Who")))
    n_comm = int((~d["_official"]).sum())
    if 0 < n_comm < len(d):  # a rule between the officials (top) and the commentators (bottom)
        layout["shapes"] = [dict(type="line", xref="paper", yref="y", x0=0, x1=1, y0=n_comm - 0.5, y1=n_comm - 0.5,
                                 line=dict(color=INK, width=1, dash="dot"))]
    return figure(ctx, title, data, layout, _rows_height(len(d)))


@_plain_text
def person_quotes(df: pd.DataFrame, ctx: ChartContext, person: str) -> go.Figure:
    """A person's quotes over time: one dot per quote at its tone; hover shows the words."""
    title = f"{person}: tone of each quote over time"
    if len(df) >= QUOTES_SHOWN:
        title = f"{person}: tone of the latest {len(df)} quotes"
    when = "occasion" if "occasion" in df else "pub_date"  # a recalled statement sits at the occasion it recalls
    d = df.dropna(subset=[when]) if not df.empty else df
    if d.empty:
        return empty(ctx, title, f"No dated quotes by {person} in the selection.")
    dates = pd.to_datetime(d[when])
    recalled = d["recalled"].fillna(False).astype(bool) if "recalled" in d else pd.Series(False, index=d.index)
    published = pd.to_datetime(d["pub_date"])
    d = d.assign(hover=[_wrap(t) for t in d["text"]],
                 said=[f"said {w:%b %Y}, recalled in an article of {p:%d %b %Y}" if r and pd.notna(p) else f"{w:%d %b %Y}"
                       for w, p, r in zip(dates, published, recalled)])
    dots = dict(type="scatter", x=_dates(dates), y=d["tone"].tolist(), mode="markers",
                marker=dict(size=13, color=d["tone"].tolist(), colorscale=TONE_SCALE, cmin=-1, cmax=1,
                            symbol=["diamond" if r else "circle" for r in recalled],
                            line=dict(width=1, color=INK)),
                customdata=_rows(d, ["hover", "title", "kind", "article_id", "sent_idx", "said"]),
                hovertemplate="%{customdata[0]}<br><i>%{customdata[1]}</i> · %{customdata[5]} · %{customdata[2]}"
                              "<br>tone %{y:.2f}<extra></extra>")
    return figure(ctx, title, [dots], dict(
        xaxis=dict(title=dict(text="When it was said (recalled statements at their occasion)" if when == "occasion"
                              else "Publication date"), type="date", tickformat="%d %b %Y",
                   range=_date_range(dates, 7)),
        yaxis=_tone_axis(title=dict(text="Quote tone"))))


@_plain_text
def person_cooccurrence(df: pd.DataFrame, ctx: ChartContext) -> go.Figure:
    """Symmetric heatmap: number of articles in which two people both appear."""
    title = "Who appears with whom (articles mentioning both)"
    if df.empty:
        return empty(ctx, title, "No article of the selection names two people"
                                 + (f" of the {' or '.join(ctx.filters.sides)} side." if ctx.filters.sides else "."))
    both = pd.concat([df, df.rename(columns={"person_a": "person_b", "person_b": "person_a"})])
    order = both.groupby("person_a")["articles"].sum().sort_values(ascending=False).index.tolist()
    wide = both.pivot_table(index="person_a", columns="person_b", values="articles", aggfunc="sum")
    wide = wide.reindex(index=order, columns=order)
    return _heatmap(ctx, title, order, order, wide.to_numpy().tolist(), _cells(wide, ".0f"),
                    "%{y} + %{x}: %{z} articles<extra></extra>", "Articles",
                    _rows_height(len(order), 34, 300), _slant_room(order),
                    customdata=[[[a, b] for b in order] for a in order])  # [row person, column person]: click


# --- Tone shifts ------------------------------------------------------------------------------

def _interval(d: pd.DataFrame, suffix: str = "") -> dict:
    """Asymmetric error bars from the low/high columns of a tone aggregate."""
    return dict(type="data", symmetric=False, array=(d["high" + suffix] - d["tone" + suffix]).tolist(),
                arrayminus=(d["tone" + suffix] - d["low" + suffix]).tolist(), thickness=1.5, width=4)


def _n_text(d: pd.DataFrame, suffix: str = "") -> list[str]:
    return [f"{a:.0f} art · {s:.0f} sent" if a == a else "" for a, s in zip(d["articles" + suffix], d["sentences" + suffix])]


@_plain_text
def visit_tone(df: pd.DataFrame, ctx: ChartContext, visit_a: str | None = None, visit_b: str | None = None) -> go.Figure:
    """Tone of coverage per visit: the mean over its articles of their tone, with the 90 %
    interval and n on the chart; the two compared visits coloured, low-confidence points hollow."""
    title = "Tone of coverage by visit (mean over articles)"
    if df.empty:
        return empty(ctx, title, "No articles of a visit in the selection.")
    labels = [ctx.visit(v, short=True) for v in df["visit"]]
    chosen = [v in (visit_a, visit_b) for v in df["visit"]]
    data = [dict(type="scatter", x=labels, y=df["tone"].tolist(), mode="markers+text", showlegend=False,
                 text=_n_text(df), textposition="top center", textfont=dict(size=10, color=MUTED),
                 error_y=dict(_interval(df), color="#718096"),
                 marker=dict(size=14, color=[ACCENT if c else "#a0aec0" for c in chosen], line=dict(width=1.5, color=INK),
                             symbol=["circle-open" if v else "circle" for v in df["low_confidence"]]),
                 customdata=_rows(df, ["articles", "sentences", "low", "high"]),
                 hovertemplate="%{x}: tone %{y:.2f} (90 % interval %{customdata[2]:.2f} to %{customdata[3]:.2f})"
                               "<br>%{customdata[0]} articles, %{customdata[1]} sentences<extra></extra>")]
    return figure(ctx, title, data, dict(
        annotations=[_low_note(_slant_room(labels))],
        xaxis=dict(type="category", title=dict(text="Visit"), categoryorder="array", categoryarray=labels),
        yaxis=_zoomed_tone_axis(float(df["low"].min()), float(df["high"].max()), title=dict(text="Mean article tone"))),
        bottom=_slant_room(labels) + NOTE_ROOM)


@_plain_text
def tone_shift(df: pd.DataFrame, ctx: ChartContext, visit_a: str, visit_b: str, by: str = "issue") -> go.Figure:
    """Dumbbell: tone per issue or per side (officials' own words) in visit A (grey) and B
    (coloured), each with its 90 % interval and its n; hollow where it rests on too little text."""
    what = "issue" if by == "issue" else "side (officials' own words)"
    name_a, name_b = ctx.visit(visit_a), ctx.visit(visit_b)
    title = f"Tone shift by {what}: {name_a} → {name_b}"
    d = df.dropna(subset=["tone_a", "tone_b"], how="all") if not df.empty else df
    if d.empty:
        return empty(ctx, title, f"Neither visit has tone readings by {by} in the selection.")
    d = d.iloc[::-1]
    labels = [ctx.issue(v) if by == "issue" else v for v in d["label"]]
    xs, ys = [], []  # one line trace for all dumbbell bars, broken by None between rows
    for a, b, label in zip(d["tone_a"], d["tone_b"], labels):
        if pd.notna(a) and pd.notna(b):
            xs += [a, b, None]
            ys += [label, label, None]
    # A row with one dot: say which visit has no reading, beside the dot, instead of a silent gap.
    alone = [(b if pd.isna(a) else a, label, ctx.visit(visit_a if pd.isna(a) else visit_b, short=True))
             for a, b, label in zip(d["tone_a"], d["tone_b"], labels) if pd.isna(a) or pd.isna(b)]
    notes = [dict(x=x, y=label, xref="x", yref="y", text=f"no {by} reading in {name}", showarrow=False,
                  xanchor="left", xshift=12, font=dict(size=11, color=MUTED)) for x, label, name in alone]
    data = [dict(type="scatter", x=xs, y=ys, mode="lines", line=dict(color="#9aa5b1", width=3), showlegend=False,
                 hoverinfo="skip")]
    for suffix, name, color, pos in (("_a", name_a, "#a0aec0", "top center"), ("_b", name_b, ACCENT, "bottom center")):
        low = [bool(v) if v == v else False for v in d["low_confidence" + suffix]]
        data.append(dict(
            type="scatter", x=d["tone" + suffix].tolist(), y=labels, mode="markers+text", name=name,
            text=_n_text(d, suffix), textposition=pos, textfont=dict(size=10, color=MUTED),
            error_x=dict(_interval(d, suffix), color=color),
            # [5] is the issue id / side a click filters on (pages/tone_shifts.py)
            customdata=_rows(d, ["articles" + suffix, "sentences" + suffix, "low" + suffix, "high" + suffix, "change",
                                 "label"]),
            marker=dict(size=13, color=color, line=dict(width=1.5, color=INK),
                        symbol=["circle-open" if v else "circle" for v in low]),
            hovertemplate="%{y}: %{x:.2f} (90 % interval %{customdata[2]:.2f} to %{customdata[3]:.2f})"
                          "<br>%{customdata[0]} articles, %{customdata[1]} sentences<br>change %{customdata[4]:+.2f}"
                          "<extra>" + name + "</extra>"))
    return figure(ctx, title, data, dict(
        annotations=[*notes, _low_note()],
        # room above the top row and below the bottom one for their n labels (clipped at the plot's edge)
        yaxis=dict(type="category", categoryorder="array", categoryarray=labels, range=[-0.7, len(labels) - 0.3]),
        xaxis=_tone_axis(title=dict(text="Mean over articles of their tone" + (
            " on the issue" if by == "issue" else " in officials' words")))), _rows_height(len(d), 48), bottom=NOTE_ROOM)


WORD_SHIFT_COLORS = {"more cooperative language": POS, "less hostile language": "#9ae6b4",
                     "more hostile language": NEG, "less cooperative language": "#feb2b2"}


@_plain_text
def tone_drivers(df: pd.DataFrame, ctx: ChartContext, visit_a: str, visit_b: str) -> go.Figure:
    """Word shift: each word's contribution to the change of the mean sentence tone from A to B,
    its change in frequency times its tone. Coloured by kind: a hostile word used less pushes
    the tone up as 'less hostile language' (light green), never as a cooperative word."""
    title = f"Words that drove the tone shift: {ctx.visit(visit_a)} → {ctx.visit(visit_b)}"
    if df.empty:
        return empty(ctx, title, "No tone words in the sentences of these two visits.")
    d = df.iloc[::-1]
    data = []
    for kind, color in WORD_SHIFT_COLORS.items():
        k = d[d["kind"] == kind]
        data.append(dict(type="bar", x=k["contribution"].tolist(), y=k["word"].tolist(), orientation="h", name=kind,
                         marker=dict(color=color, line=dict(width=1, color=INK)),
                         customdata=_rows(k, ["per_sentence_a", "per_sentence_b", "uses_a", "uses_b", "word_tone"]),
                         hovertemplate="“%{y}” (tone %{customdata[4]:+.2f} per use): used %{customdata[2]} → "
                                       "%{customdata[3]} times, %{customdata[0]:.3f} → %{customdata[1]:.3f} per sentence"
                                       "<br>contribution %{x:+.4f}<extra>" + kind + "</extra>"))
    return figure(ctx, title, data, dict(
        barmode="relative", legend=dict(y=1.02),
        yaxis=dict(type="category", categoryorder="array", categoryarray=d["word"].tolist()),
        xaxis=dict(title=dict(text="Contribution to the change in mean sentence tone (change in uses per "
                                   "sentence × the word's tone)"), zeroline=True)),
        _rows_height(len(d)))


@_plain_text
def side_years(df: pd.DataFrame, ctx: ChartContext) -> go.Figure:
    """Slope chart: US and China officials' tone year by year, with n and 90 % intervals."""
    title = "US and China officials' language: tone by year"
    if df.empty:
        return empty(ctx, title, "No words of US or China officials in the selection.")
    data, missing = [], []
    for side in ("US", "China"):
        s = df[df["side"] == side]
        if s.empty:
            missing.append(side)
            continue
        data.append(dict(
            type="scatter", x=s["year"].astype(str).tolist(), y=s["tone"].tolist(), mode="lines+markers+text",
            # China's labels above its points and the US's below, so equal readings stay legible.
            name=f"{side} officials", text=[f"{side} {v:+.2f} ({a} art, {n} sent)"
                                            for v, a, n in zip(s["tone"], s["articles"], s["sentences"])],
            # the first year's label reads rightwards and the last year's leftwards: centred, a label
            # on the last category ran past the chart's right edge
            textposition=[f"{'top' if side == 'China' else 'bottom'} "
                          f"{'right' if i == 0 and len(s) > 1 else 'left' if i == len(s) - 1 and len(s) > 1 else 'center'}"
                          for i in range(len(s))],
            textfont=dict(color=SIDE_COLORS[side]), error_y=dict(_interval(s), color=SIDE_COLORS[side]),
            line=dict(color=SIDE_COLORS[side], width=3),
            marker=dict(size=12, color=SIDE_COLORS[side], line=dict(width=2, color=SIDE_COLORS[side]),
                        symbol=["circle-open" if v else "circle" for v in s["low_confidence"]]),
            customdata=_rows(s, ["articles", "sentences", "low", "high", "side"]),
            hovertemplate=side + " officials, %{x}: tone %{y:.2f} (90 % interval %{customdata[2]:.2f} to "
                                 "%{customdata[3]:.2f})<br>%{customdata[0]} articles, %{customdata[1]} sentences"
                                 "<extra></extra>"))
    notes = [dict(text=f"No {side} officials' words in the selection{_narrowing(ctx)}: only the "
                       f"{'China' if side == 'US' else 'US'} side is drawn.", xref="paper", yref="paper", x=0, y=1.0,
                  yshift=30, xanchor="left", showarrow=False, font=dict(size=12, color=MUTED)) for side in missing]
    return figure(ctx, title, data, dict(
        annotations=[*notes, _low_note()],
        xaxis=dict(type="category", title=dict(text="Year"), categoryorder="category ascending"),
        yaxis=_tone_axis(title=dict(text="Mean over articles of officials' tone"))), bottom=NOTE_ROOM)


@_plain_text
def side_words(df: pd.DataFrame, ctx: ChartContext) -> go.Figure:
    """Small multiples: each side's strongest tone words per year (side rows × year columns)."""
    title = "The words each side used, by year (sum of tone contributions)"
    if df.empty:
        return empty(ctx, title, "No tone words attributed to US or China speakers in the selection.")
    sides = [s for s in ("US", "China") if s in set(df["side"])]
    years = sorted(df["year"].unique())
    layout = copy.deepcopy(_grid_layout(len(sides), len(years), tuple(f"{s} side, {y}" for s in sides for y in years),
                                        horizontal_spacing=0.14, vertical_spacing=0.12))
    data = []
    for i, side in enumerate(sides):
        for j, year in enumerate(years):
            n = i * len(years) + j + 1
            suffix = "" if n == 1 else str(n)
            c = df[(df["side"] == side) & (df["year"] == year)].iloc[::-1]
            data.append(dict(type="bar", x=c["contribution"].tolist(), y=c["word"].tolist(), orientation="h",
                             showlegend=False, xaxis=f"x{suffix}", yaxis=f"y{suffix}",
                             marker=dict(color=[POS if v > 0 else NEG for v in c["contribution"]]),
                             customdata=_rows(c, ["uses", "side"]),
                             hovertemplate="“%{y}”: %{x:+.2f} over %{customdata[0]} uses<extra></extra>"))
            layout[f"yaxis{suffix}"].update(type="category", categoryorder="array", categoryarray=c["word"].tolist())
            layout[f"xaxis{suffix}"].update(zeroline=True)
    return figure(ctx, title, data, layout, max(420, 260 * len(sides) + 120))


@_plain_text
def article_sentence_tone(df: pd.DataFrame, ctx: ChartContext, title_text: str) -> go.Figure:
    """One article, sentence by sentence: tone bars in reading order."""
    title = f"Tone sentence by sentence: {_short(title_text, 60)}"
    if df.empty:
        return empty(ctx, title, "This article has no analysed sentences.")
    bar = dict(type="bar", x=df["sent_idx"].astype(str).tolist(), y=df["tone"].tolist(),
               marker=dict(color=tone_colors(df["tone"])),
               customdata=[[_wrap(t), s or "—"] for t, s in zip(df["text"], df["speaker"])],
               hovertemplate="Sentence %{x}: tone %{y:.2f}<br>speaker: %{customdata[1]}<br>%{customdata[0]}"
                             "<extra></extra>")
    return figure(ctx, title, [bar], dict(
        xaxis=dict(type="category", title=dict(text="Sentence (reading order)"), nticks=min(len(df), 30)),
        yaxis=_tone_axis(title=dict(text="Sentence tone"))), 420)
