"""Progress: a bar per stage on a terminal only, counts in the log either way, nothing from ``quiet``."""

import io
import logging

from dateline.flows.progress import RunProgress
from rich.console import Console


def _console(terminal: bool) -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=terminal, width=100), out


def test_terminal_shows_a_bar_per_stage():
    console, out = _console(terminal=True)
    with RunProgress.for_terminal(logging.getLogger("t"), quiet=False, console=console) as progress:
        assert progress.bar is not None
        with progress.stage("ingest", 3, "files") as counter:
            counter.advance(3)
        with progress.stage("extract", 10) as counter:
            counter.advance(4)
    text = out.getvalue()
    assert "ingest" in text and "3/3" in text
    assert "extract" in text and "4/10" in text


def test_quiet_or_no_terminal_means_no_bar():
    for quiet, terminal in ((True, True), (False, False)):
        console, out = _console(terminal)
        with RunProgress.for_terminal(logging.getLogger("t"), quiet=quiet, console=console) as progress:
            assert progress.bar is None
            with progress.stage("extract", 2) as counter:
                counter.advance(2)
        assert out.getvalue() == ""


def test_counts_reach_the_log_periodically_and_at_the_end(caplog):
    logger = logging.getLogger("dateline-progress-test")
    console, _ = _console(terminal=False)
    with caplog.at_level(logging.INFO, logger=logger.name):
        # log_every=0: every advance is "time to log", so the test does not depend on the clock
        with RunProgress.for_terminal(logger, quiet=True, console=console, log_every=0) as progress:
            with progress.stage("extract", 4) as counter:
                counter.advance(1)
                counter.advance(2)
                counter.advance(1)
            with progress.stage("normalize", 0) as counter:
                pass
    messages = [r.getMessage() for r in caplog.records]
    assert messages[0].startswith("extract: 1/4 documents (25%)")
    assert messages[1].startswith("extract: 3/4 documents (75%)")
    assert messages[2].startswith("extract: done, 4/4 documents (100%)")
    assert len(messages) == 3  # an empty stage logs nothing, the last advance is the "done" line


def test_no_periodic_line_before_the_interval(caplog):
    logger = logging.getLogger("dateline-progress-test-2")
    with caplog.at_level(logging.INFO, logger=logger.name):
        with RunProgress(logger, show_bar=False, log_every=3600) as progress:
            with progress.stage("ingest", 5, "files") as counter:
                for _ in range(5):
                    counter.advance()
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 1 and messages[0].startswith("ingest: done, 5/5 files (100%)")


def test_prefect_log_lines_go_through_the_bar_console_while_it_is_shown():
    from prefect.logging.handlers import PrefectConsoleHandler

    logger = logging.getLogger("dateline-progress-test-3")
    handler = PrefectConsoleHandler(stream=io.StringIO())
    own = handler.console
    logger.addHandler(handler)
    try:
        console, out = _console(terminal=True)
        with RunProgress.for_terminal(logger, quiet=False, console=console):
            assert handler.console is console
            logger.warning("a log line during the run")
        assert handler.console is own
        assert "a log line during the run" in out.getvalue()
    finally:
        logger.removeHandler(handler)
