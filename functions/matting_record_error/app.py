"""Turns a caught stage failure into the item's error record."""

from vitrina.lambda_support import handler_for

lambda_handler = handler_for("matting", "record_error")
