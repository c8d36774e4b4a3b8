"""Turns a caught stage failure into the item's error record."""

from vitrina.lambda_support import stage_handler
from vitrina.matting import stages
from vitrina.matting.models import FailedItem

lambda_handler = stage_handler(stages.record_error, FailedItem, "ItemFailed")
