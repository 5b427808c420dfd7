"""Full-text search over the store's sentences: the query language, the index, the results.

- core.search.syntax: the query language an analyst types (words, "exact phrases", AND / OR /
  NOT, wildcards such as sanction*, person: / speaker: / issue: terms) parsed into a tree, which
  becomes a tantivy query and a highlighter for keyword-in-context lines;
- core.search.index: the tantivy index of every sentence, a derived copy of the store kept beside
  it (<store>.search/), brought in step after each build and ingest and rebuilt from the store
  whenever it is missing, from another index or store schema, or behind the store;
- core.search.results: keyword-in-context lines, counts over time, the matching sentences as a
  filter that every chart applies (core.store.queries reads them as the `query_hits` relation), and the
  saved queries kept in the store.
"""
