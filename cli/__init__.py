"""The ``dateline`` command line: Typer commands and the bootstrap of runs and scheduled serving."""
