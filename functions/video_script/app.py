"""Video stage 3-4: captions from the page's facts, the music, the beat-cut storyboard."""

from vitrina.lambda_support import stage_handler
from vitrina.video import stages
from vitrina.video.models import ScriptRequest

lambda_handler = stage_handler(
    stages.write_script, ScriptRequest, "VideoScript", correlation_id_path="task.job_id"
)
