"""The rows behind one number of one chart, and that number recomputed from them.

A chart's evidence must be the evidence of the number a user points at: the same filters, the
same visit(s), the same weighting as the query that drew it (core.store.queries). Each function here
takes the chart's mark (an issue, a cell, a person, a word...) and returns an `Evidence`: the
counted rows (one per sentence, hit, mention or quote, sentence text first), the plotted values
recomputed from those rows alone with pandas, and a statement of the number and how the rows
give it. Tests compare every recomputed value with its chart's query, so the two cannot drift.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from core.filters import Filters
from core.store.queries import _scope, _Sql
from core.reader import plain_markdown as _md

# The columns every evidence table starts with, in reading order (the sentence first).
ROW_COLUMNS = ["text", "title", "pub_date", "outlet", "visit", "speaker", "side", "tone"]


@dataclass(frozen=True)
class Labels:
    """Readable names for statements (markdown-escaped): issue id -> name, visit id -> name (ids where absent)."""

    issues: dict = field(default_factory=dict)
    visits: dict = field(default_factory=dict)

    def issue(self, issue_id: str) -> str:
        return _md(self.issues.get(issue_id) or str(issue_id).replace("_", " ").capitalize())

    def visit(self, visit_id: str) -> str:
        return _md(self.visits.get(visit_id) or str(visit_id))


@dataclass(frozen=True)
class Evidence:
    rows: pd.DataFrame  # the counted rows, ROW_COLUMNS first
    values: dict  # the chart's numbers, recomputed from rows (and the denominators in `values`)
    statement: str  # the number in words, and how the rows give it

    def __len__(self) -> int:
        return len(self.rows)


def of(con, f: Filters, name: str, *args, labels: Labels = Labels()) -> Evidence:
    """The evidence `name` (a function of this module) of one mark, its rows with `corrected`: True
    where an analyst's correction changed the sentence (core.corrections.with_corrected)."""
    from core.corrections import with_corrected

    ev = globals()[name](con, f, *args, labels=labels)
    return Evidence(with_corrected(con, ev.rows), ev.values, ev.statement)


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _ordered(df: pd.DataFrame, extra: list[str]) -> pd.DataFrame:
    cols = ROW_COLUMNS + [c for c in extra if c not in ROW_COLUMNS] + ["article_id", "sent_idx"]
    return df[[c for c in cols if c in df.columns]].sort_values(
        ["pub_date", "article_id", "sent_idx"], na_position="last").reset_index(drop=True)


def _wmean(rows: pd.DataFrame, value: str = "tone", weight: str = "weight") -> float | None:
    """sum(value x weight) / sum(weight) over rows with a value, as the queries' weighted means."""
    r = rows.dropna(subset=[value])
    total = r[weight].sum()
    return round(float((r[value] * r[weight]).sum() / total), 3) if len(r) and total else None


def _tone(value) -> str:
    return "n/a" if value is None else f"{value:+.2f}"


# --- shared row sources -----------------------------------------------------------------------

_HIT_COLUMNS = """h.issue, s.text, a.title, a.pub_date, a.outlet, a.visit, h.speaker, h.side, h.tone, h.weight,
                  h.paragraph, a.words, h.article_id, h.sent_idx"""


def _hits(con, f: Filters, where: str = "TRUE", binds: dict | None = None,
          scope: Filters | None = None) -> pd.DataFrame:
    """Issue hits of the selection (the `hits` CTE of core.store.queries) with their sentence and article."""
    q = _Sql()
    sql_scope = _scope(scope or f, q)
    for name, value in (binds or {}).items():
        q.bind(name, value)
    sql = f"""WITH {sql_scope}
        SELECT {_HIT_COLUMNS} FROM hits h JOIN sentences s USING (article_id, sent_idx)
        JOIN arts a USING (article_id) WHERE {where}"""
    return con.execute(sql, q.params).df()


def _words(con, f: Filters, by: str | None = None) -> dict:
    """Words of the selected articles, in all or per visit/article (the per-1,000-words denominators)."""
    q = _Sql()
    scope = _scope(f, q)
    if by is None:
        return {None: int(con.execute(f"WITH {scope} SELECT coalesce(sum(words), 0) FROM arts", q.params).fetchone()[0])}
    rows = con.execute(f"WITH {scope} SELECT {by}, sum(words) FROM arts GROUP BY ALL", q.params).fetchall()
    return {k: int(v or 0) for k, v in rows}


