"""Matting stage 3: full-resolution matte from the coarse mask."""

from vitrina.lambda_support import stage_handler
from vitrina.matting import stages
from vitrina.matting.models import MattingItem

lambda_handler = stage_handler(stages.run_refine, MattingItem, "Refine")
