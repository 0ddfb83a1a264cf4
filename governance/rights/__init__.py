"""The citizen's rights under the AVG (a copy of the conversation, erasure) and the retention periods.

Apart from `governance.privacy`, which holds the primitives every turn uses (the PII screen, sealing, the
tracker store): these workflows reach across conversations, escalations, decisions and the audit trail, so
they sit above those domains and the primitives stay importable by the composition root without a cycle.
"""
