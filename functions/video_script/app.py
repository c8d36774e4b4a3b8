"""Video stage 3-4: captions from the page's facts, the music, the beat-cut storyboard."""

from vitrina.lambda_support import handler_for

lambda_handler = handler_for("video", "script")
