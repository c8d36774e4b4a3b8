"""A video that cannot be made ends as an error report that says why."""

from vitrina.lambda_support import handler_for

lambda_handler = handler_for("video", "record_error")
