"""Queries the vendor's SDK for the people matching a probe photo."""

import facesearch


class VendorGateway:
    def __init__(self, api_key: str) -> None:
        self.client = facesearch.Client(api_key)

    def matches(self, probe_photo: bytes) -> list:
        results = self.client.search(probe_photo, limit=20)
        return [{"name": r.name, "profile_url": r.url, "photo": r.image} for r in results]
