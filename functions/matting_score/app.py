"""Matting stage 4: confidence of the result."""

from vitrina.lambda_support import handler_for

lambda_handler = handler_for("matting", "score")
