"""Ingest: a file, upload or URL becomes a stored article. read/decode -> clean -> dates, outlets ->
dedupe, then core.build extracts and core.store.db writes. `add` is the entry point (ingest_paths)."""
