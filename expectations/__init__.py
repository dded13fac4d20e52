"""Great Expectations suites, one per loaded table, built in code; and the helper that validates frames."""
