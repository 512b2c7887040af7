"""Standard formats in and out of the domain: iCalendar feeds (ical.py); FHIR comes later."""
