"""Last batch stage: every product's report or error, in one job report."""

from vitrina.lambda_support import handler_for

lambda_handler = handler_for("banner", "report")
