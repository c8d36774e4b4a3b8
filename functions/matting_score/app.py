"""Matting stage 4: confidence of the result."""

from vitrina.lambda_support import stage_handler
from vitrina.matting import stages
from vitrina.matting.models import MattingItem

lambda_handler = stage_handler(stages.run_score, MattingItem, "Score")
