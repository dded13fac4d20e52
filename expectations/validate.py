"""Validate polars frames with Great Expectations (through pandas, in an ephemeral context) and build Data Docs."""

import datetime as dt
import fcntl
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl
from dateline.transforms.frames import rows_frame

if TYPE_CHECKING:
    from dateline.expectations.rules import LoadedKeys

VALIDATION_SCHEMA = pl.Schema(
    {
        "table_name": pl.String,
        "expectation": pl.String,
        "column_name": pl.String,
        "success": pl.Boolean,
        "observed_value": pl.String,
    }
)
DOCS_SITE = "dateline"


@dataclass
class ValidationReport:
    """Outcome of validating one run's frames."""

    results: pl.DataFrame  # VALIDATION_SCHEMA, one row per expectation
    failures: list[str] = field(default_factory=list)  # "table.expectation(column): observed"
    data_docs: Path | None = None  # index.html of the Data Docs site (self-contained), when built

    @property
    def success(self) -> bool:
        return not self.failures


def validate_run(
    frames: Mapping[str, pl.DataFrame],
    loaded_keys: "Mapping[str, set] | LoadedKeys",
    run_id: str,
    data_docs_dir: Path | None = None,
    today: dt.date | None = None,
) -> ValidationReport:
    """Validate every frame about to be loaded against its table's suite; build Data Docs when asked.

    References may point at keys staged in this run or already in the warehouse (``loaded_keys``: a
    mapping of table → keys, or ``LoadedKeys`` asked by anti-join about the few values not staged).
    The suites are built once here, for this run.
    """
    validation = RunValidation(loaded_keys, run_id, data_docs_dir, today)
    validation.validate(frames)
    return validation.finish()


class RunValidation:
    """One run's validation, table by table as the tables become final; one report and one Data Docs site.

    The flow validates the tables that are final before extraction (documents, sources, quarantine,
    event types) while the spaCy workers parse, and the rest once resolution has made them; each table
    is validated exactly once, against the same suites, and ``finish`` reports all of them in the
    suites' order. Creating it imports Great Expectations and opens its context.
    """

    def __init__(self, loaded_keys: "Mapping[str, set] | LoadedKeys", run_id: str,
                 data_docs_dir: Path | None = None, today: dt.date | None = None) -> None:
        from dateline.expectations.rules import table_rules
        from dateline.expectations.suites import build_suites
        from great_expectations.core.run_identifier import RunIdentifier

        self.loaded_keys, self.run_id, self.data_docs_dir = loaded_keys, run_id, data_docs_dir
        self.rules = table_rules(today)
        self.suites = build_suites(self.rules)
        self.validator = Validator(data_docs_dir)
        self._run = RunIdentifier(run_name=run_id, run_time=dt.datetime.now(dt.UTC))
        self._reports: list[ValidationReport] = []
        self.validated: set[str] = set()

    def validate(self, frames: Mapping[str, pl.DataFrame], staged: Mapping[str, pl.DataFrame] | None = None) -> None:
        """Validate ``frames`` (table → the rows to load); ``staged`` frames only lend their keys (and the
        documents' bodies) to the references and offsets of these, and are validated in a later call."""
        from dateline.expectations.rules import check_columns

        again = self.validated & set(frames)
        if again:
            raise ValueError(f"already validated in this run: {sorted(again)}")
        checked = check_columns({**(staged or {}), **frames}, self.loaded_keys, self.rules, only=set(frames))
        suites = {table: suite for table, suite in self.suites.items() if table in frames}
        self._reports.append(self.validator.validate(checked, suites, self.run_id, self._run))
        self.validated |= set(frames)

    def finish(self) -> ValidationReport:
        """The run's report: every validated table's results in the suites' order; Data Docs when asked."""
        order = {table: i for i, table in enumerate(self.suites)}
        parts = [r.results for r in self._reports] or [VALIDATION_SCHEMA.to_frame()]
        results = (
            pl.concat(parts)
            .with_columns(_order=pl.col("table_name").replace_strict(order, default=len(order)))
            .sort("_order", maintain_order=True)
            .drop("_order")
        )
        report = ValidationReport(results=results, failures=_failures(results))
        if self.data_docs_dir is not None:
            report.data_docs = self.validator.build_data_docs(results, self.run_id)
        return report


