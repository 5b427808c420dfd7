"""Every aggregation behind the dashboard: pure functions (con, filters, ...) -> DataFrame.

One parameterised DuckDB statement per chart, built on shared CTEs so that every chart
applies the filters the same way (see core.filters for their meaning):
- `arts`: the selected, non-duplicate articles;
- `sents`: the selected sentences of those articles with a `weight` (the issue-hit weight when
  an issue filter is active, else 1), which sentence-level measures (tone, issue counts) use.
- `hits`: the issue hits of those sentences (only the chosen issues under an issue filter);
  core.issues writes one hit per (sentence, issue), so counting hits counts sentences. Each hit
  carries its sentence's paragraph, tone, side and speaker (core.store.schema), so issue charts read
  `hits` without joining the sentences, which are ~50 rows per article.
Where no filter narrows to some sentences of an article (issue, person), charts read the
per-article sums of core.store.schema (issue_pairs, article_words) instead of sentence-level rows;
likewise issue counts and tones read article_issues where no side or person filter drops hits.
A search (f.query) joins `qh`, the matching sentences: the caller registers their index rows as
`query_matches` (core.search.results.query_scope).
Tone values are on -1 (hostile) .. +1 (cooperative). Every number can be traced back to its rows
with core.evidence.
"""
from __future__ import annotations

import pandas as pd

from core.corrections import corrected_rows_sql
from core.filters import Filters
from core.search.index import ART_KEY
from core.tone.aggregates import MIN_SENTENCES, finish, grouped, grouped_sql

NO_VISIT = "other"
QUOTES_SHOWN = 500  # a person's latest quotes shown (a cloud of thousands of dots reads as nothing)
ARTICLE_COLUMNS = 40  # articles shown by the issue-by-article chart (those with most issue sentences)


class _Sql:
    """Collects the bound parameters of one statement (DuckDB rejects unused named ones)."""

    def __init__(self):
        self.params: dict[str, object] = {}

    def bind(self, name: str, value, cast: str = "") -> str:
        self.params[name] = list(value) if isinstance(value, tuple) else value
        return f"${name}{cast}"

    def in_list(self, column: str, name: str, values) -> str:
        return f"{column} IN (SELECT unnest({self.bind(name, values, '::VARCHAR[]')}))"


def _scope(f: Filters, q: _Sql) -> str:
    """The `arts` and `sents` CTEs for a filter set (text of a WITH clause, without WITH)."""
    art = ["a.duplicate_of IS NULL"]
    if f.visits:
        art.append(q.in_list("a.visit", "visits", f.visits))
    if f.outlets:
        art.append(f"(a.outlet IN (SELECT unnest({q.bind('outlets', f.outlets, '::VARCHAR[]')})) "
                   f"OR list_has_any(a.outlets, $outlets::VARCHAR[]))")
    if f.date_from:
        art.append(f"a.pub_date >= {q.bind('date_from', f.date_from)}")
    if f.date_to:
        art.append(f"a.pub_date <= {q.bind('date_to', f.date_to)}")
    if f.issues:  # article_issues: one row per article and issue it has a hit on (a third of issue_hits)
        art.append(f"a.article_id IN (SELECT article_id FROM article_issues WHERE {q.in_list('issue', 'issues', f.issues)})")
    if f.outlet_types:
        art.append("a.article_id IN (SELECT article_id FROM article_sources WHERE "
                   f"{q.in_list('outlet_type', 'outlet_types', f.outlet_types)})")
    if f.query:
        art.append("a.article_id IN (SELECT article_id FROM qh)")
    if f.persons:
        q.bind("persons", f.persons)
        art.append("a.article_id IN (SELECT article_id FROM mentions WHERE canonical IN (SELECT unnest($persons::VARCHAR[])) "
                   "UNION SELECT article_id FROM quotes WHERE speaker IN (SELECT unnest($persons::VARCHAR[])))")
    sent = ["TRUE"]
    weight = "1.0"
    join = ""
    if f.issues:
        join = ("JOIN (SELECT article_id, sent_idx, max(weight) AS w FROM issue_hits "
                "WHERE issue IN (SELECT unnest($issues::VARCHAR[])) GROUP BY ALL) iw USING (article_id, sent_idx)")
        weight = "iw.w"
    if f.query:
        join += " JOIN qh USING (article_id, sent_idx)"
    if f.sides:
        sent.append(q.in_list("s.side", "sides", f.sides))
    if f.persons:
        sent.append("(s.speaker IN (SELECT unnest($persons::VARCHAR[])) OR EXISTS (SELECT 1 FROM mentions m "
                    "WHERE m.article_id = s.article_id AND m.sent_idx = s.sent_idx "
                    "AND m.canonical IN (SELECT unnest($persons::VARCHAR[]))))")
    cols = "h.article_id, h.sent_idx, h.issue, h.weight, h.paragraph, h.tone, h.side, h.speaker"
    if f.persons or f.query:  # which sentences are in is known from sents only: join them
        hits = f"""
            SELECT {cols} FROM issue_hits h JOIN sents s USING (article_id, sent_idx) WHERE {_issue_cond(f)}"""
    else:  # a hit carries its sentence's side (core.store.schema): no need to join the sentences
        side = q.in_list("h.side", "sides", f.sides) if f.sides else "TRUE"
        hits = f"""
            SELECT {cols} FROM issue_hits h
            WHERE h.article_id IN (SELECT article_id FROM arts) AND {_issue_cond(f)} AND {side}"""
    matched = f"""
        qh AS (SELECT x.article_id, m.sent AS sent_idx, m.score FROM query_matches m
               JOIN (SELECT article_id, {ART_KEY} AS art FROM articles) x USING (art)),""" if f.query else ""
    return f"""{matched}
        arts AS (
            SELECT a.article_id, a.title, a.outlet, a.pub_date, a.visit, a.words, a.file
            FROM articles a WHERE {' AND '.join(art)}
        ),
        sents AS (
            SELECT s.article_id, s.sent_idx, s.text, s.paragraph, s.tone, s.coop, s.speaker, s.side,
                   {weight} AS weight, arts.title, arts.pub_date, arts.visit, arts.outlet
            FROM sentences s JOIN arts USING (article_id) {join}
            WHERE {' AND '.join(sent)}
        ),
        hits AS ({hits}
        )"""


