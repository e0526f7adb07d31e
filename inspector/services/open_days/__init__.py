"""Lab open days (实验室开放日): free testing for farmers (next-capabilities.md §6).

Entry points:
- `announce(by, data)`, `public_open_days()`, `public_open_day(id)`, `slot_views(open_day)`,
  `staff_open_days(user)`, `staff_open_day(user, id)` (events.py);
- `book(open_day_id, data, browser_token, address)`, `lookup(number, phone, browser_token)`,
  `new_browser_token()`, `format_number(number)` (bookings.py: the public pages and their limits),
  `book_walk_in(by, open_day, data)` (the desk), `forget_contacts(days)` (retention, OPEN-R6);
- `staff_booking`, `find_by_number`, `check_in`, `register_sample`, `enter_result`,
  `forward_to_register` (desk.py: staff on the day and the lab afterwards).
"""
from __future__ import annotations

from .bookings import book, book_walk_in, forget_contacts, format_number, lookup, new_browser_token, normalise_phone
from .desk import (
    DISCLAIMER, check_in, enter_result, find_by_number, forward_to_register, may_forward, register_sample,
    staff_booking, suspect_samples,
)
from .events import (
    ANNOUNCE_ROLES, STAFF_ROLES, SlotView, announce, bookings_of, public_open_day, public_open_days, slot_views,
    staff_open_day, staff_open_days,
)

__all__ = [
    "book", "book_walk_in", "forget_contacts", "format_number", "lookup", "new_browser_token", "normalise_phone", "DISCLAIMER", "check_in",
    "enter_result", "find_by_number", "forward_to_register", "may_forward", "register_sample", "staff_booking",
    "suspect_samples", "ANNOUNCE_ROLES", "STAFF_ROLES", "SlotView", "announce", "bookings_of", "public_open_day",
    "public_open_days", "slot_views", "staff_open_day", "staff_open_days",
]
