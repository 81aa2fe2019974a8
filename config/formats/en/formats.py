# The archive is international: day-month-year reads unambiguously to everyone.
DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j M Y"
