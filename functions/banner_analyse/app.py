"""Banner stage 1: cut out the product (the matting stages), its palette, scene and logo."""

from vitrina.lambda_support import handler_for

lambda_handler = handler_for("banner", "analyse")
