"""Orchestration: the Prefect flow ``news_etl``, its tasks, and what wires them (settings, sources, workers)."""
