"""Every chart of the dashboard: pure functions (DataFrame, ChartContext, ...) -> plotly Figure.

Charts are shared as screenshots in slides and memos, so each one must stand alone: `styled()`
gives every figure a title saying what it shows, a subtitle naming the active filters and the
number of articles, a source note with the tone scale, and one visual theme; ids (issues,
visits, people, articles) go on categorical axes with readable labels; an empty selection
gives `empty()`, a figure with a clear message instead of bare axes.
"""
from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.filters import Filters, describe

FONT = "Inter, 'Segoe UI', Helvetica, Arial, sans-serif"
INK = "#1f2933"
MUTED = "#6b7785"
GRID = "#e4e7eb"
SIDE_COLORS = {"US": "#2b6cb0", "China": "#c53030", "Other": "#718096"}
ACCENT = "#2b6cb0"
NEG, POS = "#c53030", "#2f855a"  # tone: hostile, cooperative
LESS = "#dd6b20"  # attention that fell (not a tone, so not red/green)
# Hostile (red) .. neutral (light) .. cooperative (green): the tone scale of every chart.
TONE_SCALE = [[0.0, "#b2182b"], [0.5, "#f7f7f7"], [1.0, "#1b7837"]]
COUNT_SCALE = [[0.0, "#f0f4f8"], [1.0, "#1c4e80"]]
WIDTH, HEIGHT = 1000, 560
TONE_NOTE = "tone −1 hostile … +1 cooperative"


@dataclass(frozen=True)
class ChartContext:
    """What every chart needs besides its data.

    filters: the active filter set (named in the subtitle); articles: number of articles in the
    selection; store: the store's display name (source note); issue_names: issue id -> readable
    name; visits: catalogue visits (id, name, start, end) drawn on time axes.
    """

    filters: Filters
    articles: int
    store: str
    issue_names: dict = field(default_factory=dict)
    visits: tuple = ()

    def issue(self, issue_id: str) -> str:
        return self.issue_names.get(issue_id) or issue_id.replace("_", " ").capitalize()


def _wrap(text: str, width: int = 70) -> str:
    return "<br>".join(textwrap.wrap(str(text), width)) if text else ""


def _short(text: str, width: int = 34) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def styled(fig: go.Figure, ctx: ChartContext, title: str, height: int = HEIGHT, bottom: int = 0) -> go.Figure:
    """Apply the shared look: title, filter subtitle with article count, source note, theme.

    bottom: extra bottom margin (px) for slanted x labels, so the source note stays below them."""
    n = ctx.articles
    subtitle = f"{describe(ctx.filters)} · {n} article{'s' if n != 1 else ''}"
    fig.update_layout(
        title=dict(text=f"<b>{title}</b>", subtitle=dict(text=subtitle, font=dict(size=13, color=MUTED)),
                   x=0.01, xanchor="left", y=0.97, yanchor="top", font=dict(size=19, color=INK)),
        font=dict(family=FONT, size=13, color=INK),
        template="plotly_white", paper_bgcolor="white", plot_bgcolor="white",
        width=WIDTH, height=height + bottom, margin=dict(l=20, r=30, t=100, b=90 + bottom),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1.0, title=None),
        hoverlabel=dict(font=dict(family=FONT)),
    )
    fig.update_xaxes(automargin=True, gridcolor=GRID, zerolinecolor="#9aa5b1")
    fig.update_yaxes(automargin=True, gridcolor=GRID, zerolinecolor="#9aa5b1")
    note = dict(text=f"Source: Diplotone — {n} article{'s' if n != 1 else ''}, {ctx.store}; {TONE_NOTE}",
                xref="paper", yref="paper", x=0, y=0, yshift=-(72 + bottom), xanchor="left", yanchor="top",
                showarrow=False, font=dict(size=11, color=MUTED), align="left")
    fig.layout.annotations = (*fig.layout.annotations, note)
    return fig


def empty(ctx: ChartContext, title: str, message: str = "No data for the current filters.") -> go.Figure:
    """The empty-selection variant: title and subtitle as usual, a clear message instead of axes."""
    fig = go.Figure()
    fig.add_annotation(text=f"{message}<br><span style='font-size:13px;color:{MUTED}'>"
                            f"Widen the filters in the sidebar to see this chart.</span>",
                       xref="paper", yref="paper", x=0.5, y=0.5, showarrow=False, font=dict(size=17, color=INK))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return styled(fig, ctx, title, height=360)


