"""S3 uploads under the input prefix start the single-item state machine."""

from __future__ import annotations

import hashlib
import json

from vitrina import keys, storage
from vitrina.config import settings
from vitrina.matting.models import MattingItem, Source

PREFIX = "incoming/matting/"


def start_from_upload(bucket: str, key: str, sequencer: str = "") -> str | None:
    """Start one cutout for an uploaded object; the execution name derives from the event,
    so a redelivered S3 notification does not start a second cutout."""
    if not key.startswith(PREFIX) or key.endswith("/"):
        return None
    digest = hashlib.sha256(f"{bucket}/{key}/{sequencer}".encode()).hexdigest()[:32]
    item = MattingItem(
        job_id=f"s3-{digest}",
        item_id="00000",
        name=keys.stem(key),  # shortened: S3 keys run to 1,024 bytes
        source=Source(bucket=bucket, key=key),
    )
    client = storage.client("stepfunctions")
    try:
        execution = client.start_execution(
            stateMachineArn=settings().matting_state_machine_arn,
            name=item.job_id,
            input=json.dumps(item.model_dump(mode="json")),
        )
    except client.exceptions.ExecutionAlreadyExists:
        return None
    return execution["executionArn"]
