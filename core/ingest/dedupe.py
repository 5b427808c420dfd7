"""Duplicate stories: the same article re-published with other furniture, headline or outlet.

Byte-identical (or whitespace-only different) files share an article_id (core.extract.content_hash),
so the store holds them once and ingest reports them. Near-duplicates are found here: the kept
(non-boilerplate) lines of each article are reduced to word 5-gram shingles and a 128-value
MinHash signature, computed in DuckDB. Signatures are split into 32 bands of 4 values; two
articles that share a band become candidates (LSH), and a candidate pair is a duplicate when
the smaller article's shingles are at least CONTAINMENT_THRESHOLD contained in the larger's
(estimated from the MinHash Jaccard and the shingle counts) and it is at least half as long
as the larger one. Containment, not Jaccard, because
a wire story reprinted with an extra paragraph or a trimmed ending is still the same story.

Each duplicate group keeps one representative, the earliest ingested (then the longest), so
adding articles never silently changes which one charts count. Duplicates point at it through
articles.duplicate_of and every chart excludes them; the representative's `outlets` lists every
outlet that carried the story (wire reprints). Work is incremental: signatures are kept in the
dedupe_* tables, keyed by article_id and the article's build fingerprint, and only new or
rebuilt articles are compared with the rest.
"""
from __future__ import annotations

import duckdb
import pandas as pd

SHINGLE_WORDS = 5
NUM_PERM = 128
BAND_ROWS = 4  # 32 bands: a pair with Jaccard 0.5 becomes a candidate with probability 0.87
CONTAINMENT_THRESHOLD = 0.8
MIN_SHINGLES = 8  # shorter texts (a headline, a caption) are too small to call duplicates
# A text under half the other's length is an excerpt or a brief inside a roundup, not a reprint;
# without this bound a roundup would chain several distinct briefs into one group.
MIN_SIZE_RATIO = 0.5
# Articles signed, or compared with the rest, at a time: memory stays bounded however many need it
# at once (a store upgraded from an old version, or filled without signatures, signs every article
# in its first commit; at 100,000 articles one pass took 17.7 GB and was killed).
BATCH = 500

TABLES = {
    "dedupe_signatures": """
        CREATE TABLE IF NOT EXISTS dedupe_signatures (
            article_id VARCHAR PRIMARY KEY, fingerprint VARCHAR, n_shingles INTEGER
        )""",
    "dedupe_minhash": """
        CREATE TABLE IF NOT EXISTS dedupe_minhash (article_id VARCHAR, perm SMALLINT, value UBIGINT)""",
    "dedupe_bands": """
        CREATE TABLE IF NOT EXISTS dedupe_bands (article_id VARCHAR, band SMALLINT, bucket UBIGINT)""",
}

# Shingles of a relation `_dd_texts(article_id, text)`: lower-cased letter/digit words, 5 at a time.
# Words are unnested with their position and each shingle is built from the next words by lead(),
# so the work is linear in the text: slicing the word list once per position (t[i:i+4] in a join
# with range()) copied the whole list for every word, quadratic in time and memory (a 999,000-
# character article ran out of memory). Same shingle strings, so stored signatures stay valid.
_SHINGLES_SQL = f"""
    WITH words AS (
        SELECT article_id, unnest(t) AS w, generate_subscripts(t, 1) AS i
        FROM (SELECT article_id,
                     list_filter(regexp_split_to_array(lower(text), '[^\\pL\\pN]+'), lambda w: w <> '') AS t
              FROM _dd_texts)
    ), grams AS (
        SELECT article_id,
               concat_ws(' ', w, {", ".join(f"lead(w, {k}) OVER win" for k in range(1, SHINGLE_WORDS))}) AS g,
               lead(w, {SHINGLE_WORDS - 1}) OVER win IS NOT NULL AS whole
        FROM words WINDOW win AS (PARTITION BY article_id ORDER BY i)
    )
    SELECT DISTINCT article_id, hash(g) AS h FROM grams WHERE whole
"""


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    for ddl in TABLES.values():
        con.execute(ddl)


