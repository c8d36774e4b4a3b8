"""Video stage 5: join the segments without re-encoding and add the music."""

from vitrina.lambda_support import handler_for

lambda_handler = handler_for("video", "join")