def _issue_cond(f: Filters, column: str = "h.issue") -> str:
    """With an issue filter, issue charts show only the chosen issues (bound as $issues by _scope)."""
    return f"{column} IN (SELECT unnest($issues::VARCHAR[]))" if f.issues else "TRUE"


def _run(con, f: Filters, select: str, ctes: str = "") -> pd.DataFrame:
    """Run `WITH arts, sents[, ctes] select` for a filter set."""
    q = _Sql()
    scope = _scope(f, q)
    return con.execute(f"WITH {scope}{', ' + ctes if ctes else ''} {select}", q.params).df()


# --- Overview ---------------------------------------------------------------------------------

def _side_cond(f: Filters, side: str | None = None) -> str:
    """Rows `aw` of a per-article table of the side filter ($sides, bound by _scope) and the picked side ($side)."""
    conds = ["aw.side IN (SELECT unnest($sides::VARCHAR[]))"] if f.sides else []
    if side:
        conds.append("aw.side = $side")
    return " AND ".join(conds) or "TRUE"


def _per_article(f: Filters) -> bool:
    """Whether no filter narrows to some sentences of an article (issue, person): then sentence
    counts and sums come from the per-article tables (article_sides, article_words, issue_pairs)."""
    return not (f.issues or f.persons or f.query)


def _every_hit(f: Filters) -> bool:
    """Whether every issue hit of a selected article is selected (no side, person or query filter
    drops some of its sentences): then its per-issue sums come from article_issues / issue_pairs."""
    return not (f.sides or f.persons or f.query)


def _one_issue(f: Filters) -> bool:
    """Whether the only sentence filter is one issue: then an article's selected sentences are its
    hits on that issue, summed per article in article_issues (the sentences table has ~55 rows per
    article, article_issues one per article and issue)."""
    return len(f.issues) == 1 and _every_hit(f)


def corpus_summary(con, f: Filters) -> pd.DataFrame:
    """One row: articles, dated articles, outlets, visits (excluding 'other'), first/last date,
    sentences, words."""
    if _per_article(f):
        sentences = ("SELECT coalesce(sum(aw.sentences), 0)::BIGINT FROM article_sides aw "
                     f"WHERE aw.article_id IN (SELECT article_id FROM arts) AND {_side_cond(f)}")
    elif _one_issue(f):
        sentences = ("SELECT coalesce(sum(sentences), 0)::BIGINT FROM article_issues "
                     f"WHERE article_id IN (SELECT article_id FROM arts) AND {_issue_cond(f, 'issue')}")
    else:
        sentences = "SELECT count(*) FROM sents"
    return _run(con, f, f"""
        SELECT count(*) AS articles, count(pub_date) AS dated, count(DISTINCT outlet) AS outlets,
               count(DISTINCT visit) FILTER (WHERE visit <> '{NO_VISIT}') AS visits,
               min(pub_date) AS first_date, max(pub_date) AS last_date, coalesce(sum(words), 0)::BIGINT AS words,
               ({sentences}) AS sentences
        FROM arts""")


def _issue_articles(f: Filters) -> str:
    """The `ia` CTE: per issue and selected article, tagged sentences (n), the sum of their hit
    weights (w) and of tone x weight (tw). Every hit of an article counts unless a side or person
    filter drops some: then sum `hits`, else read the per-article sums (core.store.schema article_issues)."""
    if not _every_hit(f):
        src = "SELECT issue, article_id, count(*) AS n, sum(weight) AS w, sum(tone * weight) AS tw FROM hits GROUP BY ALL"
    else:
        src = f"""SELECT issue, article_id, sentences AS n, weight_sum AS w, tone_weighted_sum AS tw FROM article_issues
                  WHERE article_id IN (SELECT article_id FROM arts) AND {_issue_cond(f, 'issue')}"""
    return f"ia AS ({src})"


def issue_frequency(con, f: Filters) -> pd.DataFrame:
    """Per issue: sentences tagged, articles, and sentences per 1,000 words of the selection."""
    return _run(con, f, """
        SELECT issue, sum(n)::BIGINT AS sentences, count(*) AS articles,
               round(1000.0 * sum(n) / nullif((SELECT sum(words) FROM arts), 0), 2) AS per_1k_words
        FROM ia GROUP BY issue ORDER BY sentences DESC, issue""", _issue_articles(f))


TREND_ARTICLES = 2000  # dated articles above which the tone trend draws one dot per day, not per article


def _trend_articles(f: Filters) -> str:
    """Per dated article of the selection: title, outlet, pub_date, visit, sentences and tone
    (core.tone.aggregates: the mean tone of its selected sentences, which without a sentence
    filter is the stored article tone)."""
    if _per_article(f):  # every selected sentence weighs 1: per-article sums
        src, n, tone, w = (f"""(SELECT aw.*, a.title, a.outlet, a.pub_date, a.visit FROM article_sides aw
                                JOIN arts a USING (article_id) WHERE {_side_cond(f)})""",
                           "sum(sentences)::BIGINT", "sum(tone)", "sum(sentences)")
    elif _one_issue(f):  # the issue's hits, summed per article
        src, n, tone, w = (f"""(SELECT ai.*, a.title, a.outlet, a.pub_date, a.visit FROM article_issues ai
                                JOIN arts a USING (article_id) WHERE {_issue_cond(f, 'ai.issue')})""",
                           "sum(sentences)::BIGINT", "sum(tone_weighted_sum)", "sum(weight_sum)")
    else:
        src, n, tone, w = "sents", "count(*)", "sum(tone * weight)", "sum(weight)"
    return f"""SELECT article_id, any_value(title) AS title, any_value(outlet) AS outlet,
                      any_value(pub_date) AS pub_date, any_value(visit) AS visit,
                      {n} AS sentences, {tone} / {w} AS tone
               FROM {src} WHERE pub_date IS NOT NULL GROUP BY article_id"""


