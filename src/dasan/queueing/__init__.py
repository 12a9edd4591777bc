"""모바일 번호표 (mobile queue tickets) for in-person counters."""