def _sents(con, f: Filters, where: str = "TRUE", binds: dict | None = None) -> pd.DataFrame:
    """Selected sentences (the `sents` CTE: side/person narrowing, issue weight) of the selection."""
    q = _Sql()
    scope = _scope(f, q)
    for name, value in (binds or {}).items():
        q.bind(name, value)
    return con.execute(f"""WITH {scope}
        SELECT s.text, s.title, s.pub_date, s.outlet, s.visit, s.speaker, s.side, s.tone, s.coop, s.weight,
               s.article_id, s.sent_idx FROM sents s WHERE {where}""", q.params).df()


def _per_1k(n: int, words: int) -> float | None:
    return round(1000.0 * n / words, 2) if words else None


# --- Overview and Issues ----------------------------------------------------------------------

def issue_sentences(con, f: Filters, issue: str, labels: Labels = Labels()) -> Evidence:
    """Issue frequency bar: the issue's tagged sentences in the selection (one hit per sentence)."""
    rows = _hits(con, f, "h.issue = $issue", {"issue": issue})
    words = _words(con, f)[None]
    n = len(rows)
    values = {"sentences": n, "articles": int(rows["article_id"].nunique()), "words": words,
              "per_1k_words": _per_1k(n, words)}
    statement = (f"**{labels.issue(issue)}: {_plural(n, 'sentence')}** tagged in "
                 f"{_plural(values['articles'], 'article')}; the selection has {words:,} words, so "
                 f"{n:,} × 1,000 / {words:,} = **{values['per_1k_words']} per 1,000 words**.")
    return Evidence(_ordered(rows, ["weight"]), values, statement)


def issue_cell(con, f: Filters, issue: str, visit: str | None = None, article_id: str | None = None,
               labels: Labels = Labels()) -> Evidence:
    """Issues-by-visit or issues-by-article cell: the issue's sentences in that visit or article."""
    col, key = ("a.visit", visit) if visit is not None else ("a.article_id", article_id)
    rows = _hits(con, f, f"h.issue = $issue AND {col} = $key", {"issue": issue, "key": key})
    words = _words(con, f, col.split(".")[1]).get(key, 0)
    n = len(rows)
    where = labels.visit(visit) if visit is not None else _md(rows["title"].iloc[0] if n else article_id)
    values = {"sentences": n, "words": words, "per_1k_words": _per_1k(n, words)}
    statement = (f"**{labels.issue(issue)} in {where}: {_plural(n, 'sentence')}**; its articles have "
                 f"{words:,} words, so {n:,} × 1,000 / {words:,} = **{values['per_1k_words']} per 1,000 words**.")
    return Evidence(_ordered(rows, ["weight"]), values, statement)


def visit_change(con, f: Filters, issue: str, first_visit: str, last_visit: str,
                 labels: Labels = Labels()) -> Evidence:
    """First-vs-last-visit bar: the issue's sentences in those two visits only, per visit."""
    rows = _hits(con, f, "h.issue = $issue AND a.visit IN ($va, $vb)",
                 {"issue": issue, "va": first_visit, "vb": last_visit})
    words = _words(con, f, "visit")
    values, parts = {}, []
    for end, visit in (("first", first_visit), ("last", last_visit)):
        r = rows[rows["visit"] == visit]
        w = words.get(visit, 0)
        values[f"{end}_sentences"], values[f"{end}_words"] = len(r), w
        values[f"{end}_per_1k"] = _per_1k(len(r), w)
        values[f"{end}_tone"] = _over_articles(r, "weight")[0]
        parts.append(f"{labels.visit(visit)}: {_plural(len(r), 'sentence')} in {w:,} words = "
                     f"{values[f'{end}_per_1k']} per 1,000 (tone {_tone(values[f'{end}_tone'])}, the mean over "
                     f"articles of their hit-weighted issue tone)")
    exact = (1000.0 * (values["last_sentences"] / values["last_words"] - values["first_sentences"] / values["first_words"])
             if values["first_words"] and values["last_words"] else None)
    values["change_per_1k"] = None if exact is None else round(exact, 2)
    statement = (f"**{labels.issue(issue)}: change {values['change_per_1k']:+} per 1,000 words** — "
                 + "; ".join(parts) + ".")
    return Evidence(_ordered(rows, ["weight"]), values, statement)


