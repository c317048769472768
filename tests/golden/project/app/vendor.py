"""Wraps the people-search vendor's SDK."""

import peoplefinder


def lookup(name: str) -> list:
    client = peoplefinder.Client()
    hits = client.search(name)
    profiles = [hit.profile for hit in hits]
    return profiles
