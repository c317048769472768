"""The nightly job: enrich every contact that has not been enriched yet."""

import logging
from dataclasses import asdict
from datetime import datetime, timezone

from sqlalchemy import create_engine, select, update
from sqlalchemy.orm import Session

from crm.broker import PeopleDataLabs
from crm.models import Contact, ContactProfile

log = logging.getLogger("crm.enrich")


def run(database_url: str, api_key: str) -> int:
    broker = PeopleDataLabs(api_key)
    engine = create_engine(database_url)
    enriched = 0
    with Session(engine) as session:
        pending = session.scalars(select(Contact).where(Contact.enriched_at.is_(None))).all()
        for contact in pending:
            found = broker.enrich(contact.email)
            if found is None:
                log.info("no match for contact %s", contact.id)
                continue
            session.add(ContactProfile(contact_id=contact.id, **asdict(found)))  # expect: FL102
            session.execute(
                update(Contact).where(Contact.id == contact.id).values(enriched_at=datetime.now(timezone.utc))
            )
            log.info("enriched contact %s: %s at %s", contact.id, found.job_title, found.company)  # expect: FL102
            enriched += 1
        session.commit()
    return enriched