def tone_trend(con, f: Filters, by: str = "article") -> pd.DataFrame:
    """The tone over time: per dated article (by='article') its tone, or per day (by='day') the
    mean over that day's articles of their tone, with articles; either with a 30-day rolling mean
    over articles (the same line both ways) and low_confidence when a dot rests on fewer than
    MIN_SENTENCES sentences. trend_unit(corpus_summary) says which a selection is drawn by."""
    window = "ORDER BY pub_date RANGE BETWEEN INTERVAL 30 DAYS PRECEDING AND CURRENT ROW"
    if by == "article":
        return _run(con, f, f"""
            SELECT article_id, title, outlet, pub_date, visit, sentences, round(tone, 3) AS tone,
                   sentences < {MIN_SENTENCES} AS low_confidence, round(avg(tone) OVER ({window}), 3) AS rolling_tone
            FROM per ORDER BY pub_date, article_id""", f"per AS ({_trend_articles(f)})")
    if by == "day":
        return _run(con, f, f"""
            SELECT pub_date, count(*) AS articles, sum(sentences)::BIGINT AS sentences, round(avg(tone), 3) AS tone,
                   mode(visit ORDER BY visit) AS visit, sum(sentences) < {MIN_SENTENCES} AS low_confidence,
                   round(sum(sum(tone)) OVER ({window}) / sum(count(*)) OVER ({window}), 3) AS rolling_tone
            FROM per GROUP BY pub_date ORDER BY pub_date""", f"per AS ({_trend_articles(f)})")
    raise ValueError(f"by must be 'article' or 'day', got {by!r}")


def trend_unit(summary: pd.DataFrame) -> str:
    """'article' where the selection (its corpus_summary) has at most TREND_ARTICLES dated articles,
    else 'day': a cloud of 100k dots reads as nothing and costs seconds to draw."""
    return "article" if int(summary["dated"].iloc[0]) <= TREND_ARTICLES else "day"


def visit_tone(con, f: Filters) -> pd.DataFrame:
    """Per visit (not 'other'): the mean over its articles of their tone as tone_trend gives it,
    with articles, sentences and the 90 % bootstrap interval (core.tone.aggregates.grouped)."""
    trend = tone_trend(con, f)
    trend = trend[trend["visit"] != NO_VISIT]
    out = grouped(trend[["visit", "article_id", "tone", "sentences"]], ["visit"])
    first = trend.groupby("visit", as_index=False)["pub_date"].min().rename(columns={"pub_date": "first_date"})
    return out.merge(first, on="visit", how="left").sort_values(["first_date", "visit"]).reset_index(drop=True)


def visit_order(con, f: Filters) -> pd.DataFrame:
    """The visits in the selection (not 'other'), in time order, with their article counts."""
    return _run(con, f, f"""
        SELECT visit, min(pub_date) AS first_date, count(*) AS articles
        FROM arts WHERE visit <> '{NO_VISIT}' GROUP BY visit ORDER BY first_date NULLS LAST, visit""")


def visit_change(con, f: Filters) -> pd.DataFrame:
    """Issue attention (sentences per 1,000 words) and issue tone (issue_visit_tone) in the first
    vs the last visit of the selection, most changed first. Empty with fewer than two visits."""
    ctes = f"""
        v AS (SELECT visit, min(pub_date) AS d, sum(words) AS words FROM arts
              WHERE visit <> '{NO_VISIT}' GROUP BY visit HAVING count(*) > 0),
        ends AS (SELECT (SELECT visit FROM v ORDER BY d NULLS LAST, visit LIMIT 1) AS first_visit,
                        (SELECT visit FROM v ORDER BY d DESC NULLS LAST, visit DESC LIMIT 1) AS last_visit),
        {_issue_articles(f)},
        per AS (
            SELECT ia.issue, a.visit, sum(ia.n) AS n
            FROM ia JOIN arts a USING (article_id) GROUP BY ALL)"""
    df = _run(con, f, """
        SELECT i.issue, e.first_visit, e.last_visit,
               round(1000.0 * coalesce(p1.n, 0) / v1.words, 2) AS first_per_1k,
               round(1000.0 * coalesce(p2.n, 0) / v2.words, 2) AS last_per_1k,
               round(1000.0 * (coalesce(p2.n, 0) / v2.words - coalesce(p1.n, 0) / v1.words), 2) AS change_per_1k,
        FROM (SELECT DISTINCT issue FROM per) i CROSS JOIN ends e
        JOIN v v1 ON v1.visit = e.first_visit JOIN v v2 ON v2.visit = e.last_visit
        LEFT JOIN per p1 ON p1.issue = i.issue AND p1.visit = e.first_visit
        LEFT JOIN per p2 ON p2.issue = i.issue AND p2.visit = e.last_visit
        WHERE e.first_visit <> e.last_visit
        ORDER BY abs(change_per_1k) DESC, i.issue""", ctes)
    # A visit's issue readings depend only on its own articles: read the two visits compared, not every visit.
    ends = tuple(df[["first_visit", "last_visit"]].iloc[0]) if len(df) else ()
    tones = issue_visit_tone(con, f.replace(visits=ends)).set_index(["label", "visit"])["tone"] if ends else {}
    df["first_tone"] = [tones.get((i, v)) for i, v in zip(df["issue"], df["first_visit"])]
    df["last_tone"] = [tones.get((i, v)) for i, v in zip(df["issue"], df["last_visit"])]
    return df


# --- Issues -----------------------------------------------------------------------------------

def issue_by_visit(con, f: Filters) -> pd.DataFrame:
    """Per issue and visit: sentences tagged and sentences per 1,000 words of that visit's articles."""
    ctes = f"""vw AS (SELECT visit, sum(words) AS words, min(pub_date) AS first_date FROM arts GROUP BY visit),
        {_issue_articles(f)},
        per AS (SELECT ia.issue, a.visit, sum(ia.n)::BIGINT AS sentences FROM ia JOIN arts a USING (article_id) GROUP BY ALL)"""
    return _run(con, f, """
        SELECT per.issue, per.visit, vw.first_date, per.sentences,
               round(1000.0 * per.sentences / nullif(vw.words, 0), 2) AS per_1k_words
        FROM per JOIN vw USING (visit) ORDER BY first_date NULLS LAST, per.visit, per.issue""", ctes)


