"""The template store: face templates in faiss, the employee each belongs to in sqlite."""

import io
import sqlite3

import face_recognition
import faiss
import numpy as np


def compute_template(photo: bytes):
    image = face_recognition.load_image_file(io.BytesIO(photo))
    encodings = face_recognition.face_encodings(image)
    if len(encodings) != 1:
        raise ValueError("expected exactly one face in the selfie")
    return encodings[0]


class TemplateStore:
    def __init__(self, path: str = "badges.db") -> None:
        self.vectors = faiss.IndexFlatL2(128)
        self.db = sqlite3.connect(path)
        self.db.execute("CREATE TABLE IF NOT EXISTS templates (face_id INTEGER PRIMARY KEY, employee_id INTEGER)")

    def save(self, employee_id: int, template) -> int:
        face_id = self.vectors.ntotal
        self.vectors.add(np.asarray([template], dtype="float32"))
        self.db.execute("INSERT INTO templates (face_id, employee_id) VALUES (?, ?)", (face_id, employee_id))
        self.db.commit()
        return face_id

    def save_many(self, employee_ids: list[int], templates: list) -> None:
        first = self.vectors.ntotal
        self.vectors.add(np.asarray(templates, dtype="float32"))  # expect: FL201
        self.db.executemany(
            "INSERT INTO templates (face_id, employee_id) VALUES (?, ?)",
            [(first + i, employee_id) for i, employee_id in enumerate(employee_ids)],
        )
        self.db.commit()
