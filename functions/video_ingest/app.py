"""Video stage 1: read the product page or manifest; store its images and facts."""

from vitrina.lambda_support import stage_handler
from vitrina.video import stages
from vitrina.video.models import VideoTask

lambda_handler = stage_handler(stages.ingest_page, VideoTask, "VideoIngest")
