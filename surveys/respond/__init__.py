"""Answering surveys (residents) and triaging written answers (staff)."""
