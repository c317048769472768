"""People Data Labs person enrichment: an e-mail address in, a profile out."""

from dataclasses import dataclass

from peopledatalabs import PDLPY


@dataclass
class Enrichment:
    full_name: str | None
    job_title: str | None
    company: str | None
    mobile_phone: str | None
    linkedin_url: str | None
    location: str | None


class PeopleDataLabs:
    def __init__(self, api_key: str) -> None:
        self.client = PDLPY(api_key=api_key)

    def enrich(self, email: str) -> Enrichment | None:
        response = self.client.person.enrichment(email=email, min_likelihood=6).json()
        if response.get("status") != 200:
            return None
        person = response["data"]
        return Enrichment(
            full_name=person.get("full_name"),
            job_title=person.get("job_title"),
            company=person.get("job_company_name"),
            mobile_phone=person.get("mobile_phone"),
            linkedin_url=person.get("linkedin_url"),
            location=person.get("location_name"),
        )
