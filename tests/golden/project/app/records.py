"""Stores and logs what the vendor returns."""

import logging
import sqlite3

from app.vendor import lookup

log = logging.getLogger("records")


def save(name: str) -> None:
    db = sqlite3.connect("people.db")
    for profile in lookup(name):
        db.execute("INSERT INTO people VALUES (?)", (profile,))


def audit(name: str) -> None:
    found = lookup(name)
    log.info("lookup for %s: %s", name, found)


def archive(name: str) -> None:
    db = sqlite3.connect("archive.db")
    db.execute(
        "INSERT INTO archive VALUES (?)",
        (lookup(name),),  # flowlint: ignore[FL101] reason: written release on file, ticket PRIV-12
    )
