"""Results, weighted results, trends and anonymised exports (staff)."""
