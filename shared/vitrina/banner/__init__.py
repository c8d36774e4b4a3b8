"""The banner product: styled banners from a product photo."""