def issue_by_article(con, f: Filters, top: int = ARTICLE_COLUMNS) -> pd.DataFrame:
    """Per issue and article: sentences tagged and sentences per 1,000 words of the article, for the
    `top` articles with the most tagged sentences (a chart of thousands of columns is unreadable)."""
    ctes = f"""{_issue_articles(f)},
        per AS (SELECT issue, article_id, n::BIGINT AS sentences FROM ia),
        topa AS (SELECT article_id FROM per GROUP BY article_id ORDER BY sum(sentences) DESC, article_id
                 LIMIT $top)"""
    q = _Sql()
    scope = _scope(f, q)
    q.bind("top", int(top))
    return con.execute(f"""WITH {scope}, {ctes}
        SELECT per.issue, per.article_id, a.title, a.outlet, a.pub_date, per.sentences,
               round(1000.0 * per.sentences / nullif(a.words, 0), 2) AS per_1k_words
        FROM per JOIN arts a USING (article_id) WHERE per.article_id IN (SELECT article_id FROM topa)
        ORDER BY a.pub_date NULLS LAST, per.article_id, per.issue""", q.params).df()


def issue_cooccurrence(con, f: Filters) -> pd.DataFrame:
    """Pairs of issues discussed in the same paragraph: number of such paragraphs (a < b).

    Under an issue filter, the pairs that include a chosen issue, with any other issue of the
    paragraph (Taiwan with the South China Sea), not only pairs of chosen issues."""
    q = _Sql()
    scope = _scope(f.replace(issues=()), q)
    chosen_articles = chosen_pair = "TRUE"
    if f.issues:
        chosen = f"(SELECT unnest({q.bind('chosen', f.issues, '::VARCHAR[]')}))"
        chosen_articles = f"article_id IN (SELECT article_id FROM issue_hits WHERE issue IN {chosen})"
        chosen_pair = f"(issue_a IN {chosen} OR issue_b IN {chosen})"
    if _every_hit(f):  # every sentence of the selected articles counts: per-article pairs
        sql = f"""WITH {scope}
            SELECT issue_a, issue_b, sum(paragraphs)::BIGINT AS paragraphs, count(*) AS articles
            FROM issue_pairs WHERE article_id IN (SELECT article_id FROM arts) AND {chosen_articles} AND {chosen_pair}
            GROUP BY ALL ORDER BY paragraphs DESC, issue_a, issue_b"""
    else:
        sql = f"""WITH {scope}, ph AS (SELECT DISTINCT article_id, paragraph, issue FROM hits WHERE {chosen_articles})
            SELECT x.issue AS issue_a, y.issue AS issue_b, count(*) AS paragraphs,
                   count(DISTINCT x.article_id) AS articles
            FROM ph x JOIN ph y ON x.article_id = y.article_id AND x.paragraph = y.paragraph AND x.issue < y.issue
            WHERE {chosen_pair.replace('issue_a', 'x.issue').replace('issue_b', 'y.issue')}
            GROUP BY ALL ORDER BY paragraphs DESC, issue_a, issue_b"""
    return con.execute(sql, q.params).df()


# --- People -----------------------------------------------------------------------------------

def _person_cond(f: Filters, q: _Sql, column: str = "p.canonical", side_column: str = "p.side") -> str:
    conds = []
    if f.persons:
        conds.append(f"{column} IN (SELECT unnest($persons::VARCHAR[]))")
    if f.sides:
        conds.append(f"{side_column} IN (SELECT unnest($sides::VARCHAR[]))")
    return " AND ".join(conds) or "TRUE"


def people(con, f: Filters) -> pd.DataFrame:
    """Per person: side, role, official (spoke in office in most of their articles; commentators
    are False), mentions, quotes, articles, the mean tone of their quotes, and corrected: whether
    these figures include an analyst's correction (core.corrections.corrected_rows_sql)."""
    q = _Sql()
    scope = _scope(f, q)
    sql = f"""WITH {scope},
        fixed AS (SELECT DISTINCT person FROM ({corrected_rows_sql("SELECT article_id FROM arts")}) WHERE person IS NOT NULL),
        qs AS (SELECT speaker, count(*) AS n, avg(tone) AS tone FROM quotes
               WHERE article_id IN (SELECT article_id FROM arts) AND speaker IS NOT NULL GROUP BY speaker),
        pp AS (SELECT p.canonical AS person, mode(p.side) AS side, mode(p.role) AS role,
                      sum(p.mentions)::INTEGER AS mentions, count(DISTINCT p.article_id) AS articles,
                      coalesce(mode(p.official), FALSE) AS official
               FROM persons p WHERE p.article_id IN (SELECT article_id FROM arts) AND {_person_cond(f, q)}
               GROUP BY p.canonical)
        SELECT pp.person, pp.side, pp.role, pp.official, pp.mentions, coalesce(qs.n, 0) AS quotes, pp.articles,
               round(qs.tone, 3) AS quote_tone, pp.person IN (SELECT person FROM fixed) AS corrected
        FROM pp LEFT JOIN qs ON qs.speaker = pp.person ORDER BY mentions DESC, quotes DESC, person"""
    return con.execute(sql, q.params).df()


def person_quotes(con, f: Filters, person: str, limit: int = QUOTES_SHOWN) -> pd.DataFrame:
    """A person's latest `limit` quotes in the selected articles, in time order, with each quote's tone,
    the whole sentence(s) it sits in (`sentence`), whether it was spoken in office (`official`), and
    its occasion. A partial quotation shows once, in the reported clause that holds it whole ("he
    hopes to meet with Mr. Xi in “the next several months.”"). A recalled statement ("In June last
    year, Wang told Blinken …") is dated at the month it recalls (`occasion`, `recalled`), NULL where
    the text does not say when; others at the article's date."""
    q = _Sql()
    scope = _scope(f, q)
    sql = f"""WITH {scope},
        latest AS (
            SELECT a.pub_date, a.title, a.outlet, a.visit, qu.text, qu.kind, qu.cue, round(qu.tone, 3) AS tone,
                   qu.official, qu.article_id, qu.sent_idx, qu.quote_idx, qu.start_char, qu.end_char
            FROM quotes qu JOIN arts a USING (article_id)
            WHERE qu.speaker = {q.bind('person', person)}
              AND NOT EXISTS (SELECT 1 FROM quotes r WHERE qu.kind = 'direct' AND r.kind = 'reported'
                  AND r.article_id = qu.article_id AND r.speaker = qu.speaker
                  AND r.start_char <= qu.start_char AND qu.end_char <= r.end_char)
            ORDER BY a.pub_date DESC NULLS LAST, qu.article_id DESC, qu.quote_idx DESC LIMIT {q.bind('limit', int(limit))}),
        around AS (
            SELECT l.article_id, l.quote_idx, string_agg(s.text, ' ' ORDER BY s.sent_idx) AS sentence,
                   bool_or(coalesce(s.recalled, FALSE)) AS recalled, max(s.recalled_when) AS recalled_when
            FROM latest l JOIN sentences s ON s.article_id = l.article_id
             AND s.start_char < l.end_char AND s.end_char > l.start_char
            GROUP BY ALL),
        fixed AS (SELECT DISTINCT article_id, sent_idx FROM
                  ({corrected_rows_sql("SELECT DISTINCT article_id FROM latest")}) WHERE sent_idx IS NOT NULL)
        SELECT l.* EXCLUDE (quote_idx, start_char, end_char), r.sentence, coalesce(r.recalled, FALSE) AS recalled,
               r.recalled_when,
               CASE WHEN coalesce(r.recalled, FALSE) THEN try_strptime(r.recalled_when || '-01', '%Y-%m-%d')::DATE
                    ELSE l.pub_date END AS occasion,
               (l.article_id, l.sent_idx) IN (SELECT (article_id, sent_idx) FROM fixed) AS corrected
        FROM latest l LEFT JOIN around r USING (article_id, quote_idx)
        ORDER BY l.pub_date NULLS LAST, l.article_id, l.quote_idx"""
    return con.execute(sql, q.params).df()


