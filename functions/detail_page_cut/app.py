"""Detail page stage 1: read the HTML's fields and cut long images into modules."""

from vitrina.lambda_support import handler_for

lambda_handler = handler_for("detail_page", "cut")
