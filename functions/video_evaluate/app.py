"""Video stage 6: probe the output and write the report."""

from vitrina.lambda_support import stage_handler
from vitrina.video import stages
from vitrina.video.models import JoinRequest

lambda_handler = stage_handler(
    stages.evaluate_video, JoinRequest, "VideoEvaluate", correlation_id_path="task.job_id"
)
