#!/usr/bin/env python3
"""The lead-import job done the obvious way in Python, as a yardstick for
`make bench`: csv + phonenumbers (parse, validate, E.164, time zones) +
de-duplication + sqlite3 inserts in one transaction.

usage: python_import.py LEADS.csv OUT.db [ROWS]
"""
import csv
import sqlite3
import sys

import phonenumbers
from phonenumbers import timezone as pn_timezone


def main():
    path, db_path = sys.argv[1], sys.argv[2]
    limit = int(sys.argv[3]) if len(sys.argv) > 3 else None
    db = sqlite3.connect(db_path)
    db.execute("CREATE TABLE leads (id INTEGER PRIMARY KEY, phone TEXT UNIQUE, first_name TEXT, last_name TEXT, email TEXT, state TEXT, zones TEXT)")
    seen = set()
    rows = imported = 0
    with open(path, newline="", encoding="utf-8") as f, db:
        reader = csv.DictReader(f)
        for row in reader:
            if limit is not None and rows >= limit:
                break
            rows += 1
            try:
                number = phonenumbers.parse(row["Phone Number"], "US")
            except phonenumbers.NumberParseException:
                continue
            if not phonenumbers.is_valid_number(number):
                continue
            e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            if e164 in seen:
                continue
            seen.add(e164)
            zones = " ".join(sorted(pn_timezone.time_zones_for_number(number)))
            db.execute(
                "INSERT INTO leads (phone, first_name, last_name, email, state, zones) VALUES (?, ?, ?, ?, ?, ?)",
                (e164, row["First Name"], row["Last Name"], row["email"], row["State"], zones),
            )
            imported += 1
    print(f"{rows} rows, {imported} imported", file=sys.stderr)


if __name__ == "__main__":
    main()
