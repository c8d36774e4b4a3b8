"""Video stage 2: one image's sharpness, size, near-duplicate hash and subject box."""

from vitrina.lambda_support import stage_handler
from vitrina.video import stages
from vitrina.video.models import MediaItem

lambda_handler = stage_handler(stages.analyse_media, MediaItem, "VideoAnalyse")
