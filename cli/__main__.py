"""``python -m cli``: the ``dateline`` console script without the installed entry point."""

from cli.main import main

main()
