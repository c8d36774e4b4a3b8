"""Matting stage 5: RGBA cutout, mask and record."""

from vitrina.lambda_support import stage_handler
from vitrina.matting import stages
from vitrina.matting.models import MattingItem

lambda_handler = stage_handler(stages.write, MattingItem, "Write")
