"""Validate polars frames with Great Expectations (through pandas, in an ephemeral context)."""

from collections.abc import Mapping
from dataclasses import dataclass, field

import polars as pl

VALIDATION_SCHEMA = pl.Schema(
    {
        "table_name": pl.String,
        "expectation": pl.String,
        "column_name": pl.String,
        "success": pl.Boolean,
        "observed_value": pl.String,
    }
)


@dataclass
class ValidationReport:
    """Outcome of validating one run's frames."""

    results: pl.DataFrame  # VALIDATION_SCHEMA, one row per expectation
    failures: list[str] = field(default_factory=list)  # "table.expectation(column): observed"

    @property
    def success(self) -> bool:
        return not self.failures


class Validator:
    """One ephemeral GX context per run; suites are registered with add_or_update."""

    def __init__(self) -> None:
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self._gx = gx
        self.context = gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False)
        self.datasource = self.context.data_sources.add_or_update_pandas("dateline")

    def validate(self, frames: Mapping[str, pl.DataFrame], suites: Mapping[str, list]) -> ValidationReport:
        """Validate each frame that has a suite; a table with no rows still runs (and passes) its suite."""
        gx = self._gx
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
            result = definition.run(batch_parameters={"dataframe": frame.to_pandas()})
            for er in result.results:
                cfg = er.expectation_config
                kwargs = cfg.kwargs
                column = kwargs.get("column") or ",".join(
                    str(kwargs[k]) for k in ("column_A", "column_B") if kwargs.get(k)
                )
                rows.append(
                    {
                        "table_name": table,
                        "expectation": cfg.type,
                        "column_name": column or None,
                        "success": bool(er.success),
                        "observed_value": _observed(er.result),
                    }
                )
        results = pl.DataFrame(rows, schema=VALIDATION_SCHEMA) if rows else VALIDATION_SCHEMA.to_frame()
        failures = [
            f"{r['table_name']}.{r['expectation']}({r['column_name']}): {r['observed_value']}"
            for r in results.filter(~pl.col("success")).iter_rows(named=True)
        ]
        return ValidationReport(results=results, failures=failures)

    def _asset_names(self) -> set[str]:
        return {a.name for a in self.datasource.assets}


def _observed(result: dict) -> str:
    if "observed_value" in result:
        return str(result["observed_value"])
    if "unexpected_count" in result:
        sample = result.get("partial_unexpected_list") or []
        return f"{result['unexpected_count']} unexpected, e.g. {sample[:3]}"
    return ""
