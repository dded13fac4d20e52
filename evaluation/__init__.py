"""Accuracy harnesses: Dateline scored against annotated gold (event sentences, ECB+, PETRARCH2, CoNLL-2003)."""
