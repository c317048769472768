"""Analysis stage of flowlint."""
