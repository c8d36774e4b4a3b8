"""S3 trigger: an object created under incoming/matting/ starts a cutout."""

from typing import Any

from aws_lambda_powertools.utilities.data_classes import S3Event, event_source

from vitrina.lambda_support import logger, metrics, tracer
from vitrina.matting.trigger import start_from_upload


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
@event_source(data_class=S3Event)
def lambda_handler(event: S3Event, context: Any) -> dict[str, Any]:
    started = [
        start_from_upload(record.s3.bucket.name, record.s3.get_object.key,
                          record.s3.get_object.sequencer or "")
        for record in event.records
    ]
    return {"started": [arn for arn in started if arn]}
