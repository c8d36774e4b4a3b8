"""A product that cannot be designed ends as an error report that says why."""

from vitrina.banner import stages
from vitrina.banner.models import FailedTask
from vitrina.lambda_support import stage_handler

lambda_handler = stage_handler(
    stages.record_error, FailedTask, "BannerRecordError", correlation_id_path="task.job_id"
)
