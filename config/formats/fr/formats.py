"""French as written in Canada, where it differs from Django's French formats (the rest is Django's own):
the hour written « 14 h 30 » and short dates in ISO order (2026-12-07), as the federal style guide and
Canadian municipalities write them."""

TIME_FORMAT = "G \\h i"
DATETIME_FORMAT = "j F Y, G \\h i"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d G \\h i"
