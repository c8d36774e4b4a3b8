"""A video that cannot be made ends as an error report that says why."""

from vitrina.lambda_support import stage_handler
from vitrina.video import stages
from vitrina.video.models import FailedVideo

lambda_handler = stage_handler(
    stages.record_error, FailedVideo, "VideoRecordError", correlation_id_path="task.job_id"
)
