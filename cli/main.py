"""The ``dateline`` console script: the Typer app with every command, a clean exit and an honest exit code."""

import atexit
import logging
import os
import sys
import traceback

from dateline.cli import eval_cmds, read_cmds, run_cmds
from dateline.cli.common import EXIT_FAILED, app, debug, err, error_text
from rich.markup import escape

# The commands, in the order ``dateline --help`` lists them.
for command in (run_cmds.run, run_cmds.serve, read_cmds.query, read_cmds.runs, read_cmds.quarantine,
                read_cmds.export, read_cmds.report, read_cmds.dedupe, run_cmds.migrate_keys):
    app.command()(command)
app.add_typer(eval_cmds.train_app, name="train")
app.add_typer(eval_cmds.eval_app, name="eval")

_exit_code = 0


def _exit_without_finalizers() -> None:
    # Registered before anything imports Prefect, so it runs last among atexit handlers (after Prefect
    # stops its temporary server). Skipping module finalization avoids nanobind's benign
    # "leaked instances" report from DuckDB's bindings at interpreter shutdown.
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(_exit_code)


def main() -> None:
    """Console-script entry point: the Typer app, with a clean interpreter exit and an honest exit code.

    Usage errors exit 2 (click's own handling); any other failure exits 1 with one line on stderr
    (the whole message of the library that raised it), the traceback only with ``--debug``.
    """
    global _exit_code
    atexit.register(_exit_without_finalizers)
    try:
        app()
    except SystemExit as exc:
        code = exc.code
        _exit_code = code if isinstance(code, int) else (0 if code is None else EXIT_FAILED)
        raise
    except KeyboardInterrupt:
        _exit_code = 130
        err.print("interrupted", highlight=False)
        raise SystemExit(130) from None
    except Exception as exc:
        _exit_code = EXIT_FAILED
        if debug():
            traceback.print_exc()
        err.print(f"[bold red]error:[/] {escape(error_text(exc))}", highlight=False, soft_wrap=True)
        raise SystemExit(EXIT_FAILED) from None


if __name__ == "__main__":
    main()
