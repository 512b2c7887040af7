"""Chair bookings, nurse shifts and the center's day board (stored rows and their services)."""
