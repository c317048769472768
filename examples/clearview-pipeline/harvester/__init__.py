"""A Clearview-style crawler: public Instagram profiles in, a searchable face index out."""
