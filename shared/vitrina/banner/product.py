"""The banner product as the core's registry knows it (:mod:`vitrina.product`)."""

from __future__ import annotations

from vitrina.banner import jobs, stages
from vitrina.banner import models as m
from vitrina.payloads import BatchRun, JobRef, JobSummary
from vitrina.product import Errors, Machine, Product, Stage

PRODUCT = Product(
    name="banner",
    stages=(
        Stage("analyse", stages.analyse, m.BannerTask, m.Analysis),
        Stage("plan", stages.plan, m.AnalysedTask, m.Plan),
        Stage("layout", stages.design_layout, m.DesignRequest[m.DesignItem], m.LaidOutItem),
        Stage("render", stages.design_render, m.DesignRequest[m.LaidOutItem], m.RenderedItem),
        Stage("evaluate", stages.design_evaluate, m.DesignRequest[m.RenderedItem],
              m.EvaluatedItem),
        Stage("rank", stages.rank, m.RankRequest, m.ProductSummary),
        Stage("report", jobs.report, JobRef, JobSummary),
    ),
    errors=Errors(m.FailedTask, m.ProductError, stages.error_record, listed=jobs.record_product),
    machines=(
        Machine("banner.asl.json", m.BannerRun),
        Machine("banner_batch.asl.json", BatchRun, items=m.BannerTask),
    ),
)
