"""Detail page: a page that could not be analysed, filed with its reason."""

from vitrina.lambda_support import handler_for

lambda_handler = handler_for("detail_page", "record_error")
