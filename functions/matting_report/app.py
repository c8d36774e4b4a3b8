"""Last batch stage: the report of every item, best confidence first."""

from vitrina.lambda_support import handler_for

lambda_handler = handler_for("matting", "report")
