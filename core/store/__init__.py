"""The store: one DuckDB file (db: connect, verify, write), its schema and migrations (schema), what a
result is keyed by (keys), the dashboard's read-only attach (attached) and every aggregation (queries)."""