def _slant_room(labels, angle: float = 35) -> int:
    """Pixels that x labels slanted by `angle` degrees need below the axis (13px font)."""
    longest = max((len(str(x)) for x in labels), default=0)
    return int(longest * 6.8 * math.sin(math.radians(angle)))


def _rows_height(n: int, per_row: int = 28, base: int = 220) -> int:
    return max(380, min(1400, base + per_row * n))


def _tone_axis(fig, axis: str = "x", **kw):
    update = fig.update_xaxes if axis == "x" else fig.update_yaxes
    update(range=[-1.05, 1.05], zeroline=True, zerolinewidth=1.5, tickvals=[-1, -0.5, 0, 0.5, 1],
           ticktext=["−1 hostile", "−0.5", "0", "+0.5", "+1 cooperative"], **kw)


# --- Overview ---------------------------------------------------------------------------------

def issue_frequency(df: pd.DataFrame, ctx: ChartContext, measure: str = "sentences") -> go.Figure:
    """Horizontal bars: sentences per issue (or per 1,000 words), largest on top."""
    title = "How often each issue is discussed" + (" (sentences per 1,000 words)" if measure == "per_1k_words" else " (sentences)")
    if df.empty:
        return empty(ctx, title, "No issue is discussed in the selected articles.")
    d = df.sort_values(measure, ascending=True)
    fig = go.Figure(go.Bar(
        x=d[measure], y=d["issue"], orientation="h", marker_color=ACCENT,
        text=d[measure], textposition="outside", cliponaxis=False, customdata=d[["issue", "sentences", "articles"]],
        hovertemplate="%{y}<br>%{customdata[1]} sentences in %{customdata[2]} articles<extra></extra>"))
    fig.update_yaxes(type="category", tickmode="array", tickvals=d["issue"], ticktext=[ctx.issue(i) for i in d["issue"]])
    fig.update_xaxes(title="Sentences per 1,000 words" if measure == "per_1k_words" else "Sentences tagged with the issue",
                     rangemode="tozero")
    return styled(fig, ctx, title, _rows_height(len(d)))


def tone_trend(df: pd.DataFrame, ctx: ChartContext) -> go.Figure:
    """Articles' tone over time (dots), its 30-day rolling mean (line), visits as shaded bands."""
    title = "Tone of coverage over time, with the visits"
    if df.empty:
        return empty(ctx, title, "No dated articles in the current selection.")
    d = df.assign(pub_date=pd.to_datetime(df["pub_date"]))
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=d["pub_date"], y=d["tone"], mode="markers", name="Article",
        marker=dict(size=(d["sentences"].clip(upper=80) ** 0.5) * 2.2 + 6, color=d["tone"], colorscale=TONE_SCALE,
                    cmin=-1, cmax=1, line=dict(width=1, color=INK)),
        customdata=d[["article_id", "title", "outlet", "visit", "sentences"]],
        hovertemplate="<b>%{customdata[1]}</b><br>%{customdata[2]} · %{x|%d %b %Y} · %{customdata[3]}"
                      "<br>tone %{y:.2f} over %{customdata[4]} sentences<extra></extra>"))
    fig.add_trace(go.Scatter(x=d["pub_date"], y=d["rolling_tone"], mode="lines", name="30-day mean",
                             line=dict(color=INK, width=2), hoverinfo="skip"))
    lo, hi = d["pub_date"].min(), d["pub_date"].max()
    pad = max(pd.Timedelta(days=10), (hi - lo) * 0.05)
    lo, hi = lo - pad, hi + pad
    shown = [v for v in ctx.visits if v.id != "other" and v.start and lo <= pd.Timestamp(v.start) <= hi]
    # Set all bands at once: plotly's add_vrect/add_annotation re-validate every shape on each call.
    fig.update_layout(
        shapes=[dict(type="rect", xref="x", yref="paper", x0=pd.Timestamp(v.start), y0=0, y1=1,
                     x1=pd.Timestamp(v.end or v.start) + pd.Timedelta(days=1), fillcolor="#f6ad55", opacity=0.35,
                     line_width=0, layer="below") for v in shown],
        annotations=[dict(x=pd.Timestamp(v.start), y=1.0, yref="y", text=v.id, textangle=-90, showarrow=False,
                          xanchor="right", yanchor="top", font=dict(size=10, color="#9c4221"), xshift=-1)
                     for v in shown])
    fig.update_xaxes(title="Publication date", range=[lo, hi], tickformat="%b %Y")
    _tone_axis(fig, "y", title="Article tone")
    return styled(fig, ctx, title)


