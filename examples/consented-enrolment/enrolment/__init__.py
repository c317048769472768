"""Face enrolment for the building's badge readers, with a written release from every employee."""
