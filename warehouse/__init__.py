"""The DuckDB warehouse: DDL and views as .sql files, connections, and the one-transaction loader."""