def visit_change(df: pd.DataFrame, ctx: ChartContext, top: int = 10) -> go.Figure:
    """Diverging bars: change in issue attention (per 1,000 words) from the first to the last visit."""
    if df.empty:
        return empty(ctx, "What changed most between the first and the last visit",
                     "The selection covers fewer than two visits.")
    first, last = df["first_visit"].iloc[0], df["last_visit"].iloc[0]
    title = f"What changed most: {first} → {last}"
    d = df.head(top).iloc[::-1]
    fig = go.Figure(go.Bar(
        x=d["change_per_1k"], y=d["issue"], orientation="h",
        marker_color=[ACCENT if v > 0 else LESS for v in d["change_per_1k"]],
        customdata=d[["first_per_1k", "last_per_1k", "first_tone", "last_tone"]],
        hovertemplate="%{y}: %{customdata[0]} → %{customdata[1]} sentences per 1,000 words"
                      "<br>tone %{customdata[2]:.2f} → %{customdata[3]:.2f}<extra></extra>"))
    fig.update_yaxes(type="category", tickmode="array", tickvals=d["issue"], ticktext=[ctx.issue(i) for i in d["issue"]])
    fig.update_xaxes(title=f"Change in sentences per 1,000 words ({last} minus {first})", zeroline=True)
    return styled(fig, ctx, title, _rows_height(len(d)))


# --- Issues -----------------------------------------------------------------------------------

def _heatmap(x_labels, y_labels, z, text, hover, colorbar: str, scale=COUNT_SCALE, zmid=None) -> go.Figure:
    fig = go.Figure(go.Heatmap(x=x_labels, y=y_labels, z=z, text=text, texttemplate="%{text}", colorscale=scale,
                               zmid=zmid, hovertemplate=hover, colorbar=dict(title=dict(text=colorbar, side="right"), thickness=12),
                               xgap=2, ygap=2))
    fig.update_xaxes(type="category", tickangle=-35, showgrid=False)
    fig.update_yaxes(type="category", showgrid=False, autorange="reversed")
    return fig


def issue_matrix(df: pd.DataFrame, ctx: ChartContext, by: str = "visit", measure: str = "per_1k_words") -> go.Figure:
    """Heatmap of issues (rows) by visit or by article (columns), in time order."""
    what = "sentences per 1,000 words" if measure == "per_1k_words" else "sentences"
    title = f"Issues by {by}: {what}"
    if df.empty:
        return empty(ctx, title, "No issue is discussed in the selected articles.")
    if by == "visit":
        cols = df.drop_duplicates("visit")["visit"].tolist()
        col_of = df["visit"]
        labels = cols
    else:
        arts = df.drop_duplicates("article_id")
        cols = arts["article_id"].tolist()
        labels = [f"{_short(t, 28)} ({pd.Timestamp(d):%d %b %y})" if pd.notna(d) else _short(t, 28)
                  for t, d in zip(arts["title"], arts["pub_date"])]
        col_of = df["article_id"]
    issues = df.groupby("issue")["sentences"].sum().sort_values(ascending=False).index.tolist()
    wide = df.assign(col=col_of).pivot_table(index="issue", columns="col", values=measure, aggfunc="sum")
    wide = wide.reindex(index=issues, columns=cols)
    counts = df.assign(col=col_of).pivot_table(index="issue", columns="col", values="sentences", aggfunc="sum")
    counts = counts.reindex(index=issues, columns=cols)
    text = wide.map(lambda v: "" if pd.isna(v) else (f"{v:.0f}" if measure == "sentences" else f"{v:.1f}"))
    fig = _heatmap(labels, [ctx.issue(i) for i in issues], wide.fillna(0).values, text.values,
                   "%{y} · %{x}<br>%{z:.1f} " + what + "<extra></extra>", what)
    fig.update_traces(customdata=counts.fillna(0).values)
    return styled(fig, ctx, title, _rows_height(len(issues), 30, 260), bottom=_slant_room(labels))


