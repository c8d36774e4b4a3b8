"""Banner stage 5: check the guarantees and score the layout (PosterLayout metrics)."""

from vitrina.lambda_support import handler_for

lambda_handler = handler_for("banner", "evaluate")
