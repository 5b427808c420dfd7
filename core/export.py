"""Every chart at once, as files: what `diplotone charts --out DIR [filters]` writes.

The dashboard and the export build charts from the same pairs of functions (core.store.queries for
the table, core.figures for the figure), so an exported PNG is the chart a user saw. Static
images are rendered by kaleido, which drives a local Chromium (BROWSER_PATH, default
/usr/bin/chromium when present); nothing is downloaded.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from core import figures as F
from core.store import queries as Q
from core.catalogs import CATALOG_FILES, load_issues, load_visits
from core.errors import CatalogError, InputError
from core.filters import Filters
from core.paths import seeds_dir
from core.store.db import read_connection

PNG_SCALE = 2


def catalogue_labels(seeds: Path | None = None) -> tuple[dict, tuple]:
    """Issue id -> name and the visit list from the seeds catalogues (empty when unreadable)."""
    folder = Path(seeds or seeds_dir())
    try:
        names = {i.id: i.name for i in load_issues(folder / CATALOG_FILES["issues"])}
    except CatalogError:
        names = {}
    try:
        visits = tuple(load_visits(folder / CATALOG_FILES["visits"]))
    except CatalogError:
        visits = ()
    return names, visits


def make_context(con, filters: Filters, labels: tuple[dict, tuple] | None = None) -> F.ChartContext:
    """The chart context for a filter set: its articles, outlets and date span, catalogue labels."""
    names, visits = labels or catalogue_labels()
    s = Q.corpus_summary(con, filters).iloc[0]
    return F.ChartContext(filters=filters, articles=int(s["articles"]), outlets=int(s["outlets"]),
                          first_date=s["first_date"], last_date=s["last_date"], issue_names=names, visits=visits)


def default_pair(con, filters: Filters) -> tuple[str | None, str | None]:
    """The first and the last visit of the selection (None when it has fewer than two)."""
    order = Q.visit_order(con, filters)["visit"].tolist()
    return (order[0], order[-1]) if len(order) >= 2 else (None, None)


PAGES = ("overview", "issues", "people", "tone_shifts")


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in str(text))


def page_charts(con, filters: Filters, ctx: F.ChartContext, page: str, pair: tuple | None = None,
                quotes_of: str | None = None) -> Iterator[tuple[str, pd.DataFrame, go.Figure]]:
    """(file stem, table, figure) for every chart of one dashboard page, with its choices: the visit
    pair of the tone shifts (default: first and last visit of the selection) and the person whose
    quotes are drawn (default: the one person filtered, else the most mentioned speaker); stems of
    charts that depend on a choice name it."""
    if page == "overview":
        df = Q.issue_frequency(con, filters)
        yield "issue_frequency", df, F.issue_frequency(df, ctx)
        df = Q.tone_trend(con, filters, Q.trend_unit(Q.corpus_summary(con, filters)))
        yield "tone_trend", df, F.tone_trend(df, ctx)
        df = Q.visit_change(con, filters)
        yield "visit_change", df, F.visit_change(df, ctx)
    elif page == "issues":
        df = Q.issue_by_visit(con, filters)
        yield "issues_by_visit", df, F.issue_matrix(df, ctx, by="visit")
        df = Q.issue_by_article(con, filters)
        yield "issues_by_article", df, F.issue_matrix(df, ctx, by="article")
        df = Q.issue_cooccurrence(con, filters)
        yield "issue_cooccurrence", df, F.issue_cooccurrence(df, ctx)
    elif page == "people":
        ppl = Q.people(con, filters)
        yield "people", ppl, F.people(ppl, ctx)
        speakers = ppl[ppl["quotes"] > 0]["person"].tolist()
        person = quotes_of or (filters.persons[0] if len(filters.persons) == 1 else (speakers or [None])[0])
        if person:
            df = Q.person_quotes(con, filters, person)
            yield f"person_quotes_{_slug(person)}", df, F.person_quotes(df, ctx, person)
        df = Q.person_cooccurrence(con, filters)
        yield "person_cooccurrence", df, F.person_cooccurrence(df, ctx)
    elif page == "tone_shifts":
        a, b = pair if pair and all(pair) else default_pair(con, filters)
        df = Q.visit_tone(con, filters.replace(visits=()))
        yield "visit_tone", df, F.visit_tone(df, ctx, a, b)
        if a and b:
            for by in ("issue", "side"):
                df = Q.tone_shift(con, filters, a, b, by=by)
                yield f"tone_shift_by_{by}_{a}_to_{b}", df, F.tone_shift(df, ctx, a, b, by=by)
            df = Q.tone_drivers_shift(con, filters, a, b)
            yield f"tone_drivers_{a}_to_{b}", df, F.tone_drivers(df, ctx, a, b)
        df = Q.side_language_by_year(con, filters)
        yield "side_language_by_year", df, F.side_years(df, ctx)
        df = Q.side_words_by_year(con, filters)
        yield "side_words_by_year", df, F.side_words(df, ctx)
    else:
        raise ValueError(f"page must be one of {', '.join(PAGES)}, got {page!r}")


def all_charts(con, filters: Filters, ctx: F.ChartContext, pair: tuple | None = None,
               quotes_of: str | None = None) -> Iterator[tuple[str, pd.DataFrame, go.Figure]]:
    """(file stem, table, figure) for every chart, page by page (choices as in page_charts)."""
    for page in PAGES:
        yield from page_charts(con, filters, ctx, page, pair, quotes_of)


def csv_text(table: pd.DataFrame) -> str:
    """A table as a CSV for a spreadsheet: dates as YYYY-MM-DD (not "2024-04-30 00:00:00"), missing
    values empty (not "None"), and text cells that a spreadsheet would run as a formula (= + - @,
    or a tab or carriage return before one) prefixed with an apostrophe. Every CSV the product
    writes goes through here (chart and evidence downloads, the Corpus table, `diplotone charts`,
    `diplotone articles --format csv`)."""
    out = table.copy()
    for col in out.columns:
        values = out[col]
        if pd.api.types.is_datetime64_any_dtype(values):
            out[col] = values.dt.strftime("%Y-%m-%d")
        elif not (pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values)):
            out[col] = [_cell(v) for v in values]
    return out.to_csv(index=False)


def _cell(value):
    if value is None or (not isinstance(value, (str, list, tuple)) and pd.isna(value)):
        return ""
    if hasattr(value, "isoformat") and not isinstance(value, str):
        return value.isoformat()[:10] if not getattr(value, "hour", 0) else value.isoformat(sep=" ")
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _ensure_browser():
    """Point kaleido at Debian's chromium unless the user chose a browser (BROWSER_PATH)."""
    if not os.environ.get("BROWSER_PATH"):
        found = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
        if found:
            os.environ["BROWSER_PATH"] = found


