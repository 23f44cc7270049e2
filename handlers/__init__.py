"""Conversations: one module per dialogue; handlers decide, the engine does the I/O."""
