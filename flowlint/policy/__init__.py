"""Policy stage of flowlint."""
