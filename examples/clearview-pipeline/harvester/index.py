"""The face index: templates in faiss; whose face it is and where it was found, in sqlite."""

import sqlite3

import faiss
import numpy as np

SCHEMA = """
CREATE TABLE IF NOT EXISTS faces (
    face_id INTEGER PRIMARY KEY,
    username TEXT NOT NULL,
    full_name TEXT,
    source_url TEXT
)
"""


class FaceIndex:
    def __init__(self, path: str = "faces.db") -> None:
        self.vectors = faiss.IndexFlatL2(128)
        self.db = sqlite3.connect(path)
        self.db.execute(SCHEMA)

    def enrol(self, person: dict, source_url: str, templates: list) -> int:
        for template in templates:
            self.vectors.add(np.asarray([template], dtype="float32"))  # expect: FL102, FL201, FL202
            self.db.execute(  # expect: FL102, FL201, FL202
                "INSERT INTO faces (face_id, username, full_name, source_url) VALUES (?, ?, ?, ?)",
                (self.vectors.ntotal - 1, person["username"], person["full_name"], source_url),
            )
        self.db.commit()
        return len(templates)
