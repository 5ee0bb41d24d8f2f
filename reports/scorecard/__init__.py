"""The engagement scorecard (issue 19): the strategy's section 6 measures for a neighbourhood,
division or force, and homes for the figures the portal cannot count for itself."""
