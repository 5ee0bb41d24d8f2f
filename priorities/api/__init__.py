"""Priorities, their actions and the issues behind them over the API.

Reads follow the pages' rules: the neighbourhood's staff read its priorities (`priority.view_board`),
only police read the restricted text, partner users reach nothing but their agency's actions, and
the team works its triage queue. Every change goes through priorities.services, so the state
machine and the audit history hold whoever calls.
"""
