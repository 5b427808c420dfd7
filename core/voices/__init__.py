"""Voices: who is named and who speaks in an article, sentence by sentence.

people (names resolved to canonical people, their side, role and whether they hold office at the
article's date) -> quotes (direct and reported speech with its speaker) -> speakers (whose words
each sentence carries: quotes, transcript and Q&A turns, officials) -> recalled (sentences that
report an earlier occasion, and when).
"""
