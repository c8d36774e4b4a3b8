"""detail_page: a product detail page read into a searchable record, rebuilt from it."""
