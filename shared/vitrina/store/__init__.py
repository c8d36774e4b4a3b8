"""Durable storage behind one interface: objects (S3's bucket/key layout) and tables
(DynamoDB's partition/sort keys with atomic conditional writes).

Two backends each: S3 and DynamoDB on AWS (or any endpoint named by ``AWS_ENDPOINT_URL``),
and, for the embedded engine, files under ``VITRINA_HOME`` and SQLite in WAL mode. One
contract test suite (tests/unit/test_store_contract.py) holds both to the same semantics.
"""
