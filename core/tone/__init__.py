"""Tone: the sentence model (model: lexicon, parse-aware features, fitted weights), its fitting
and cross-validation on the labelled sentences (fit), and the one definition of every tone
aggregate with its n and interval (aggregates)."""
