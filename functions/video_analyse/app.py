"""Video stage 2: one image's sharpness, size, near-duplicate hash and subject box."""

from vitrina.lambda_support import handler_for

lambda_handler = handler_for("video", "analyse")
