"""Annotated wrappers: the well-formed ones declare a source, a sink, a sanitizer, a guard and a
transform; each misspelt one is an FL905 diagnostic naming the closest declared value."""


def search(photo):  # flowlint: source=facevault categories=user.biometric.face
    return photo


def search_typo(photo):  # flowlint: source=facevalt
    return photo


def names(photo):  # flowlint: source=facevault categories=user.nmae
    return photo


def store(row):  # flowlint: sink=collection.store purpose=case-review
    return row


def store_typo(row):  # flowlint: sink=collection.stor
    return row


def store_purpose(row):  # flowlint: sink=collection.file purpose=case-reveiw
    return row


def scrub(value):  # flowlint: sanitizer clears=user.nmae* marks=anonymised
    return value


def released(person):  # flowlint: guard when=true marks=consent.writen
    return person


def embed(image):  # flowlint: transform adds=user.biometric.face_templat
    return image


def pseudonymise(value):  # flowlint: sanitizer clears=user.name marks=pseudonymised
    return value
