"""Video stage 5: join the segments without re-encoding and add the music."""

from vitrina.lambda_support import stage_handler
from vitrina.video import stages
from vitrina.video.models import JoinRequest

lambda_handler = stage_handler(
    stages.join_video, JoinRequest, "VideoJoin", correlation_id_path="task.job_id"
)
