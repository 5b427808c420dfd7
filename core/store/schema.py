"""The DuckDB store's schema: one place that the writer (core.store.db) and readers (core.store.queries) share.

Every analysis table is keyed by article_id (sha256 of the article's normalised raw text).
An article row also records the pipeline version and catalogue fingerprints it was built with,
so a build can tell what a code or catalogue change affects. Bump SCHEMA_VERSION on any change
here; the store refuses a file with a newer schema rather than corrupting it, and upgrades an
older one in place with MIGRATIONS (then recomputes the DERIVED rows of every article).

Some rows are derived from others at write time so that the dashboard's queries, re-run on every
filter change, avoid the join of issue_hits with sentences on (article_id, sent_idx) (millions
of rows at 100k articles): each issue hit carries its sentence's paragraph, tone, side and
speaker; per article, issue_pairs holds the paragraphs shared by two issues, article_words each
tone word's contributions per speaker side (tone_drivers has ~250 rows per article),
article_sides the sentence count and tone sums per speaker side, and article_issues each issue's
tagged sentences and weighted tone sums (issue charts without a side or person filter read one row
per issue of an article instead of one per hit).

Schema 2: issue_hits.paragraph/tone/side/speaker; the issue_pairs, article_words and
article_sides tables. Schema 3: the article_issues table. Schema 4: whose words a sentence carries
is the sentence's own record (core.voices.speakers), with sentences.official/recalled/recalled_when,
quotes.official and persons.official (office held at the article's date).
Schema 5: article_sources (outlet types, core.sources), saved_queries (named searches, core.search)
and corrections (the analyst's corrections log, core.corrections) with the base_* copies of the
extraction rows of the articles that corrections changed (so one correction can be undone).
Schema 6: articles.credit, the wire or outlet a page credits when it is not the publisher (an AP
story reprinted by a local paper: outlet the paper, credit AP; core.ingest.outlets); outlets lists it too.
"""
from __future__ import annotations

SCHEMA_VERSION = 6

