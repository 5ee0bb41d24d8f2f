"""Representativeness: whom In the Know and the surveys reach, against the census."""
