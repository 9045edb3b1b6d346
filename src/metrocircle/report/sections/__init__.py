"""Sections other modules contribute to the evaluation report: each module defines render_sections(region, *, lang)."""
