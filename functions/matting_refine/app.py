"""Matting stage 3: full-resolution matte from the coarse mask."""

from vitrina.lambda_support import handler_for

lambda_handler = handler_for("matting", "refine")