TABLES = {
    "meta": """
        CREATE TABLE IF NOT EXISTS meta (
            key   VARCHAR PRIMARY KEY,
            value VARCHAR
        )""",
    # One row per distinct article text. duplicate_of points at the kept article of a duplicate
    # group (same story re-published); duplicates are excluded from every chart.
    # outlets lists every outlet that carried the story (wire reprints) and the credited sources.
    "articles": """
        CREATE TABLE IF NOT EXISTS articles (
            article_id          VARCHAR PRIMARY KEY,
            file                VARCHAR NOT NULL,
            title               VARCHAR,
            outlet              VARCHAR,
            outlets             VARCHAR[],
            credit              VARCHAR,
            url                 VARCHAR,
            pub_date            DATE,
            pub_date_confidence DOUBLE,
            date_evidence       VARCHAR,
            visit               VARCHAR NOT NULL,
            visit_evidence      VARCHAR,
            words               INTEGER,
            tone                DOUBLE,
            tone_us             DOUBLE,
            tone_china          DOUBLE,
            tone_other          DOUBLE,
            duplicate_of        VARCHAR,
            meta_source         VARCHAR,   -- JSON: field -> 'user' | 'page' | 'inferred'
            user_meta           VARCHAR,   -- JSON: metadata the user gave (sidecar / edits)
            source_format       VARCHAR,
            raw_text            VARCHAR NOT NULL,
            pipeline_version    VARCHAR NOT NULL,
            fingerprint         VARCHAR NOT NULL,  -- pipeline version + catalogue hashes used
            ingested_at         TIMESTAMP DEFAULT current_timestamp
        )""",
    # Every raw line with its fate: kept, or removed as boilerplate with the rule's reason.
    "lines": """
        CREATE TABLE IF NOT EXISTS lines (
            article_id VARCHAR, line_idx INTEGER, text VARCHAR, removed BOOLEAN, reason VARCHAR
        )""",
    # Sentences of the cleaned text with their tone (-1..1), cooperation-conflict reading
    # (-1..1), PLOVER quad class, and whose words they carry: speaker (a person; NULL for an
    # institution or nobody), side, official (spoken in office; NULL: nobody speaks), recalled
    # (reports an earlier occasion) and recalled_when ('YYYY-MM' of that occasion, when known).
    "sentences": """
        CREATE TABLE IF NOT EXISTS sentences (
            article_id VARCHAR, sent_idx INTEGER, start_char INTEGER, end_char INTEGER,
            text VARCHAR, paragraph INTEGER, is_heading BOOLEAN,
            tone DOUBLE, coop DOUBLE, quad VARCHAR, speaker VARCHAR, side VARCHAR,
            official BOOLEAN, recalled BOOLEAN, recalled_when VARCHAR
        )""",
    "mentions": """
        CREATE TABLE IF NOT EXISTS mentions (
            article_id VARCHAR, sent_idx INTEGER, start_char INTEGER, end_char INTEGER,
            text VARCHAR, label VARCHAR, canonical VARCHAR, side VARCHAR, role VARCHAR
        )""",
    "persons": """
        CREATE TABLE IF NOT EXISTS persons (
            article_id VARCHAR, canonical VARCHAR, side VARCHAR, role VARCHAR,
            mentions INTEGER, in_catalog BOOLEAN, quotes INTEGER, official BOOLEAN
        )""",
    "quotes": """
        CREATE TABLE IF NOT EXISTS quotes (
            article_id VARCHAR, quote_idx INTEGER, sent_idx INTEGER, start_char INTEGER,
            end_char INTEGER, text VARCHAR, speaker VARCHAR, side VARCHAR, cue VARCHAR,
            kind VARCHAR, tone DOUBLE, official BOOLEAN
        )""",
    # paragraph .. speaker: copies of the hit's sentence's columns (DERIVED).
    "issue_hits": """
        CREATE TABLE IF NOT EXISTS issue_hits (
            article_id VARCHAR, sent_idx INTEGER, issue VARCHAR, trigger VARCHAR, weight DOUBLE,
            paragraph INTEGER, tone DOUBLE, side VARCHAR, speaker VARCHAR
        )""",
    # Per article and pair of issues (issue_a < issue_b): paragraphs where both are tagged (DERIVED).
    "issue_pairs": """
        CREATE TABLE IF NOT EXISTS issue_pairs (
            article_id VARCHAR, issue_a VARCHAR, issue_b VARCHAR, paragraphs INTEGER
        )""",
    # Per article, side of the sentence's speaker (NULL: not attributed) and tone word: the sum of
    # the word's contributions and its uses (DERIVED from tone_drivers and sentences).
    "article_words": """
        CREATE TABLE IF NOT EXISTS article_words (
            article_id VARCHAR, side VARCHAR, word VARCHAR, contribution DOUBLE, uses INTEGER
        )""",
    # Per article and side of the sentence's speaker (NULL: not attributed): sentences, and the sums
    # of their tone and cooperation readings (DERIVED from sentences).
    "article_sides": """
        CREATE TABLE IF NOT EXISTS article_sides (
            article_id VARCHAR, side VARCHAR, sentences INTEGER, tone DOUBLE, coop DOUBLE
        )""",
    # Per article and issue: tagged sentences (core.issues writes one hit per sentence and issue),
    # the sum of their hit weights and of tone x weight (NULL tones add nothing) (DERIVED from issue_hits).
    "article_issues": """
        CREATE TABLE IF NOT EXISTS article_issues (
            article_id VARCHAR, issue VARCHAR, sentences INTEGER, weight_sum DOUBLE, tone_weighted_sum DOUBLE
        )""",
    # Per article: its outlet type (core.sources, from seeds/outlet_types.yaml) and why (DERIVED).
    "article_sources": """
        CREATE TABLE IF NOT EXISTS article_sources (
            article_id VARCHAR, outlet_type VARCHAR, evidence VARCHAR
        )""",
    "tone_drivers": """
        CREATE TABLE IF NOT EXISTS tone_drivers (
            article_id VARCHAR, sent_idx INTEGER, word VARCHAR, contribution DOUBLE, source VARCHAR
        )""",
    # Searches saved under a name (core.search): not tied to any article, never touched by a build.
    "saved_queries": """
        CREATE TABLE IF NOT EXISTS saved_queries (
            name VARCHAR PRIMARY KEY, query VARCHAR NOT NULL, saved_at TIMESTAMP DEFAULT current_timestamp
        )""",
    # The corrections log (core.corrections): who changed what, when, before -> after. Kept apart
    # from the extraction, re-applied after every write of an article, never deleted by a build.
    # article_id NULL: a person correction for every article. anchor: the text the correction was
    # made on (sentence or quote); status: applied | stale (no longer fits: kept, not applied) | undone.
    "corrections": """
        CREATE TABLE IF NOT EXISTS corrections (
            id INTEGER PRIMARY KEY, created_at TIMESTAMP, author VARCHAR, kind VARCHAR,
            article_id VARCHAR, item INTEGER, anchor VARCHAR, subject VARCHAR,
            before VARCHAR, after VARCHAR, status VARCHAR, undone_at TIMESTAMP
        )""",
}
# The extraction's own rows of the articles that corrections changed (core.corrections copies an
# article's rows here before its first correction): a row per table in BASE_TABLES.
BASE_TABLES = ("sentences", "mentions", "persons", "quotes", "issue_hits")
for _t in BASE_TABLES:
    TABLES[f"base_{_t}"] = f"CREATE TABLE IF NOT EXISTS base_{_t} AS SELECT * FROM {_t} LIMIT 0"

