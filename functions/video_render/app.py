"""Video stage 5: one segment of the timeline, encoded with ffmpeg."""

from vitrina.lambda_support import stage_handler
from vitrina.video import stages
from vitrina.video.models import SegmentItem

lambda_handler = stage_handler(stages.render_part, SegmentItem, "VideoRender")