def issue_cooccurrence(df: pd.DataFrame, ctx: ChartContext) -> go.Figure:
    """Symmetric heatmap: paragraphs in which two issues are discussed together."""
    title = "Issues discussed together (paragraphs with both)"
    if df.empty:
        return empty(ctx, title, "No paragraph in the selection discusses two issues.")
    both = pd.concat([df, df.rename(columns={"issue_a": "issue_b", "issue_b": "issue_a"})])
    order = both.groupby("issue_a")["paragraphs"].sum().sort_values(ascending=False).index.tolist()
    wide = both.pivot_table(index="issue_a", columns="issue_b", values="paragraphs", aggfunc="sum")
    wide = wide.reindex(index=order, columns=order)
    names = [ctx.issue(i) for i in order]
    text = wide.map(lambda v: "" if pd.isna(v) else f"{v:.0f}")
    fig = _heatmap(names, names, wide.values, text.values, "%{y} + %{x}: %{z} paragraphs<extra></extra>", "Paragraphs")
    return styled(fig, ctx, title, _rows_height(len(order), 34, 300), bottom=_slant_room(names))


# --- People -----------------------------------------------------------------------------------

def people(df: pd.DataFrame, ctx: ChartContext, top: int = 20) -> go.Figure:
    """Who is mentioned and who speaks: mentions and quotes per person, coloured by side."""
    title = "Who is mentioned and who speaks, by side"
    if df.empty:
        return empty(ctx, title, "No people are mentioned in the selection.")
    d = df.head(top).iloc[::-1]
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.04)
    for side, color in SIDE_COLORS.items():
        s = d[d["side"] == side]
        if s.empty:
            continue
        common = dict(y=s["person"], orientation="h", marker_color=color, legendgroup=side,
                      customdata=s[["side", "role", "articles", "quote_tone"]])
        fig.add_trace(go.Bar(x=s["mentions"], name=side, **common,
                             hovertemplate="%{y} (%{customdata[0]}, %{customdata[1]})<br>%{x} mentions in "
                                           "%{customdata[2]} articles<extra></extra>"), 1, 1)
        fig.add_trace(go.Bar(x=s["quotes"], name=side, showlegend=False, **common,
                             hovertemplate="%{y}<br>%{x} quotes, mean tone %{customdata[3]:.2f}<extra></extra>"), 1, 2)
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=d["person"].tolist())
    fig.update_layout(barmode="overlay", legend_title_text="Side")
    fig.update_xaxes(rangemode="tozero")
    fig.update_xaxes(title="Mentions", row=1, col=1)
    fig.update_xaxes(title="Quotes (direct and reported)", row=1, col=2)
    return styled(fig, ctx, title, _rows_height(len(d)))


def person_quotes(df: pd.DataFrame, ctx: ChartContext, person: str) -> go.Figure:
    """A person's quotes over time: one dot per quote at its tone; hover shows the words."""
    title = f"{person}: tone of each quote over time"
    d = df.dropna(subset=["pub_date"]) if not df.empty else df
    if d.empty:
        return empty(ctx, title, f"No dated quotes by {person} in the selection.")
    d = d.assign(pub_date=pd.to_datetime(d["pub_date"]), hover=[_wrap(t) for t in d["text"]])
    fig = go.Figure(go.Scatter(
        x=d["pub_date"], y=d["tone"], mode="markers",
        marker=dict(size=13, color=d["tone"], colorscale=TONE_SCALE, cmin=-1, cmax=1, line=dict(width=1, color=INK)),
        customdata=d[["hover", "title", "kind", "article_id", "sent_idx"]],
        hovertemplate="%{customdata[0]}<br><i>%{customdata[1]}</i> · %{x|%d %b %Y} · %{customdata[2]}"
                      "<br>tone %{y:.2f}<extra></extra>"))
    lo, hi = d["pub_date"].min(), d["pub_date"].max()
    pad = max(pd.Timedelta(days=7), (hi - lo) * 0.05)
    fig.update_xaxes(title="Publication date", range=[lo - pad, hi + pad], tickformat="%d %b %Y")
    _tone_axis(fig, "y", title="Quote tone")
    return styled(fig, ctx, title)


