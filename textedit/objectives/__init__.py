"""Placeholder package; filled by later issues (see DESIGN.md)."""
