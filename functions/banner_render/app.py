"""Banner stage 4: draw a solved layout with the packaged fonts."""

from vitrina.lambda_support import handler_for

lambda_handler = handler_for("banner", "render")
