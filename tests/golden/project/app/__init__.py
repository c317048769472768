"""A small fixed project for the golden-file tests: do not change it without regenerating them."""
