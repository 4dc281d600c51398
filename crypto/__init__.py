"""The only package that touches cryptographic primitives: a small recipes layer."""
