"""flowlint: trace personal data from third-party origins to the places that collect it."""

__version__ = "0.1.0"