def person_cooccurrence(con, f: Filters, top: int = 15) -> pd.DataFrame:
    """Pairs among the `top` (at most 64) most-mentioned people: articles in which both appear (a < b).

    A person filter selects the articles and puts its people first among the top, so the chart
    shows who appears with them (not only pairs of chosen people); a side filter keeps that side's people.

    Each article's top people are one bit mask, so pairs are counted over distinct masks, not a
    self-join of the people of every article."""
    if not 0 <= top <= 64:
        raise ValueError(f"top must be 0..64, got {top}")
    q = _Sql()
    scope = _scope(f, q)
    chosen_first = "canonical IN (SELECT unnest($persons::VARCHAR[]))" if f.persons else "FALSE"
    sql = f"""WITH {scope},
        pa AS (SELECT DISTINCT p.article_id, p.canonical, p.side, p.mentions FROM persons p
               WHERE p.article_id IN (SELECT article_id FROM arts) AND {_person_cond(f.replace(persons=()), q)}),
        ranked AS (SELECT canonical, {chosen_first} AS chosen, sum(mentions) AS n FROM pa GROUP BY canonical),
        topp AS (SELECT canonical, (row_number() OVER (ORDER BY chosen DESC, n DESC, canonical) - 1)::INTEGER AS i
                 FROM ranked ORDER BY chosen DESC, n DESC, canonical LIMIT {q.bind('top', int(top))}),
        masks AS (SELECT m, count(*) AS n FROM (
                      SELECT bit_or(1::UBIGINT << topp.i) AS m FROM pa JOIN topp USING (canonical) GROUP BY pa.article_id)
                  GROUP BY m),
        pairs AS (SELECT x.canonical AS person_a, y.canonical AS person_b, (1::UBIGINT << x.i) | (1::UBIGINT << y.i) AS pm
                  FROM topp x JOIN topp y ON x.canonical < y.canonical)
        SELECT person_a, person_b, sum(n)::BIGINT AS articles
        FROM pairs JOIN masks ON masks.m & pairs.pm = pairs.pm
        GROUP BY ALL ORDER BY articles DESC, person_a, person_b"""
    return con.execute(sql, q.params).df()


# --- Tone shifts ------------------------------------------------------------------------------

def _shift_filters(f: Filters) -> Filters:
    """A shift compares two chosen visits, so the visit filter does not apply to it."""
    return f.replace(visits=())


def _readings_sql(f: Filters, by: str) -> tuple[str, str]:
    """(extra CTEs, SELECT) of the per-article readings by label (issue or side), visit and
    article: the article's reading of the selection (tone) and the sentences it rests on
    (core.tone.aggregates).

    issue: the mean tone of the article's selected sentences tagged with the issue, each
    weighing its hit weight. side: the mean tone of the selected quotes of that side's
    officials, each read on its own words (a quote without tone words reads 0)."""
    if by == "issue":
        return _issue_articles(f), """
            SELECT ia.issue AS label, a.visit, ia.article_id, ia.tw / nullif(ia.w, 0) AS tone, ia.n AS sentences
            FROM ia JOIN arts a USING (article_id)"""
    if by == "side":
        within = ("JOIN arts s USING (article_id)" if _per_article(f) and not f.sides  # every sentence is in
                  else "JOIN sents s USING (article_id, sent_idx)")
        return "", f"""
            SELECT q.side AS label, s.visit, q.article_id, avg(coalesce(q.tone, 0)) AS tone,
                   count(DISTINCT q.sent_idx) AS sentences
            FROM quotes q {within}
            WHERE q.official AND q.side IN ('US', 'China') GROUP BY ALL"""
    raise ValueError(f"by must be 'issue' or 'side', got {by!r}")


def _visit_readings(con, f: Filters, by: str) -> pd.DataFrame:
    """Per label and visit: the mean over articles of their readings, n and the 90 % interval."""
    ctes, readings = _readings_sql(f, by)
    return finish(_run(con, f, grouped_sql(readings, ["label", "visit"]), ctes), ["label", "visit"])


def issue_visit_tone(con, f: Filters) -> pd.DataFrame:
    """Visit x issue tone: per issue and visit, the mean over articles of their issue readings,
    with articles, sentences and the 90 % bootstrap interval (core.tone.aggregates)."""
    return _visit_readings(con, f, "issue")


def side_visit_tone(con, f: Filters) -> pd.DataFrame:
    """Visit x side tone: per side and visit, the mean over articles of their officials' tone."""
    return _visit_readings(con, f, "side")