def article_tone(con, f: Filters, article_id: str, labels: Labels = Labels()) -> Evidence:
    """Tone-trend dot: the article's selected sentences and their weights."""
    rows = _sents(con, f, "s.article_id = $aid", {"aid": article_id})
    tone = _wmean(rows)
    values = {"sentences": len(rows), "tone": tone}
    title = _md(rows["title"].iloc[0] if len(rows) else article_id)
    weighted = " weighted by issue-hit weight" if f.issues else ""
    statement = (f"**{title}: tone {_tone(tone)}**, the mean{weighted} of its {_plural(len(rows), 'selected sentence')}.")
    return Evidence(_ordered(rows, ["weight"]), values, statement)


def day_tone(con, f: Filters, day, labels: Labels = Labels()) -> Evidence:
    """Tone-trend dot of a day (core.store.queries.tone_trend by='day'): the selected sentences
    of that day's articles; the dot is the mean over those articles of each one's mean tone."""
    rows = _sents(con, f, "s.pub_date = $day", {"day": day})
    tone, articles, sentences = _over_articles(rows, "weight")
    values = {"articles": articles, "sentences": sentences, "tone": tone}
    weighted = " weighted by issue-hit weight" if f.issues else ""
    statement = (f"**{pd.Timestamp(day):%d %b %Y}: tone {_tone(tone)}**, the mean over {_plural(articles, 'article')} "
                 f"of each article's mean{weighted} tone ({_plural(sentences, 'selected sentence')}).")
    return Evidence(_ordered(rows, ["weight"]), values, statement)


def cooccurring_paragraphs(con, f: Filters, issue_a: str, issue_b: str, labels: Labels = Labels()) -> Evidence:
    """Issue co-occurrence cell: the sentences on either issue in the paragraphs that have both."""
    scope = f.replace(issues=())  # pairs with a chosen issue count every issue of the paragraph (core.store.queries)
    where = "h.issue IN ($ia, $ib)" + (" AND h.article_id IN (SELECT article_id FROM issue_hits "
                                       "WHERE issue IN (SELECT unnest($chosen::VARCHAR[])))" if f.issues else "")
    binds = {"ia": issue_a, "ib": issue_b, **({"chosen": f.issues} if f.issues else {})}
    rows = _hits(con, f, where, binds, scope=scope)
    both = rows.groupby(["article_id", "paragraph"])["issue"].transform("nunique") == 2
    rows = rows[both]
    paragraphs = int(rows[["article_id", "paragraph"]].drop_duplicates().shape[0])
    values = {"paragraphs": paragraphs, "articles": int(rows["article_id"].nunique())}
    statement = (f"**{labels.issue(issue_a)} and {labels.issue(issue_b)}: {_plural(paragraphs, 'paragraph')}** "
                 f"(in {_plural(values['articles'], 'article')}) have a sentence on each; the rows are those "
                 f"sentences, one paragraph per distinct (article, paragraph).")
    return Evidence(_ordered(rows, ["issue", "paragraph"]), values, statement)


# --- People -----------------------------------------------------------------------------------

def person(con, f: Filters, name: str, labels: Labels = Labels()) -> Evidence:
    """People bars: every mention and every quote of the person in the selected articles."""
    q = _Sql()
    scope = _scope(f, q)
    q.bind("person", name)
    rows = con.execute(f"""WITH {scope}
        SELECT 'mention' AS kind, s.text, a.title, a.pub_date, a.outlet, a.visit, s.speaker, s.side, s.tone,
               m.text AS words, m.article_id, m.sent_idx
        FROM mentions m JOIN sentences s USING (article_id, sent_idx) JOIN arts a USING (article_id)
        WHERE m.canonical = $person
        UNION ALL
        SELECT 'quote', qu.text, a.title, a.pub_date, a.outlet, a.visit, qu.speaker, qu.side, qu.tone, qu.cue,
               qu.article_id, qu.sent_idx
        FROM quotes qu JOIN arts a USING (article_id) WHERE qu.speaker = $person""", q.params).df()
    mentions, quotes = rows[rows["kind"] == "mention"], rows[rows["kind"] == "quote"]
    tone = round(float(quotes["tone"].mean()), 3) if quotes["tone"].notna().any() else None
    values = {"mentions": len(mentions), "quotes": len(quotes), "articles": int(mentions["article_id"].nunique()),
              "quote_tone": tone}
    statement = (f"**{_md(name)}: {_plural(len(mentions), 'mention')}** in {_plural(values['articles'], 'article')} and "
                 f"**{_plural(len(quotes), 'quote')}** (mean quote tone {_tone(tone)}); one row per mention and per quote.")
    return Evidence(_ordered(rows, ["kind", "words"]), values, statement)


