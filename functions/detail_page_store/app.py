"""Detail page stage 3: the record, scored, as the page's next version in the database."""

from vitrina.lambda_support import handler_for

lambda_handler = handler_for("detail_page", "store")