def figure_image(fig: go.Figure, fmt: str) -> bytes:
    """One figure as PNG (2x scale) or SVG bytes, for a download button."""
    _ensure_browser()
    return fig.to_image(format=fmt, scale=PNG_SCALE if fmt == "png" else 1,
                        width=fig.layout.width, height=fig.layout.height)


def write_charts(store_path, out_dir, filters: Filters | None = None, formats=("png", "svg"),
                 pair: tuple | None = None, quotes_of: str | None = None) -> list[Path]:
    """Write every chart for a filter set as image files (and its table as CSV) into out_dir.

    Returns the image paths written. One read-only connection, closed before rendering. Files
    are written into a fresh private folder inside out_dir and then moved onto their names, so a
    symlink planted in out_dir is replaced, never followed (its target is not overwritten).
    """
    filters = filters or Filters()
    out = Path(out_dir)
    with read_connection(store_path) as con:
        ctx = make_context(con, filters)
        charts = list(all_charts(con, filters, ctx, pair, quotes_of))
    try:
        out.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".diplotone-", dir=out))
    except OSError as exc:
        raise InputError(out, f"cannot write the charts here ({exc.strerror or exc}): choose a folder you "
                              "can write to with --out") from None
    try:
        figs, files, fmts, names = [], [], [], []
        for stem, table, fig in charts:
            (staging / f"{stem}.csv").write_text(csv_text(table), encoding="utf-8")
            names.append(f"{stem}.csv")
            for fmt in formats:
                figs.append(fig)
                files.append(staging / f"{stem}.{fmt}")
                fmts.append(fmt)
                names.append(f"{stem}.{fmt}")
        if figs:
            _ensure_browser()
            import plotly.io as pio

            # kaleido does not read the layout's size: pass it, so the file is the chart as designed.
            pio.write_images(figs, files, format=fmts, scale=[PNG_SCALE if f == "png" else 1 for f in fmts],
                             width=[f.layout.width for f in figs], height=[f.layout.height for f in figs])
        for name in names:
            os.replace(staging / name, out / name)  # replaces a symlink itself, not its target
    except OSError as exc:
        raise InputError(out, f"cannot write the charts here ({exc.strerror or exc}): choose a folder you "
                              "can write to with --out") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [out / f.name for f in files]