def person_pair(con, f: Filters, person_a: str, person_b: str, labels: Labels = Labels()) -> Evidence:
    """Who-with-whom cell: the sentences naming either person in the articles where both appear."""
    q = _Sql()
    scope = _scope(f, q)
    q.bind("pa", person_a), q.bind("pb", person_b)
    side = "AND p.side IN (SELECT unnest($sides::VARCHAR[]))" if f.sides else ""
    rows = con.execute(f"""WITH {scope},
        both_ AS (SELECT p.article_id FROM persons p WHERE p.article_id IN (SELECT article_id FROM arts)
                  AND p.canonical IN ($pa, $pb) {side} GROUP BY p.article_id HAVING count(DISTINCT p.canonical) = 2)
        SELECT DISTINCT m.canonical AS person, s.text, a.title, a.pub_date, a.outlet, a.visit, s.speaker, s.side,
               s.tone, m.article_id, m.sent_idx
        FROM mentions m JOIN sentences s USING (article_id, sent_idx) JOIN arts a USING (article_id)
        WHERE m.article_id IN (SELECT article_id FROM both_) AND m.canonical IN ($pa, $pb)""", q.params).df()
    articles = int(rows["article_id"].nunique())
    statement = (f"**{_md(person_a)} and {_md(person_b)}: {_plural(articles, 'article')}** name both; the rows are the "
                 f"sentences naming either of them there.")
    return Evidence(_ordered(rows, ["person"]), {"articles": articles}, statement)


# --- Tone shifts ------------------------------------------------------------------------------

def _over_articles(rows: pd.DataFrame, weight: str = "w") -> tuple[float | None, int, int]:
    """(tone, articles, sentences) of a tone aggregate (core.tone.aggregates): each article's
    weighted mean tone of its rows, then the mean over articles."""
    r = rows.dropna(subset=["tone"])
    if r.empty or not r[weight].sum():
        return None, 0, 0
    per = (r["tone"] * r[weight]).groupby(r["article_id"]).sum() / r[weight].groupby(r["article_id"]).sum()
    return round(float(per.mean()), 3), int(per.size), int(r.drop_duplicates(["article_id", "sent_idx"]).shape[0])


def _two_visits(rows: pd.DataFrame, visit_a: str, visit_b: str, labels: Labels, what: str, unit: str) -> tuple[dict, str]:
    values, parts = {}, []
    for end, visit in (("a", visit_a), ("b", visit_b)):
        tone, articles, sentences = _over_articles(rows[rows["visit"] == visit])
        values.update({f"tone_{end}": tone, f"articles_{end}": articles, f"sentences_{end}": sentences})
        parts.append(f"{labels.visit(visit)}: {_tone(tone)}, the mean over {_plural(articles, 'article')} of "
                     f"each article's {unit} ({_plural(sentences, 'sentence')})")
    a, b = values["tone_a"], values["tone_b"]
    values["change"] = round(b - a, 3) if a is not None and b is not None else None
    change = "n/a" if values["change"] is None else f"{values['change']:+.2f}"
    return values, f"**{what}: tone change {change}** — " + "; ".join(parts) + "."


def shift_issue(con, f: Filters, issue: str, visit_a: str, visit_b: str, labels: Labels = Labels()) -> Evidence:
    """Tone-shift-by-issue row: the issue's hits in the two visits, each weighing its hit weight w."""
    g = f.replace(visits=())
    rows = _hits(con, g, "h.issue = $issue AND a.visit IN ($va, $vb)", {"issue": issue, "va": visit_a, "vb": visit_b})
    rows["w"] = rows["weight"]
    values, statement = _two_visits(rows, visit_a, visit_b, labels, labels.issue(issue),
                                    "hit-weighted mean tone on the issue")
    return Evidence(_ordered(rows, ["w"]), values, statement)


def _official_quotes(con, f: Filters, where: str, binds: dict) -> pd.DataFrame:
    """The selected sentences' quotes of US or China officials, each read on its own words (0: no tone words)."""
    q = _Sql()
    scope = _scope(f, q)
    for name, value in binds.items():
        q.bind(name, value)
    return con.execute(f"""WITH {scope}
        SELECT qu.text, s.title, s.pub_date, s.outlet, s.visit, qu.speaker, qu.side, coalesce(qu.tone, 0) AS tone,
               1.0 AS w, s.text AS sentence, qu.article_id, qu.sent_idx
        FROM quotes qu JOIN sents s USING (article_id, sent_idx)
        WHERE qu.official AND qu.side IN ('US', 'China') AND {where}""", q.params).df()


