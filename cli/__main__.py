"""``python -m cli``: the ``dateline`` console script without the installed entry point."""

from dateline.cli.main import main

main()
