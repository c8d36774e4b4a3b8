"""Matting stage 1: fetch or read the input, validate and normalise it."""

from vitrina.lambda_support import handler_for

lambda_handler = handler_for("matting", "load")
