"""Analyst outputs read from the warehouse: the HTML dashboard, the Parquet export, query results as text."""
