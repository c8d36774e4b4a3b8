"""Security checks that need an isolated network (see test_ssrf_netns.py)."""
