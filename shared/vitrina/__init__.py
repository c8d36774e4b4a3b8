"""vitrina: AI-assisted design of e-commerce multimedia content, as a serverless suite."""

__version__ = "0.1.0"