def shift_side(con, f: Filters, side: str, visit_a: str, visit_b: str, labels: Labels = Labels()) -> Evidence:
    """Tone-shift-by-side row: the side's officials' quotes in the two visits."""
    rows = _official_quotes(con, f.replace(visits=()), "qu.side = $side AND s.visit IN ($va, $vb)",
                            {"side": side, "va": visit_a, "vb": visit_b})
    values, statement = _two_visits(rows, visit_a, visit_b, labels, f"{side} officials",
                                    "mean tone of its officials' quotes")
    return Evidence(_ordered(rows, ["sentence", "w"]), values, statement)


def _driver_rows(con, f: Filters, word: str, where: str, binds: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(sentences using `word` with its summed contribution and uses, all selected sentences) under `where`."""
    sents = _sents(con, f, where, binds)
    q = _Sql()
    scope = _scope(f, q)
    q.bind("word", word)
    for name, value in binds.items():
        q.bind(name, value)
    used = con.execute(f"""WITH {scope}
        SELECT d.article_id, d.sent_idx, sum(d.contribution) AS contribution, count(*) AS uses
        FROM tone_drivers d JOIN sents s USING (article_id, sent_idx) WHERE d.word = $word AND {where}
        GROUP BY ALL""", q.params).df()
    return sents.merge(used, on=["article_id", "sent_idx"]), sents


def shift_word(con, f: Filters, word: str, visit_a: str, visit_b: str, labels: Labels = Labels()) -> Evidence:
    """Word-shift bar: the sentences of the two visits using the word, each visit's sentence count,
    the word's tone (mean contribution per use) and its contribution (change in uses per sentence x tone)."""
    g = f.replace(visits=())
    rows, sents = _driver_rows(con, g, word, "s.visit IN ($va, $vb)", {"va": visit_a, "vb": visit_b})
    values, parts = {}, []
    uses = int(rows["uses"].sum())
    values["word_tone"] = round(float(rows["contribution"].sum()) / uses, 4) if uses else None
    for end, visit in (("a", visit_a), ("b", visit_b)):
        r = rows[rows["visit"] == visit]
        n = int((sents["visit"] == visit).sum())
        values[f"uses_{end}"], values[f"sentences_{end}"] = int(r["uses"].sum()), n
        values[f"per_sentence_{end}"] = round(values[f"uses_{end}"] / n, 4) if n else None
        parts.append(f"{labels.visit(visit)}: {_plural(values[f'uses_{end}'], 'use')} in {n:,} selected sentences")
    change = (values["per_sentence_b"] or 0) - (values["per_sentence_a"] or 0)
    values["contribution"] = round(change * (values["word_tone"] or 0), 5)
    statement = (f"**“{_md(word)}”: contribution {values['contribution']:+.4f}** = change in uses per sentence "
                 f"{change:+.4f} × its tone {_tone(values['word_tone'])} per use — " + "; ".join(parts) + ".")
    return Evidence(_ordered(rows, ["contribution", "uses"]), values, statement)


def side_year(con, f: Filters, side: str, year: int, labels: Labels = Labels()) -> Evidence:
    """Officials' language point: the side's officials' quotes of that year."""
    rows = _official_quotes(con, f, "qu.side = $side AND year(s.pub_date) = $year", {"side": side, "year": int(year)})
    tone, articles, sentences = _over_articles(rows)
    values = {"tone": tone, "articles": articles, "sentences": sentences}
    statement = (f"**{side} officials, {year}: tone {_tone(tone)}**, the mean over {_plural(articles, 'article')} of "
                 f"each article's mean tone of its {side} officials' quotes ({_plural(sentences, 'sentence')}).")
    return Evidence(_ordered(rows, ["sentence", "w"]), values, statement)


def side_year_word(con, f: Filters, side: str, year: int, word: str, labels: Labels = Labels()) -> Evidence:
    """Side-words bar: the side's sentences of that year using the word, with its contributions."""
    rows, _ = _driver_rows(con, f, word, "s.side = $side AND year(s.pub_date) = $year",
                           {"side": side, "year": int(year)})
    values = {"contribution": round(float(rows["contribution"].sum()), 3), "uses": int(rows["uses"].sum())}
    statement = (f"**“{_md(word)}”, {side} side, {year}: {values['contribution']:+.3f}**, the sum of its contributions "
                 f"over {_plural(values['uses'], 'use')} in {_plural(len(rows), 'sentence')}.")
    return Evidence(_ordered(rows, ["contribution", "uses"]), values, statement)
