"""Banner stage 2: sizes x templates, ordered by the audience segment's bandit."""

from vitrina.lambda_support import handler_for

lambda_handler = handler_for("banner", "plan")
