"""The center's day board, booking a patient's next infusion, and optimising a booked day."""
