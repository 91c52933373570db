"""Pure parts of the assistant: chart specifications, tool-call parsing and narratives.

No Django and no app code here, so the whitelist and the grounding checks can be tested as
plain functions.
"""