def tone_shift(con, f: Filters, visit_a: str, visit_b: str, by: str = "issue") -> pd.DataFrame:
    """Tone per issue or per side (officials' words) in two visits: issue_visit_tone /
    side_visit_tone of each visit side by side.

    Columns: label; tone, articles, sentences, low, high, low_confidence with suffix _a and _b;
    change (b - a). Most changed first."""
    f = _shift_filters(f).replace(visits=(visit_a, visit_b))
    per = issue_visit_tone(con, f) if by == "issue" else side_visit_tone(con, f) if by == "side" else None
    if per is None:
        raise ValueError(f"by must be 'issue' or 'side', got {by!r}")
    a = per[per["visit"] == visit_a].drop(columns="visit").set_index("label").add_suffix("_a")
    b = per[per["visit"] == visit_b].drop(columns="visit").set_index("label").add_suffix("_b")
    out = a.join(b, how="outer").reset_index()
    out["change"] = (out["tone_b"] - out["tone_a"]).round(3)
    return out.sort_values(["change", "label"], key=lambda c: -c.abs() if c.name == "change" else c,
                           na_position="last").reset_index(drop=True)


def _shift_narrow(q: _Sql, issue: str | None, side: str | None) -> str:
    conds = []
    if issue:
        conds.append(f"EXISTS (SELECT 1 FROM issue_hits h WHERE h.article_id = s.article_id "
                     f"AND h.sent_idx = s.sent_idx AND h.issue = {q.bind('issue', issue)})")
    if side:
        conds.append(f"s.side = {q.bind('side', side)}")
    return " AND ".join(conds) or "TRUE"


def tone_drivers_shift(con, f: Filters, visit_a: str, visit_b: str, issue: str | None = None,
                       side: str | None = None, top: int = 15) -> pd.DataFrame:
    """The word shift between two visits (the Hedonometer / shifterator idea): each word's
    contribution to the change of the mean sentence tone is its change in frequency (uses per
    selected sentence, B - A) times its tone (its mean contribution per use in both visits).
    A hostile word used less contributes upwards: 'less hostile language', never a cooperative
    word. Each occurrence counts once (one driver per occurrence); phrase variants are one word
    (core.tone.model); a negated word is its own word ('not cooperation')."""
    f = _shift_filters(f)
    q = _Sql()
    scope = _scope(f, q)
    va, vb = q.bind("visit_a", visit_a), q.bind("visit_b", visit_b)
    if not _per_article(f) or issue:  # these narrow to some sentences of an article: join them
        w = """SELECT d.word, ss.visit, sum(d.contribution) AS c, count(*) AS uses
               FROM tone_drivers d JOIN ss USING (article_id, sent_idx) GROUP BY ALL"""
    else:  # every sentence of a side counts: sum the per-article sums
        w = f"""SELECT aw.word, a.visit, sum(aw.contribution) AS c, sum(aw.uses) AS uses
                FROM article_words aw JOIN arts a USING (article_id)
                WHERE a.visit IN ({va}, {vb}) AND {_side_cond(f, side)} GROUP BY ALL"""
    sql = f"""WITH {scope},
        ss AS (SELECT s.* FROM sents s WHERE s.visit IN ({va}, {vb}) AND {_shift_narrow(q, issue, side)}),
        n AS (SELECT count(*) FILTER (WHERE visit = {va}) AS na, count(*) FILTER (WHERE visit = {vb}) AS nb FROM ss),
        w AS ({w})
        SELECT word,
               coalesce(sum(uses) FILTER (WHERE visit = {va}), 0)::INTEGER AS uses_a,
               coalesce(sum(uses) FILTER (WHERE visit = {vb}), 0)::INTEGER AS uses_b,
               round(uses_a / nullif(any_value(n.na), 0), 4) AS per_sentence_a,
               round(uses_b / nullif(any_value(n.nb), 0), 4) AS per_sentence_b,
               round(sum(c) / sum(uses), 4) AS word_tone,
               round((coalesce(uses_b / nullif(any_value(n.nb), 0), 0) - coalesce(uses_a / nullif(any_value(n.na), 0), 0))
                     * sum(c) / sum(uses), 5) AS contribution,
               CASE WHEN word_tone < 0 AND contribution > 0 THEN 'less hostile language'
                    WHEN word_tone < 0 THEN 'more hostile language'
                    WHEN contribution > 0 THEN 'more cooperative language'
                    ELSE 'less cooperative language' END AS kind
        FROM w CROSS JOIN n GROUP BY word HAVING sum(uses) > 0 AND sum(c) <> 0
        ORDER BY abs(contribution) DESC, word LIMIT {q.bind('top', int(top))}"""
    return con.execute(sql, q.params).df()


def tone_shift_sentences(con, f: Filters, visit_a: str, visit_b: str, issue: str | None = None,
                         side: str | None = None, limit: int = 40) -> pd.DataFrame:
    """The sentences that drove the change, ranked by their contribution to the shift of the mean
    sentence tone: +tone / (sentences of B) for a sentence of B, -tone / (sentences of A) for
    one of A; those pushing in the direction of the shift first."""
    f = _shift_filters(f)
    q = _Sql()
    scope = _scope(f, q)
    va, vb = q.bind("visit_a", visit_a), q.bind("visit_b", visit_b)
    sql = f"""WITH {scope},
        ss AS (SELECT s.* FROM sents s WHERE s.visit IN ({va}, {vb}) AND {_shift_narrow(q, issue, side)}),
        n AS (SELECT count(*) FILTER (WHERE visit = {va}) AS na, count(*) FILTER (WHERE visit = {vb}) AS nb,
                     coalesce(sum(tone) FILTER (WHERE visit = {vb}) / nullif(nb, 0), 0)
                     - coalesce(sum(tone) FILTER (WHERE visit = {va}) / nullif(na, 0), 0) AS shift FROM ss)
        SELECT s.visit, s.pub_date, s.title, s.text, s.speaker, s.side, round(s.tone, 3) AS tone,
               round(CASE WHEN s.visit = {vb} THEN s.tone / n.nb ELSE -s.tone / n.na END, 5) AS contribution,
               s.article_id, s.sent_idx
        FROM ss s CROSS JOIN n WHERE s.tone <> 0
        ORDER BY contribution * (CASE WHEN n.shift < 0 THEN -1 ELSE 1 END) DESC, s.pub_date, s.article_id, s.sent_idx
        LIMIT {q.bind('limit', int(limit))}"""
    return con.execute(sql, q.params).df()


