"""Every HTTP route: the FastAPI app behind API Gateway's HTTP API, through Mangum."""

import os

from mangum import Mangum

from vitrina.api.app import create_app
from vitrina.lambda_support import logger

app = create_app()
lambda_handler = logger.inject_lambda_context(clear_state=True)(
    Mangum(app, api_gateway_base_path=os.environ.get("VITRINA_API_BASE_PATH", "/"))
)
