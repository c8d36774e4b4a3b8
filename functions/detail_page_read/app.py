"""Detail page stage 2: one module's text (OCR in tiles) and its kind."""

from vitrina.lambda_support import handler_for

lambda_handler = handler_for("detail_page", "read")
