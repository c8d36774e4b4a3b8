"""Matting stage 5: RGBA cutout, mask and record."""

from vitrina.lambda_support import handler_for

lambda_handler = handler_for("matting", "write")
