"""Provider tests share the simulator fixtures of tests/conftest.py."""
