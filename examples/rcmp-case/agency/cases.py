"""Files the vendor's matches into the case database and the audit log."""

import logging
import sqlite3

from agency.search import VendorGateway

log = logging.getLogger("cases")


def file_matches(case_id: int, probe_photo: bytes) -> None:
    gateway = VendorGateway(api_key="secret")
    db = sqlite3.connect("cases.db")
    for match in gateway.matches(probe_photo):
        db.execute(
            "INSERT INTO suspects (case_id, name, profile_url) VALUES (?, ?, ?)",
            (case_id, match["name"], match["profile_url"]),
        )
        log.info("matched %s for case %s", match["name"], case_id)
    db.commit()
