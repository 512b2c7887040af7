"""Infusion-center day scheduling: the day (instance), schedules, optimizer, baseline, simulation."""
