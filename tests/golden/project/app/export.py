"""Exports lookups to a file for the analysts."""

from app.vendor import lookup


def export(name: str) -> None:
    with open("export.txt", "w") as out:
        out.write(str(lookup(name)))
