"""Throughput, memory and accuracy harnesses over ../shared/corpora (each skips when its corpus is absent)."""
