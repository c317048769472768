"""Crawls a list of usernames into the face index: the profile picture and recent posts of each."""

import logging

from harvester.faces import face_templates
from harvester.index import FaceIndex
from harvester.scrape import fetch_profile, post_photo_urls

log = logging.getLogger("harvester")


def crawl(usernames: list[str]) -> None:
    index = FaceIndex()
    for username in usernames:
        person = fetch_profile(username)
        photos = [person["photo_url"], *post_photo_urls(username)]
        added = 0
        for url in photos:
            added += index.enrol(person, url, face_templates(url))
        log.info("indexed %s (%s): %d faces", username, person["full_name"], added)  # expect: FL102
