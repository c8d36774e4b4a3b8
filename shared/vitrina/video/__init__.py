"""The video product: a short product video from a product page or materials."""