def person_cooccurrence(df: pd.DataFrame, ctx: ChartContext) -> go.Figure:
    """Symmetric heatmap: number of articles in which two people both appear."""
    title = "Who appears with whom (articles mentioning both)"
    if df.empty:
        return empty(ctx, title, "No two people appear in the same article of the selection.")
    both = pd.concat([df, df.rename(columns={"person_a": "person_b", "person_b": "person_a"})])
    order = both.groupby("person_a")["articles"].sum().sort_values(ascending=False).index.tolist()
    wide = both.pivot_table(index="person_a", columns="person_b", values="articles", aggfunc="sum")
    wide = wide.reindex(index=order, columns=order)
    text = wide.map(lambda v: "" if pd.isna(v) else f"{v:.0f}")
    fig = _heatmap(order, order, wide.values, text.values, "%{y} + %{x}: %{z} articles<extra></extra>", "Articles")
    return styled(fig, ctx, title, _rows_height(len(order), 34, 300), bottom=_slant_room(order))


# --- Tone shifts ------------------------------------------------------------------------------

def tone_shift(df: pd.DataFrame, ctx: ChartContext, visit_a: str, visit_b: str, by: str = "issue") -> go.Figure:
    """Dumbbell: tone per issue or per side in visit A (grey) and visit B (coloured)."""
    what = "issue" if by == "issue" else "side (speakers' own words)"
    title = f"Tone shift by {what}: {visit_a} → {visit_b}"
    d = df.dropna(subset=["tone_a", "tone_b"], how="all") if not df.empty else df
    if d.empty:
        return empty(ctx, title, f"Neither visit has tone readings by {by} in the selection.")
    d = d.iloc[::-1]
    labels = [ctx.issue(v) if by == "issue" else v for v in d["label"]]
    fig = go.Figure()
    for (_, r), label in zip(d.iterrows(), labels):
        if pd.notna(r["tone_a"]) and pd.notna(r["tone_b"]):
            fig.add_trace(go.Scatter(x=[r["tone_a"], r["tone_b"]], y=[label, label], mode="lines",
                                     line=dict(color="#9aa5b1", width=3), showlegend=False, hoverinfo="skip"))
    custom = d[["n_a", "n_b", "change", "label"]]
    fig.add_trace(go.Scatter(x=d["tone_a"], y=labels, mode="markers", name=visit_a, customdata=custom,
                             marker=dict(size=13, color="#a0aec0", line=dict(width=1, color=INK)),
                             hovertemplate="%{y} in " + visit_a + ": %{x:.2f} (%{customdata[0]} sentences)<extra></extra>"))
    fig.add_trace(go.Scatter(x=d["tone_b"], y=labels, mode="markers", name=visit_b, customdata=custom,
                             marker=dict(size=13, color=ACCENT, line=dict(width=1, color=INK)),
                             hovertemplate="%{y} in " + visit_b + ": %{x:.2f} (%{customdata[1]} sentences)"
                                           "<br>change %{customdata[2]:+.2f}<extra></extra>"))
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=labels)
    _tone_axis(fig, "x", title="Mean tone of the sentences")
    return styled(fig, ctx, title, _rows_height(len(d), 34))


def tone_drivers(df: pd.DataFrame, ctx: ChartContext, visit_a: str, visit_b: str) -> go.Figure:
    """Diverging bars: the words whose tone contribution per sentence changed most from A to B."""
    title = f"Words that drove the tone shift: {visit_a} → {visit_b}"
    if df.empty:
        return empty(ctx, title, "No tone words in the sentences of these two visits.")
    d = df.iloc[::-1]
    fig = go.Figure(go.Bar(
        x=d["change"], y=d["word"], orientation="h", marker_color=[POS if v > 0 else NEG for v in d["change"]],
        customdata=d[["per_sentence_a", "per_sentence_b", "uses_a", "uses_b"]],
        hovertemplate="“%{y}”: %{customdata[0]:.3f} → %{customdata[1]:.3f} per sentence"
                      "<br>used %{customdata[2]} → %{customdata[3]} times<extra></extra>"))
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=d["word"].tolist())
    fig.update_xaxes(title="Change in tone contribution per sentence (+ more cooperative)", zeroline=True)
    return styled(fig, ctx, title, _rows_height(len(d)))


