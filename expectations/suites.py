"""One Great Expectations suite per loaded table, built in code from the rules in ``rules.py``.

Adding a table's expectations is a ``TableRules`` entry in ``rules.table_rules``; nothing here
changes. Suites hold no key lists (foreign keys are checked through derived columns), so they are
small, readable in Data Docs, and built once per run.
"""

from collections.abc import Mapping

import great_expectations.expectations as gxe
from dateline.expectations.rules import TableRules, reference_column


def build_suites(rules: Mapping[str, TableRules]) -> dict[str, list[gxe.Expectation]]:
    """Expectations per table name, in a stable order (keys, nulls, references, values, ranges, pairs)."""
    return {table: _expectations(rule) for table, rule in rules.items()}


def _expectations(rule: TableRules) -> list[gxe.Expectation]:
    out: list[gxe.Expectation] = [
        gxe.ExpectColumnValuesToNotBeNull(column=rule.key),
        gxe.ExpectColumnValuesToBeUnique(column=rule.key),
    ]
    out += [gxe.ExpectColumnValuesToNotBeNull(column=c) for c in rule.not_null]
    out += [gxe.ExpectColumnValuesToBeUnique(column=c) for c in rule.unique]
    # The derived column holds the values not found in the referenced table: it must be all null,
    # and when it is not, GX's unexpected-value sample names the dangling keys.
    out += [gxe.ExpectColumnValuesToBeNull(column=reference_column(c, t)) for c, t in rule.references.items()]
    out += [gxe.ExpectColumnValuesToBeInSet(column=c, value_set=list(v)) for c, v in rule.accepted.items()]
    out += [
        gxe.ExpectColumnValuesToBeBetween(column=c, min_value=low, max_value=high)
        for c, (low, high) in rule.between.items()
    ]
    out += [
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A=a, column_B=b, or_equal=or_equal, ignore_row_if="either_value_is_missing"
        )
        for a, b, or_equal in rule.greater
    ]
    out += [gxe.ExpectColumnValuesToMatchRegex(column=c, regex=r) for c, r in rule.matching.items()]
    out += [gxe.ExpectColumnValuesToNotMatchRegex(column=c, regex=r) for c, r in rule.not_matching.items()]
    return out
