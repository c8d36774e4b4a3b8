"""The detail_page product as the core's registry knows it (:mod:`vitrina.product`)."""

from __future__ import annotations

from vitrina.detail_page import models as m
from vitrina.detail_page import stages
from vitrina.product import Errors, Machine, Product, Stage

PRODUCT = Product(
    name="detail_page",
    stages=(
        Stage("cut", stages.cut_page, m.PageTask, m.CutPage),
        Stage("read", stages.read_module, m.ModuleItem, m.ReadModule),
        Stage("store", stages.store_page, m.StoreRequest, m.PageSummary),
    ),
    errors=Errors(m.FailedPage, m.PageError, stages.error_record),
    machines=(Machine("detail_page.asl.json", m.PageRun),),
)
