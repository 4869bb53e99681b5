"""Rankings, read for an audience.

`read` is the one read path every reader of a ranking goes through — the public results pages,
the public JSON API, the big-screen board, the public and the organizer exports — and it alone
decides what each audience may see (PRODUCT.md, "Public means published"). `question_stats`
computes the per-question figures a publication freezes. (Issue 13 moves the ranking pipeline
itself — ranking.py, live_ranking.py, publishing.py — into this package.)
"""
