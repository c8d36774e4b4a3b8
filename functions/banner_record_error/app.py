"""A product that cannot be designed ends as an error report that says why."""

from vitrina.lambda_support import handler_for

lambda_handler = handler_for("banner", "record_error")