def side_language_by_year(con, f: Filters) -> pd.DataFrame:
    """US and China officials' tone per year: the mean over articles of each article's officials'
    tone (as side_visit_tone), with articles, sentences and the 90 % interval.
    Columns: side, year, tone, articles, sentences, low, high, low_confidence."""
    per = _run(con, f, grouped_sql("""
        SELECT q.side, year(s.pub_date) AS year, q.article_id, avg(coalesce(q.tone, 0)) AS tone,
               count(DISTINCT q.sent_idx) AS sentences
        FROM quotes q JOIN sents s USING (article_id, sent_idx)
        WHERE q.official AND q.side IN ('US', 'China') AND s.pub_date IS NOT NULL GROUP BY ALL""", ["side", "year"]))
    return finish(per, ["side", "year"]).sort_values(["side", "year"]).reset_index(drop=True)


def side_words_by_year(con, f: Filters, top: int = 8) -> pd.DataFrame:
    """Each side's strongest tone words per year (sum of contributions), top per side and year."""
    q = _Sql()
    scope = _scope(f, q)
    if not _per_article(f):  # these narrow to some sentences of an article: join them
        w = """SELECT s.side, year(s.pub_date) AS year, d.word, round(sum(d.contribution), 3) AS contribution,
                      count(*) AS uses
               FROM tone_drivers d JOIN sents s USING (article_id, sent_idx)
               WHERE s.side IN ('US', 'China') AND s.pub_date IS NOT NULL GROUP BY ALL"""
    else:  # every sentence of a side counts: sum the per-article sums
        w = f"""SELECT aw.side, year(a.pub_date) AS year, aw.word, round(sum(aw.contribution), 3) AS contribution,
                       sum(aw.uses)::BIGINT AS uses
                FROM article_words aw JOIN arts a USING (article_id)
                WHERE aw.side IN ('US', 'China') AND a.pub_date IS NOT NULL AND {_side_cond(f)} GROUP BY ALL"""
    sql = f"""WITH {scope},
        w AS ({w})
        SELECT * FROM w
        QUALIFY row_number() OVER (PARTITION BY side, year ORDER BY abs(contribution) DESC, word)
                <= {q.bind('top', int(top))}
        ORDER BY side, year, abs(contribution) DESC, word"""
    return con.execute(sql, q.params).df()


# --- Evidence, articles, corpus ---------------------------------------------------------------

def article_table(con, f: Filters) -> pd.DataFrame:
    """The selected articles with their metadata, newest first."""
    return _run(con, f, """
        SELECT a.article_id, a.title, a.outlet, a.pub_date, round(x.pub_date_confidence, 2) AS date_confidence,
               a.visit, a.words, round(x.tone, 3) AS tone, array_to_string(x.outlets, ', ') AS carried_by,
               a.file, x.meta_source, x.ingested_at
        FROM arts a JOIN articles x USING (article_id)
        ORDER BY a.pub_date DESC NULLS LAST, a.title""")


def duplicates(con) -> pd.DataFrame:
    """Articles recognised as duplicates, with the kept article they repeat."""
    return con.execute("""
        SELECT d.title, d.outlet, d.pub_date, d.file, k.title AS duplicate_of_title, d.duplicate_of
        FROM articles d JOIN articles k ON k.article_id = d.duplicate_of ORDER BY d.pub_date, d.title""").df()


def article_meta(con, article_id: str) -> pd.DataFrame:
    """One article's stored metadata with the evidence for its date and visit."""
    return con.execute("""
        SELECT article_id, file, title, outlet, credit, outlets, url, pub_date, pub_date_confidence, date_evidence,
               visit, visit_evidence, words, tone, tone_us, tone_china, tone_other, duplicate_of,
               meta_source, user_meta, source_format, ingested_at
        FROM articles WHERE article_id = ?""", [article_id]).df()


def article_sentences(con, article_id: str) -> pd.DataFrame:
    """An article's sentences with tone, speaker and the issues tagged on each."""
    return con.execute("""
        SELECT s.sent_idx, s.start_char, s.end_char, s.text, s.paragraph, s.is_heading, s.tone, s.coop,
               s.speaker, s.side,
               (SELECT string_agg(DISTINCT h.issue, ', ' ORDER BY h.issue) FROM issue_hits h
                WHERE h.article_id = s.article_id AND h.sent_idx = s.sent_idx) AS issues
        FROM sentences s WHERE s.article_id = ? ORDER BY s.sent_idx""", [article_id]).df()


def article_mentions(con, article_id: str) -> pd.DataFrame:
    """An article's entity mentions (character offsets into the cleaned text)."""
    return con.execute("""
        SELECT sent_idx, start_char, end_char, text, label, canonical, side, role
        FROM mentions WHERE article_id = ? ORDER BY start_char""", [article_id]).df()


def article_lines(con, article_id: str) -> pd.DataFrame:
    """Every raw line of an article, kept or removed as boilerplate (with the reason)."""
    return con.execute("""
        SELECT line_idx, text, removed, reason FROM lines WHERE article_id = ? ORDER BY line_idx""",
                       [article_id]).df()


def filter_options(con) -> dict[str, list]:
    """The values the filters can take in this store (non-duplicate articles), for widgets and URLs."""
    live = "SELECT article_id FROM articles WHERE duplicate_of IS NULL"
    persons = con.execute(f"""SELECT canonical FROM persons WHERE article_id IN ({live})
                              GROUP BY canonical ORDER BY sum(mentions) DESC, canonical""").df()
    outlets = con.execute(f"""SELECT DISTINCT o FROM (SELECT unnest(list_append(coalesce(outlets, []), outlet)) AS o
                              FROM articles WHERE article_id IN ({live})) WHERE o IS NOT NULL ORDER BY o""").df()
    dates = con.execute(f"SELECT min(pub_date), max(pub_date) FROM articles WHERE article_id IN ({live})").fetchone()
    visits = con.execute(f"SELECT visit, count(*) AS n FROM articles WHERE article_id IN ({live}) GROUP BY visit").df()
    return {"person": persons["canonical"].tolist(), "outlet": outlets["o"].tolist(),
            "visit_counts": dict(zip(visits["visit"], visits["n"].astype(int))),
            "date_min": dates[0], "date_max": dates[1]}


# --- Search -----------------------------------------------------------------------------------

