"""Video stage 5: one segment of the timeline, encoded with ffmpeg."""

from vitrina.lambda_support import handler_for

lambda_handler = handler_for("video", "render")