# Tables whose rows are computed from the other tables of the article (by DERIVED) only.
DERIVED_TABLES = ("issue_pairs", "article_words", "article_sides", "article_issues", "article_sources")
# Tables whose rows belong to one article and are replaced together when it is reprocessed.
ARTICLE_TABLES = ("lines", "sentences", "mentions", "persons", "quotes", "issue_hits", "tone_drivers",
                  *DERIVED_TABLES)

_IDS = "article_id IN (SELECT unnest($ids::VARCHAR[]))"
# Recompute the derived rows of the articles $ids from their sentences, issue hits and tone drivers.
DERIVED = [
    f"""UPDATE issue_hits h SET paragraph = s.paragraph, tone = s.tone, side = s.side, speaker = s.speaker
        FROM sentences s WHERE s.article_id = h.article_id AND s.sent_idx = h.sent_idx AND h.{_IDS}""",
    f"DELETE FROM issue_pairs WHERE {_IDS}",
    f"""INSERT INTO issue_pairs
        WITH ph AS (SELECT DISTINCT article_id, paragraph, issue FROM issue_hits WHERE {_IDS})
        SELECT x.article_id, x.issue, y.issue, count(*)
        FROM ph x JOIN ph y ON x.article_id = y.article_id AND x.paragraph = y.paragraph AND x.issue < y.issue
        GROUP BY ALL""",
    f"DELETE FROM article_words WHERE {_IDS}",
    f"""INSERT INTO article_words
        SELECT d.article_id, s.side, d.word, sum(d.contribution), count(*)
        FROM tone_drivers d JOIN sentences s USING (article_id, sent_idx) WHERE d.{_IDS} GROUP BY ALL""",
    f"DELETE FROM article_sides WHERE {_IDS}",
    f"""INSERT INTO article_sides
        SELECT article_id, side, count(*), sum(tone), sum(coop) FROM sentences WHERE {_IDS} GROUP BY ALL""",
    f"DELETE FROM article_issues WHERE {_IDS}",
    f"""INSERT INTO article_issues
        SELECT article_id, issue, count(*), sum(weight), sum(tone * weight) FROM issue_hits WHERE {_IDS} GROUP BY ALL""",
]

# Statements that bring a store of schema version N up to N + 1 (DERIVED runs after them).
MIGRATIONS = {
    1: ["ALTER TABLE issue_hits ADD COLUMN paragraph INTEGER", "ALTER TABLE issue_hits ADD COLUMN tone DOUBLE",
        "ALTER TABLE issue_hits ADD COLUMN side VARCHAR", "ALTER TABLE issue_hits ADD COLUMN speaker VARCHAR",
        *(TABLES[t] for t in ("issue_pairs", "article_words", "article_sides"))],
    2: [TABLES["article_issues"]],
    3: ["ALTER TABLE sentences ADD COLUMN official BOOLEAN", "ALTER TABLE sentences ADD COLUMN recalled BOOLEAN",
        "ALTER TABLE sentences ADD COLUMN recalled_when VARCHAR", "ALTER TABLE quotes ADD COLUMN official BOOLEAN",
        "ALTER TABLE persons ADD COLUMN official BOOLEAN"],
    4: [TABLES[t] for t in ("article_sources", "saved_queries", "corrections", *(f"base_{t}" for t in BASE_TABLES))],
    5: ["ALTER TABLE articles ADD COLUMN IF NOT EXISTS credit VARCHAR"],
}

INDEXES = [
    "CREATE INDEX IF NOT EXISTS idx_articles_visit ON articles(visit)",
    "CREATE INDEX IF NOT EXISTS idx_articles_date ON articles(pub_date)",
]
