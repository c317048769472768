"""People Data Labs (scrapers pack): a data broker of unverified lawfulness (FL102)."""

import logging

import psycopg2
from peopledatalabs import PDLPY

log = logging.getLogger(__name__)


def enrich(email):
    client = PDLPY(api_key="key")
    response = client.person.enrichment(email=email, pretty=True)
    if response.ok:
        person = response.json()["data"]
        cur = psycopg2.connect("dbname=crm").cursor()
        cur.execute("UPDATE contacts SET title = %s WHERE email = %s", (person["job_title"], email))  # expect: FL102
        log.info("enriched %s", person["full_name"])  # expect: FL102
    log.info("looked up %s", email)


def search(query):
    client = PDLPY(api_key="key")
    people = client.person.search(query=query, size=10).json()["data"]
    with open("prospects.txt", "w") as handle:
        for person in people:
            handle.write(person["work_email"])  # expect: FL102


def annotated(client: PDLPY, email):
    bulk = client.person.bulk(requests=[{"params": {"email": [email]}}]).json()
    open("bulk.json", "w").write(str(bulk))  # expect: FL102
