"""Where selfies come from: the enrolment form, and the app's upload queue."""


def read_selfie(request) -> bytes:
    """The selfie the employee took in the badge app and posted with the enrolment form."""
    return request.files["selfie"].read()


def queued_selfie(bucket, employee_id: int) -> bytes:
    """A selfie the app uploaded to the queue while the enrolment service was down."""
    return bucket.Object(f"queue/{employee_id}.jpg").get()["Body"].read()


def queued_employee_ids(bucket) -> list[int]:
    return [int(obj.key.split("/")[-1].removesuffix(".jpg")) for obj in bucket.objects.filter(Prefix="queue/")]