class Validator:
    """One ephemeral GX context per run, with a filesystem Data Docs site when ``data_docs_dir`` is given."""

    def __init__(self, data_docs_dir: Path | None = None) -> None:
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self._gx = gx
        self.context = gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False)
        self.datasource = self.context.data_sources.add_or_update_pandas("dateline")
        self.data_docs_dir = data_docs_dir
        if data_docs_dir is not None:
            # The ephemeral context keeps results in memory; the site is plain files under data_docs_dir,
            # and its index lists the runs validated by this context (one run).
            self.context.add_data_docs_site(
                site_name=DOCS_SITE,
                site_config={
                    "class_name": "SiteBuilder",
                    "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
                    "store_backend": {
                        "class_name": "TupleFilesystemStoreBackend",
                        "base_directory": str(Path(data_docs_dir).resolve()),
                    },
                },
            )

    def validate(
        self, frames: Mapping[str, pl.DataFrame], suites: Mapping[str, list], run_id: str = "adhoc",
        run: object | None = None,
    ) -> ValidationReport:
        """Validate each frame that has a suite; a table with no rows still runs (and passes) its suite.

        ``run``: the GX RunIdentifier the results are filed under (default: ``run_id``, now).
        """
        gx = self._gx
        from great_expectations.core.run_identifier import RunIdentifier

        run = run or RunIdentifier(run_name=run_id, run_time=dt.datetime.now(dt.UTC))
        rows: list[dict] = []
        for table, expectations in suites.items():
            frame = frames.get(table)
            if frame is None:
                continue
            asset = self.datasource.add_dataframe_asset(name=table) if table not in self._asset_names() else (
                self.datasource.get_asset(table)
            )
            batch_def = next(iter(asset.batch_definitions), None) or asset.add_batch_definition_whole_dataframe(
                "whole"
            )
            suite = self.context.suites.add_or_update(
                gx.ExpectationSuite(name=table, expectations=list(expectations))
            )
            definition = self.context.validation_definitions.add_or_update(
                gx.ValidationDefinition(name=table, data=batch_def, suite=suite)
            )
            result = definition.run(batch_parameters={"dataframe": frame.to_pandas()}, run_id=run)
            for er in result.results:
                kwargs = er.expectation_config.kwargs
                column = kwargs.get("column") or ",".join(
                    str(kwargs[k]) for k in ("column_A", "column_B") if kwargs.get(k)
                )
                rows.append(
                    {
                        "table_name": table,
                        "expectation": er.expectation_config.type,
                        "column_name": column or None,
                        "success": bool(er.success),
                        "observed_value": _observed(er.result, er.exception_info),
                    }
                )
        results = rows_frame(rows, VALIDATION_SCHEMA)
        return ValidationReport(results=results, failures=_failures(results))

    def build_data_docs(self, results: pl.DataFrame, run_id: str) -> Path:
        """Write the HTML site (suites and this context's validation results); returns its index.html.

        The index is Dateline's self-contained page of ``results`` (readable offline); GX's own index,
        which needs CDN scripts, stays beside it as ``gx_index.html``.
        """
        from dateline.expectations.docs_page import write_page

        site = Path(self.data_docs_dir).resolve()
        with site_lock(site):
            self.context.build_data_docs(site_names=[DOCS_SITE])
            return write_page(site, results, run_id)

    def _asset_names(self) -> set[str]:
        return {a.name for a in self.datasource.assets}


SITE_LOCK = ".build.lock"


@contextmanager
def site_lock(site: Path) -> Iterator[None]:
    """Hold the Data Docs folder ``site`` for one build: GX's site builder lists and renders every page
    under it, so two runs whose warehouses share a folder (and so ``data_docs/``) must not build at once
    (the second waits; seen failing with FileNotFoundError on the other run's half-written page)."""
    site.mkdir(parents=True, exist_ok=True)
    fd = os.open(site / SITE_LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _failures(results: pl.DataFrame) -> list[str]:
    """The failed expectations of ``results``, each as "table.expectation(column): observed"."""
    return [
        f"{r['table_name']}.{r['expectation']}({r['column_name']}): {r['observed_value']}"
        for r in results.filter(~pl.col("success")).iter_rows(named=True)
    ]


def _observed(result: dict, exception_info: dict | None) -> str:
    if "observed_value" in result:
        return str(result["observed_value"])
    if "unexpected_count" in result:
        sample = result.get("partial_unexpected_list") or []
        return f"{result['unexpected_count']} unexpected, e.g. {sample[:3]}"
    # An expectation that could not be evaluated (a missing column, a type clash) fails with a reason.
    if exception_info and exception_info.get("raised_exception"):
        message = str(exception_info.get("exception_message") or "").splitlines()
        return f"error: {message[0] if message else 'exception while evaluating'}"
    return ""
