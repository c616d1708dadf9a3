"""One date format across the console (ISO-like, 24 h, UTC): Django's English locale formats
would otherwise mix "Nov. 30, 2026, 2:31 p.m." with the ISO dates the pages print."""

DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
TIME_FORMAT = "H:i"
