"""Progress of a long run: a rich bar per stage on a terminal, and periodic counts in the Prefect log.

The bar is for a person watching a terminal; the log lines are for everyone else (a deployment's run
page, CI output, a file). ``quiet`` (``dateline run --quiet``) removes the bar, never the log lines.
"""

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


class StageCounter:
    """One stage's count; ``advance`` moves the bar and logs when ``log_every`` seconds have passed."""

    def __init__(self, run: "RunProgress", name: str, total: int, unit: str) -> None:
        self.run, self.name, self.total, self.unit = run, name, total, unit
        self.done = 0
        self.started = time.perf_counter()
        self._last_log = self.started
        self._task = run.bar.add_task(name, total=total) if run.bar is not None else None

    def advance(self, count: int = 1) -> None:
        self.done += count
        if self._task is not None:
            self.run.bar.update(self._task, completed=self.done)
        now = time.perf_counter()
        if now - self._last_log >= self.run.log_every and self.done < self.total:
            self._last_log = now
            self.run.logger.info("%s: %s", self.name, self.describe(now))

    def describe(self, now: float | None = None) -> str:
        """'1,000/2,000 documents (50%), 12.5 documents/s' as of ``now``."""
        elapsed = (now or time.perf_counter()) - self.started
        share = f" ({100 * self.done / self.total:.0f}%)" if self.total else ""
        rate = f", {self.done / elapsed:.1f} {self.unit}/s" if elapsed > 0 and self.done else ""
        return f"{self.done:,}/{self.total:,} {self.unit}{share}{rate}"


class RunProgress:
    """The stages of one run. Use as a context manager; ``stage`` opens one counter per stage."""

    def __init__(
        self,
        logger: logging.Logger | logging.LoggerAdapter,
        *,
        show_bar: bool,
        console: Console | None = None,
        log_every: float = 15.0,
    ) -> None:
        self.logger = logger
        self.log_every = log_every
        self._borrowed: list[tuple[object, Console]] = []
        self.bar = (
            Progress(
                TextColumn("[bold]{task.description:<10}"), BarColumn(), MofNCompleteColumn(),
                TimeElapsedColumn(), TimeRemainingColumn(), console=console or Console(stderr=True, markup=False),
            )
            if show_bar
            else None
        )

    @classmethod
    def for_terminal(cls, logger, quiet: bool, console: Console | None = None, log_every: float = 15.0):
        """A bar only when not ``quiet`` and the console is an interactive terminal."""
        # markup off: Prefect's log lines are printed through this console while the bar shows, and
        # a message with brackets in it must print as it is
        console = console or Console(stderr=True, markup=False)
        return cls(logger, show_bar=not quiet and console.is_terminal, console=console, log_every=log_every)

    def __enter__(self) -> "RunProgress":
        if self.bar is not None:
            self._borrow_log_consoles()
            self.bar.start()
        return self

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.stop()
            for handler, console in self._borrowed:
                handler.console = console
            self._borrowed = []

    def _borrow_log_consoles(self) -> None:
        """Print Prefect's console log lines through the bar's console while it is shown.

        Prefect's console handler writes through a rich Console of its own; two consoles on one
        terminal interleave log lines with the bar's redraws. Through the bar's console, each log line
        is printed above the live bars instead.
        """
        from prefect.logging.handlers import PrefectConsoleHandler

        loggers = [logging.getLogger(), *(
            item for item in logging.Logger.manager.loggerDict.values() if isinstance(item, logging.Logger)
        )]
        handlers = {id(h): h for lg in loggers for h in lg.handlers if isinstance(h, PrefectConsoleHandler)}
        for handler in handlers.values():
            self._borrowed.append((handler, handler.console))
            handler.console = self.bar.console

    @contextmanager
    def stage(self, name: str, total: int, unit: str = "documents") -> Iterator[StageCounter]:
        """Count ``total`` units of stage ``name``; logs the final count when the stage ends."""
        counter = StageCounter(self, name, total, unit)
        yield counter
        elapsed = time.perf_counter() - counter.started
        if total:
            self.logger.info("%s: done, %s in %.1f s", name, counter.describe(), elapsed)
