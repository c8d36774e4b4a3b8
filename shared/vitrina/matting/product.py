"""The matting product as the core's registry knows it (:mod:`vitrina.product`)."""

from __future__ import annotations

from vitrina.matting import jobs, stages
from vitrina.matting import models as m
from vitrina.payloads import BatchRun, JobRef, JobSummary
from vitrina.product import Errors, Machine, Product, Stage

PRODUCT = Product(
    name="matting",
    stages=(
        Stage("load", stages.load, m.MattingItem, m.LoadedItem),
        Stage("segment", stages.run_segment, m.LoadedItem, m.LoadedItem),
        Stage("refine", stages.run_refine, m.LoadedItem, m.LoadedItem),
        Stage("score", stages.run_score, m.LoadedItem, m.ScoredItem),
        Stage("write", stages.write, m.ScoredItem, m.ItemRecord),
        Stage("report", jobs.report, JobRef, JobSummary),
    ),
    errors=Errors(m.FailedItem, m.ItemError, stages.error_record, listed=jobs.put_item_record),
    machines=(
        Machine("matting.asl.json", m.MattingItem),
        Machine("matting_batch.asl.json", BatchRun, items=m.MattingItem),
    ),
)