def search_lines(con, f: Filters, limit: int = 200) -> tuple[pd.DataFrame, int]:
    """The best `limit` sentences matching f.query under the other filters (highest score first),
    and how many match in all.

    Ranked and counted on keys only (article, sentence, score), joining the sentences table only
    where a filter narrows to some sentences of an article; the text and the sentence's columns
    are read for the shown lines alone (at 100k articles the sentences table has 5.5M rows)."""
    q = _Sql()
    scope = _scope(f, q)
    q.bind("limit", int(limit))
    if f.issues or f.sides or f.persons:
        keyed = "SELECT s.article_id, s.sent_idx, qh.score, s.pub_date FROM sents s JOIN qh USING (article_id, sent_idx)"
    else:  # every sentence of a selected article is in: the article filter is the whole filter
        keyed = "SELECT qh.article_id, qh.sent_idx, qh.score, a.pub_date FROM qh JOIN arts a USING (article_id)"
    order = "score DESC, pub_date DESC NULLS LAST, article_id, sent_idx"
    rows = con.execute(f"""WITH {scope},
        m AS ({keyed}),
        top AS (SELECT * FROM m ORDER BY {order} LIMIT $limit)
        SELECT t.pub_date, a.title, a.outlet, s.speaker, s.side, round(s.tone, 3) AS tone,
               round(t.score, 3) AS score, s.text, t.article_id, t.sent_idx, (SELECT count(*) FROM m) AS total
        FROM top t JOIN sentences s USING (article_id, sent_idx) JOIN articles a USING (article_id)
        ORDER BY t.score DESC, t.pub_date DESC NULLS LAST, t.article_id, t.sent_idx""", q.params).df()
    total = int(rows["total"].iloc[0]) if len(rows) else 0
    return rows.drop(columns="total"), total


def search_over_time(con, f: Filters, unit: str = "week") -> pd.DataFrame:
    """Matching sentences and articles per day/week/month of publication (undated articles left out)."""
    if unit not in ("day", "week", "month"):
        raise ValueError(f"unit must be day, week or month, got {unit!r}")
    return _run(con, f, f"""
        SELECT date_trunc('{unit}', pub_date)::DATE AS period, count(*) AS sentences,
               count(DISTINCT article_id) AS articles
        FROM sents WHERE pub_date IS NOT NULL GROUP BY period ORDER BY period""")


# --- Sources and attention --------------------------------------------------------------------

_TYPE = "coalesce(src.outlet_type, 'unclassified')"  # an article's outlet type (article_sources src)

def volume(con, f: Filters, unit: str = "week", by: str | None = "outlet_type") -> pd.DataFrame:
    """Articles and (selected) sentences per period of publication, per outlet type, outlet or in all.

    by: 'outlet_type', 'outlet' or None. Columns: period[, by], articles, sentences."""
    if unit not in ("day", "week", "month"):
        raise ValueError(f"unit must be day, week or month, got {unit!r}")
    if by not in ("outlet_type", "outlet", None):
        raise ValueError(f"by must be 'outlet_type', 'outlet' or None, got {by!r}")
    if _per_article(f):
        n = (f"SELECT article_id, sum(aw.sentences) AS n FROM article_sides aw "
             f"WHERE aw.article_id IN (SELECT article_id FROM arts) AND {_side_cond(f)} GROUP BY ALL")
    else:
        n = "SELECT article_id, count(*) AS n FROM sents GROUP BY ALL"
    key = {"outlet_type": _TYPE, "outlet": "coalesce(a.outlet, 'unknown')"}.get(by)
    cols = f"{key} AS {by}, " if by else ""
    return _run(con, f, f"""
        SELECT date_trunc('{unit}', a.pub_date)::DATE AS period, {cols}count(*) AS articles,
               coalesce(sum(ns.n), 0)::BIGINT AS sentences
        FROM arts a LEFT JOIN ns USING (article_id) LEFT JOIN article_sources src USING (article_id)
        WHERE a.pub_date IS NOT NULL GROUP BY ALL ORDER BY ALL""", f"ns AS ({n})")


def share_of_voice(con, f: Filters, by: str = "issue") -> pd.DataFrame:
    """Which outlet types carry which issues (tagged sentences) or speakers (quotes).

    Columns: outlet_type, label (issue id or speaker), n, share (of the outlet type's total, 0..1),
    articles. Speakers: the 15 most quoted of the selection."""
    if by == "issue":
        return _run(con, f, f"""
            SELECT *, round(n / sum(n) OVER (PARTITION BY outlet_type), 4) AS share FROM (
                SELECT {_TYPE} AS outlet_type, ia.issue AS label, sum(ia.n)::BIGINT AS n,
                       count(DISTINCT ia.article_id) AS articles
                FROM ia LEFT JOIN article_sources src USING (article_id) GROUP BY ALL)
            ORDER BY outlet_type, n DESC, label""", _issue_articles(f))
    if by == "speaker":
        q = _Sql()
        scope = _scope(f, q)
        sql = f"""WITH {scope},
            qs AS (SELECT qu.article_id, qu.speaker FROM quotes qu
                   WHERE qu.article_id IN (SELECT article_id FROM arts) AND qu.speaker IS NOT NULL
                         AND {_person_cond(f, q, "qu.speaker", "qu.side")}),
            top AS (SELECT speaker FROM qs GROUP BY speaker ORDER BY count(*) DESC, speaker LIMIT 15)
            SELECT *, round(n / sum(n) OVER (PARTITION BY outlet_type), 4) AS share FROM (
                SELECT {_TYPE} AS outlet_type, qs.speaker AS label, count(*) AS n, count(DISTINCT qs.article_id) AS articles
                FROM qs JOIN top USING (speaker) LEFT JOIN article_sources src USING (article_id) GROUP BY ALL)
            ORDER BY outlet_type, n DESC, label"""
        return con.execute(sql, q.params).df()
    raise ValueError(f"by must be 'issue' or 'speaker', got {by!r}")


def article_sources(con, f: Filters) -> pd.DataFrame:
    """The selected articles' outlet, outlet type and the evidence for the type (unclassified ones first)."""
    return _run(con, f, f"""
        SELECT {_TYPE} AS outlet_type, a.outlet, a.title, a.pub_date,
               src.evidence, a.article_id
        FROM arts a LEFT JOIN article_sources src USING (article_id)
        ORDER BY outlet_type <> 'unclassified', outlet_type, a.outlet, a.pub_date""")
