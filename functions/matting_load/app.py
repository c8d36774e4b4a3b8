"""Matting stage 1: fetch or read the input, validate and normalise it."""

from vitrina.lambda_support import stage_handler
from vitrina.matting import stages
from vitrina.matting.models import MattingItem

lambda_handler = stage_handler(stages.load, MattingItem, "Load")
