"""S3 trigger: an object created under incoming/matting/ starts a cutout.

S3 event keys arrive URL-encoded (a space is "+"), so they are decoded before use.
"""

from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import S3Event, event_source

from vitrina.lambda_support import logger, metrics, tracer
from vitrina.matting.trigger import start_from_upload


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
@event_source(data_class=S3Event)
def lambda_handler(event: S3Event, context: Any) -> dict[str, Any]:
    started = [
        start_from_upload(record.s3.bucket.name, unquote_plus(record.s3.get_object.key),
                          _version(record.s3.get_object.raw_event))
        for record in event.records
    ]
    arns = [arn for arn in started if arn]
    metrics.add_metric(name="UploadsStarted", unit=MetricUnit.Count, value=len(arns))
    return {"started": arns}


def _version(obj: dict[str, Any]) -> str:
    """What tells two uploads of one key apart (S3 always sends a sequencer; moto may not)."""
    return str(obj.get("sequencer") or obj.get("versionId") or obj.get("eTag") or "")
