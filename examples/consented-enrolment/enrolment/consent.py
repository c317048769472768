"""The written releases (BIPA 740 ILCS 14/15(b)) signed in the HR portal."""

import sqlite3

RELEASES = sqlite3.connect("releases.db")


def has_written_release(employee_id: int) -> bool:  # flowlint: guard when=true applies=branch marks=consent.written
    row = RELEASES.execute(
        "SELECT 1 FROM releases WHERE employee_id = ? AND signed_at IS NOT NULL AND withdrawn_at IS NULL",
        (employee_id,),
    ).fetchone()
    return row is not None
