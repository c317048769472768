"""An agency's investigation tool that queries a face-search vendor (the RCMP case)."""
