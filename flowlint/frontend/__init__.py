"""Frontend stage of flowlint."""
