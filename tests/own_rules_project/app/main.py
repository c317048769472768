from app.vault import search, store, store_typo

store(search(b"photo"))
store(search(b"photo"))  # flowlint: ignore[ACME-001] reason: test image, ticket ACME-12
store_typo(search(b"photo"))
store(b"static")  # flowlint: ignore[ACME-002] reason: no such rule
