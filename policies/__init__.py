"""Shipped policy packs (installed as `flowlint.packs`); each `*.toml` here is one pack."""
