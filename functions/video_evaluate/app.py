"""Video stage 6: probe the output and write the report."""

from vitrina.lambda_support import handler_for

lambda_handler = handler_for("video", "evaluate")
