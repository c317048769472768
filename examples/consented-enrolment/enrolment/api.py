"""Enrolment: the form handler (checks the written release) and the queue backfill (does not)."""

import logging

from enrolment.consent import has_written_release
from enrolment.store import TemplateStore, compute_template
from enrolment.uploads import queued_employee_ids, queued_selfie, read_selfie

log = logging.getLogger("enrolment")


def enrol(request, store: TemplateStore) -> dict:
    employee_id = int(request.form["employee_id"])
    selfie = read_selfie(request)
    if not has_written_release(employee_id):
        return {"status": "release-required"}
    face_id = store.save(employee_id, compute_template(selfie))
    log.info("enrolled employee %s as face %s", employee_id, face_id)
    return {"status": "enrolled", "face_id": face_id}


def backfill_queue(bucket, store: TemplateStore) -> int:
    """Bulk import of the selfies queued during an outage. It skips the release check."""
    employee_ids = queued_employee_ids(bucket)
    templates = [compute_template(queued_selfie(bucket, employee_id)) for employee_id in employee_ids]
    store.save_many(employee_ids, templates)
    return len(templates)
