"""Turns a picture URL into face templates (128-d face_recognition encodings)."""

import io

import face_recognition
import requests


def face_templates(photo_url: str) -> list:
    response = requests.get(photo_url, timeout=10)
    response.raise_for_status()
    image = face_recognition.load_image_file(io.BytesIO(response.content))
    return face_recognition.face_encodings(image)
