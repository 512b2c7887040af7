"""Symptom diary: entries, cycle alignment, wearing-off analysis, simulator and charts."""
