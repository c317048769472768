"""Report stage of flowlint."""
