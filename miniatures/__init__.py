"""Miniature stations and traffic shared by the tests and the benchmarks (never by the product)."""
