"""Video stage 1: read the product page or manifest; store its images and facts."""

from vitrina.lambda_support import handler_for

lambda_handler = handler_for("video", "ingest")
