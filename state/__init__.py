"""What the system knows and how it may change: workflow machines, rules, domain types.

No telegram here.
"""