def side_years(df: pd.DataFrame, ctx: ChartContext) -> go.Figure:
    """Slope chart: mean tone of US-side and China-side words, year by year."""
    title = "US-side and China-side language: tone by year"
    if df.empty:
        return empty(ctx, title, "No words attributed to US or China speakers in the selection.")
    fig = go.Figure()
    for side in ("US", "China"):
        s = df[df["side"] == side]
        if s.empty:
            continue
        fig.add_trace(go.Scatter(
            x=s["year"].astype(str), y=s["tone"], mode="lines+markers+text", name=f"{side} side",
            text=[f"{v:+.2f}" for v in s["tone"]], textposition="middle right",
            line=dict(color=SIDE_COLORS[side], width=3), marker=dict(size=12),
            customdata=s[["sentences", "coop"]],
            hovertemplate=side + " side, %{x}: tone %{y:.2f}, cooperation %{customdata[1]:.2f}"
                                 "<br>%{customdata[0]} sentences<extra></extra>"))
    fig.update_xaxes(type="category", title="Year", categoryorder="category ascending")
    _tone_axis(fig, "y", title="Mean tone of the side's words")
    return styled(fig, ctx, title)


def side_words(df: pd.DataFrame, ctx: ChartContext) -> go.Figure:
    """Small multiples: each side's strongest tone words per year (side rows × year columns)."""
    title = "The words each side used, by year (sum of tone contributions)"
    if df.empty:
        return empty(ctx, title, "No tone words attributed to US or China speakers in the selection.")
    sides = [s for s in ("US", "China") if s in set(df["side"])]
    years = sorted(df["year"].unique())
    fig = make_subplots(rows=len(sides), cols=len(years), horizontal_spacing=0.14, vertical_spacing=0.12,
                        subplot_titles=[f"{s} side, {y}" for s in sides for y in years])
    for i, side in enumerate(sides, 1):
        for j, year in enumerate(years, 1):
            c = df[(df["side"] == side) & (df["year"] == year)].iloc[::-1]
            fig.add_trace(go.Bar(x=c["contribution"], y=c["word"], orientation="h", showlegend=False,
                                 marker_color=[POS if v > 0 else NEG for v in c["contribution"]],
                                 customdata=c[["uses"]],
                                 hovertemplate="“%{y}”: %{x:+.2f} over %{customdata[0]} uses<extra></extra>"), i, j)
            fig.update_yaxes(type="category", categoryorder="array", categoryarray=c["word"].tolist(), row=i, col=j)
    fig.update_xaxes(zeroline=True)
    return styled(fig, ctx, title, max(420, 260 * len(sides) + 120))


def article_sentence_tone(df: pd.DataFrame, ctx: ChartContext, title_text: str) -> go.Figure:
    """One article, sentence by sentence: tone bars in reading order."""
    title = f"Tone sentence by sentence: {_short(title_text, 60)}"
    if df.empty:
        return empty(ctx, title, "This article has no analysed sentences.")
    fig = go.Figure(go.Bar(
        x=df["sent_idx"].astype(str), y=df["tone"], marker=dict(color=df["tone"], colorscale=TONE_SCALE, cmin=-1, cmax=1),
        customdata=[[_wrap(t), s or "—"] for t, s in zip(df["text"], df["speaker"])],
        hovertemplate="Sentence %{x}: tone %{y:.2f}<br>speaker: %{customdata[1]}<br>%{customdata[0]}<extra></extra>"))
    fig.update_xaxes(type="category", title="Sentence (reading order)", nticks=min(len(df), 30))
    _tone_axis(fig, "y", title="Sentence tone")
    return styled(fig, ctx, title, 420)

