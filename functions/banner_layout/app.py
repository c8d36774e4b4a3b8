"""Banner stage 3: solve one template's layout for one size."""

from vitrina.lambda_support import handler_for

lambda_handler = handler_for("banner", "layout")