def _signatures(con, texts: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """MinHash signature rows, band rows and shingle counts of texts(article_id, text)."""
    con.register("_dd_texts", texts)
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE _dd_sh AS {_SHINGLES_SQL}")
    finally:
        con.unregister("_dd_texts")
    counts = con.sql("SELECT article_id, count(*)::INTEGER AS n_shingles FROM _dd_sh GROUP BY ALL").df()
    minhash = con.sql(f"""
        SELECT article_id, p::SMALLINT AS perm, min(hash(h, p)) AS value
        FROM _dd_sh, range({NUM_PERM}) AS r(p) GROUP BY ALL""").df()
    con.register("_dd_mh", minhash)
    bands = con.sql(f"""
        SELECT article_id, (perm // {BAND_ROWS})::SMALLINT AS band, hash(list(value ORDER BY perm)) AS bucket
        FROM _dd_mh GROUP BY ALL""").df()
    con.unregister("_dd_mh")
    con.execute("DROP TABLE _dd_sh")
    return minhash, bands, counts


def _kept_texts(con, ids: list[str]) -> pd.DataFrame:
    """The analysed text of each article: its kept lines in order."""
    return con.execute("""
        SELECT a.article_id, coalesce(string_agg(l.text, chr(10) ORDER BY l.line_idx), '') AS text
        FROM articles a LEFT JOIN lines l ON l.article_id = a.article_id AND NOT l.removed
        WHERE a.article_id IN (SELECT unnest($ids)) GROUP BY a.article_id""", {"ids": ids}).df()


def _refresh_signatures(con) -> list[str]:
    """Drop signatures of deleted or rebuilt articles, compute missing ones; return the ids computed."""
    con.execute("""
        DELETE FROM dedupe_signatures s WHERE NOT EXISTS (
            SELECT 1 FROM articles a WHERE a.article_id = s.article_id AND a.fingerprint = s.fingerprint)""")
    for table in ("dedupe_minhash", "dedupe_bands"):
        con.execute(f"""DELETE FROM {table} t WHERE t.article_id NOT IN
                        (SELECT article_id FROM dedupe_signatures)""")
    todo = [r[0] for r in con.execute("""
        SELECT article_id FROM articles WHERE article_id NOT IN (SELECT article_id FROM dedupe_signatures)
    """).fetchall()]
    for start in range(0, len(todo), BATCH):
        _sign(con, todo[start:start + BATCH])
    return todo


def _sign(con, ids: list[str]) -> None:
    """Compute and store the signatures of articles ids."""
    minhash, bands, counts = _signatures(con, _kept_texts(con, ids))
    con.register("_dd_new", pd.DataFrame({"article_id": ids}))
    con.register("_dd_counts", counts)
    con.execute("""
        INSERT INTO dedupe_signatures
        SELECT a.article_id, a.fingerprint, coalesce(c.n_shingles, 0)
        FROM articles a JOIN _dd_new n USING (article_id) LEFT JOIN _dd_counts c USING (article_id)""")
    con.register("_dd_mh", minhash)
    con.register("_dd_bands", bands)
    con.execute("INSERT INTO dedupe_minhash SELECT article_id, perm, value FROM _dd_mh")
    con.execute("INSERT INTO dedupe_bands SELECT article_id, band, bucket FROM _dd_bands")
    for name in ("_dd_new", "_dd_counts", "_dd_mh", "_dd_bands"):
        con.unregister(name)


def _matching_pairs(con, ids: list[str]) -> pd.DataFrame:
    """Near-duplicate pairs (a, b) with a in ids, from LSH candidates verified by MinHash containment."""
    return con.execute(f"""
        WITH cand AS (
            SELECT DISTINCT x.article_id AS a, y.article_id AS b
            FROM dedupe_bands x JOIN dedupe_bands y ON x.band = y.band AND x.bucket = y.bucket
            WHERE x.article_id IN (SELECT unnest($ids)) AND x.article_id <> y.article_id
        ), jac AS (
            SELECT c.a, c.b, count(*) FILTER (WHERE ma.value = mb.value) / {NUM_PERM} AS j
            FROM cand c
            JOIN dedupe_minhash ma ON ma.article_id = c.a
            JOIN dedupe_minhash mb ON mb.article_id = c.b AND mb.perm = ma.perm
            GROUP BY c.a, c.b
        )
        SELECT jac.a, jac.b
        FROM jac JOIN dedupe_signatures sa ON sa.article_id = jac.a
                 JOIN dedupe_signatures sb ON sb.article_id = jac.b
        WHERE least(sa.n_shingles, sb.n_shingles) >= {MIN_SHINGLES}
          AND least(sa.n_shingles, sb.n_shingles) >= {MIN_SIZE_RATIO} * greatest(sa.n_shingles, sb.n_shingles)
          -- |A∩B| = J(|A|+|B|)/(1+J); containment = |A∩B| / min(|A|,|B|)
          AND jac.j * (sa.n_shingles + sb.n_shingles) / (1 + jac.j)
              >= {CONTAINMENT_THRESHOLD} * least(sa.n_shingles, sb.n_shingles)
    """, {"ids": ids}).df()


def _components(edges: list[tuple[str, str]]) -> dict[str, str]:
    """Union-find over duplicate edges: node -> component key (any stable member)."""
    parent: dict[str, str] = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {x: find(x) for x in parent}


def mark_duplicates(con: duckdb.DuckDBPyConnection) -> int:
    """Set articles.duplicate_of and articles.outlets for what is new or rebuilt; return #duplicates.

    Runs inside the caller's transaction (the build's write). Articles whose group may have
    changed (new, rebuilt, or pointing at a deleted article, and the members of their previous
    groups) are regrouped; every other group is left as it was.
    """
    ensure_tables(con)
    computed = _refresh_signatures(con)
    rows = con.execute("""
        SELECT article_id, coalesce(duplicate_of, article_id) AS root,
               duplicate_of IS NOT NULL AND duplicate_of NOT IN (SELECT article_id FROM articles) AS orphan
        FROM articles""").df()
    touched_roots = set(rows.loc[rows.article_id.isin(computed) | rows.orphan, "root"])
    regroup = rows.loc[rows.root.isin(touched_roots) | rows.article_id.isin(computed), "article_id"].tolist()
    if regroup:
        pairs = pd.concat([_matching_pairs(con, regroup[i:i + BATCH]) for i in range(0, len(regroup), BATCH)])
        kept = rows[~rows.article_id.isin(regroup) & (rows.root != rows.article_id)]
        edges = list(zip(pairs.a, pairs.b)) + list(zip(kept.article_id, kept.root))
        edges += [(x, x) for x in regroup]
        comp = _components(edges)
        members = pd.DataFrame({"article_id": list(comp), "comp": list(comp.values())})
        con.register("_dd_members", members)
        con.execute("""
            UPDATE articles a SET duplicate_of = g.rep FROM (
                SELECT m.article_id,
                       nullif(first(m.article_id ORDER BY x.ingested_at, s.n_shingles DESC NULLS LAST,
                                    m.article_id) OVER (PARTITION BY m.comp), m.article_id) AS rep
                FROM _dd_members m JOIN articles x USING (article_id)
                LEFT JOIN dedupe_signatures s USING (article_id)
            ) g
            WHERE a.article_id = g.article_id AND a.duplicate_of IS DISTINCT FROM g.rep""")
        con.unregister("_dd_members")
    _merge_outlets(con)
    return con.execute("SELECT count(*) FROM articles WHERE duplicate_of IS NOT NULL").fetchall()[0][0]


def _merge_outlets(con) -> None:
    """outlets = every outlet (and credited source) of the story's group for a representative, its own for a
    duplicate: an AP story reprinted by two papers lists both papers and AP once."""
    con.execute("""
        UPDATE articles a SET outlets = g.outlets FROM (
            SELECT x.article_id,
                   CASE WHEN x.duplicate_of IS NULL
                        THEN coalesce(grp.outlets, [])
                        ELSE list_filter([x.outlet, x.credit], lambda o: o IS NOT NULL) END AS outlets
            FROM articles x LEFT JOIN (
                SELECT rep, list(outlet ORDER BY first_seen, kind) AS outlets FROM (
                    SELECT coalesce(duplicate_of, article_id) AS rep, o.outlet, min(o.kind) AS kind,
                           min(ingested_at) AS first_seen
                    FROM articles, LATERAL (VALUES (outlet, 0), (credit, 1)) o(outlet, kind)
                    WHERE o.outlet IS NOT NULL AND trim(o.outlet) <> '' GROUP BY ALL
                ) GROUP BY rep
            ) grp ON grp.rep = x.article_id
        ) g
        WHERE a.article_id = g.article_id AND a.outlets IS DISTINCT FROM g.outlets""")


def find_duplicate_of(text: str, con: duckdb.DuckDBPyConnection) -> str | None:
    """The stored story that `text` (an article's cleaned text) duplicates, or None.

    Uses the same shingles and containment rule as mark_duplicates, so an exact copy matches
    too; the result is the group's representative. Articles not yet signed (stored since the
    last mark_duplicates) are not searched.
    """
    ensure_tables(con)
    minhash, bands, counts = _signatures(con, pd.DataFrame({"article_id": ["?query"], "text": [text]}))
    if counts.empty or counts.n_shingles.iloc[0] < MIN_SHINGLES:
        return None
    n = int(counts.n_shingles.iloc[0])
    con.register("_dd_qmh", minhash)
    con.register("_dd_qbands", bands)
    try:
        hit = con.execute(f"""
            WITH cand AS (
                SELECT DISTINCT y.article_id FROM _dd_qbands q
                JOIN dedupe_bands y ON y.band = q.band AND y.bucket = q.bucket
            ), jac AS (
                SELECT c.article_id, count(*) FILTER (WHERE q.value = m.value) / {NUM_PERM} AS j
                FROM cand c JOIN dedupe_minhash m USING (article_id)
                JOIN _dd_qmh q ON q.perm = m.perm GROUP BY c.article_id
            )
            SELECT coalesce(a.duplicate_of, a.article_id)
            FROM jac JOIN dedupe_signatures s USING (article_id) JOIN articles a USING (article_id)
            WHERE s.n_shingles >= {MIN_SHINGLES}
              AND least(s.n_shingles, $n) >= {MIN_SIZE_RATIO} * greatest(s.n_shingles, $n)
              AND jac.j * (s.n_shingles + $n) / (1 + jac.j) >= {CONTAINMENT_THRESHOLD} * least(s.n_shingles, $n)
            ORDER BY jac.j DESC, a.ingested_at LIMIT 1""", {"n": n}).fetchall()
    finally:
        con.unregister("_dd_qmh")
        con.unregister("_dd_qbands")
    return hit[0][0] if hit else None
