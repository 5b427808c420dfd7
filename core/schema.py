"""The DuckDB store's schema: one place that the writer (core.store) and readers (core.queries) share.

Every analysis table is keyed by article_id (sha256 of the article's normalised raw text).
An article row also records the pipeline version and catalogue fingerprints it was built with,
so a build can tell what a code or catalogue change affects. Bump SCHEMA_VERSION on any change
here; the store refuses a file with a newer schema rather than corrupting it.
"""
from __future__ import annotations

SCHEMA_VERSION = 1

TABLES = {
    "meta": """
        CREATE TABLE IF NOT EXISTS meta (
            key   VARCHAR PRIMARY KEY,
            value VARCHAR
        )""",
    # One row per distinct article text. duplicate_of points at the kept article of a duplicate
    # group (same story re-published); duplicates are excluded from every chart.
    # outlets lists every outlet that carried the story (wire reprints).
    "articles": """
        CREATE TABLE IF NOT EXISTS articles (
            article_id          VARCHAR PRIMARY KEY,
            file                VARCHAR NOT NULL,
            title               VARCHAR,
            outlet              VARCHAR,
            outlets             VARCHAR[],
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
            meta_source         VARCHAR,   -- JSON: field -> 'user' | 'inferred'
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
    # (-1..1), PLOVER quad class, and the speaker/side when the sentence is attributed speech.
    "sentences": """
        CREATE TABLE IF NOT EXISTS sentences (
            article_id VARCHAR, sent_idx INTEGER, start_char INTEGER, end_char INTEGER,
            text VARCHAR, paragraph INTEGER, is_heading BOOLEAN,
            tone DOUBLE, coop DOUBLE, quad VARCHAR, speaker VARCHAR, side VARCHAR
        )""",
    "mentions": """
        CREATE TABLE IF NOT EXISTS mentions (
            article_id VARCHAR, sent_idx INTEGER, start_char INTEGER, end_char INTEGER,
            text VARCHAR, label VARCHAR, canonical VARCHAR, side VARCHAR, role VARCHAR
        )""",
    "persons": """
        CREATE TABLE IF NOT EXISTS persons (
            article_id VARCHAR, canonical VARCHAR, side VARCHAR, role VARCHAR,
            mentions INTEGER, in_catalog BOOLEAN, quotes INTEGER
        )""",
    "quotes": """
        CREATE TABLE IF NOT EXISTS quotes (
            article_id VARCHAR, quote_idx INTEGER, sent_idx INTEGER, start_char INTEGER,
            end_char INTEGER, text VARCHAR, speaker VARCHAR, side VARCHAR, cue VARCHAR,
            kind VARCHAR, tone DOUBLE
        )""",
    "issue_hits": """
        CREATE TABLE IF NOT EXISTS issue_hits (
            article_id VARCHAR, sent_idx INTEGER, issue VARCHAR, trigger VARCHAR, weight DOUBLE
        )""",
    "tone_drivers": """
        CREATE TABLE IF NOT EXISTS tone_drivers (
            article_id VARCHAR, sent_idx INTEGER, word VARCHAR, contribution DOUBLE, source VARCHAR
        )""",
}

# Tables whose rows belong to one article and are replaced together when it is reprocessed.
ARTICLE_TABLES = ("lines", "sentences", "mentions", "persons", "quotes", "issue_hits", "tone_drivers")

INDEXES = [
    "CREATE INDEX IF NOT EXISTS idx_articles_visit ON articles(visit)",
    "CREATE INDEX IF NOT EXISTS idx_articles_date ON articles(pub_date)",
]
