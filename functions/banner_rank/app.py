"""Banner stage 6: rank variants per size, drop near-duplicates, write the report."""

from vitrina.lambda_support import handler_for

lambda_handler = handler_for("banner", "rank")
