#!/usr/bin/env python3
"""Write a seeded lead CSV with realistic mess, for `make bench`.

usage: generate_leads.py ROWS OUT.csv [--seed N]

Mixed phone formats, names with quoted commas, states as codes and names, ZIP
and ZIP+4, a few explicit time zones, tags, custom columns, and about 1% bad
rows (invalid numbers, letters, short numbers). Standard library only, so it
runs anywhere Python does; the same seed gives the same bytes.
"""
import random
import sys

AREA_CODES = {
    "212": "NY", "646": "NY", "718": "NY", "415": "CA", "213": "CA", "310": "CA", "619": "CA", "312": "IL", "773": "IL",
    "713": "TX", "512": "TX", "214": "TX", "915": "TX", "305": "FL", "850": "FL", "407": "FL", "813": "FL", "404": "GA",
    "206": "WA", "503": "OR", "602": "AZ", "928": "AZ", "303": "CO", "801": "UT", "208": "ID", "702": "NV", "617": "MA",
    "215": "PA", "412": "PA", "202": "DC", "301": "MD", "410": "MD", "405": "OK", "918": "OK", "502": "KY", "615": "TN",
    "901": "TN", "317": "IN", "219": "IN", "313": "MI", "612": "MN", "314": "MO", "504": "LA", "601": "MS", "205": "AL",
    "401": "RI", "203": "CT", "907": "AK", "808": "HI", "787": "PR", "306": "SK", "416": "ON", "604": "BC", "701": "ND",
}
STATE_NAMES = {"NY": "New York", "CA": "California", "TX": "Texas", "FL": "Florida", "IL": "Illinois", "WA": "Washington"}
ZIP3 = {"NY": "100", "CA": "941", "TX": "787", "FL": "325", "IL": "606", "GA": "303", "WA": "981", "AZ": "850", "CO": "802"}
FIRST = ["Ann", "Bob", "Carla", "Dev", "Eve", "Farid", "Gina", "Hiro", "Ivan", "Jo", "Kemal", "Lena", "Maya", "Nils", "Olu", "Zoë"]
LAST = ["Lee", "Garcia", "O'Neil", "Smith", "Nguyen", "Kowalski", "Okafor", "Brown", "Müller", "Patel", "Rossi", "Kim"]
ZONES = ["America/Chicago", "America/New_York", "EST", "PST", "America/Denver", "CST"]


def phone(rng, npa):
    nxx = rng.randint(200, 999)
    line = rng.randint(0, 9999)
    style = rng.randint(0, 7)
    if style == 0:
        return f"({npa}) {nxx}-{line:04d}"
    if style == 1:
        return f"+1 {npa}-{nxx}-{line:04d}"
    if style == 2:
        return f"{npa}{nxx}{line:04d}"
    if style == 3:
        return f"1-{npa}-{nxx}-{line:04d}"
    if style == 4:
        return f"{npa}.{nxx}.{line:04d}"
    if style == 5:
        return f"{npa}.{nxx}.{line:04d} x{rng.randint(1, 999)}"
    if style == 6:
        return f"+1{npa}{nxx}{line:04d}"
    return f"{npa}-{nxx}-{line:04d}"


def bad_phone(rng):
    return rng.choice(["(123) 456-0100", "555-0100", "1-800-FLOWERS", "4.16E+09", "", "+1 411 555 0100", "n/a"])


def quote(field):
    if any(c in field for c in ',"\n'):
        return '"' + field.replace('"', '""') + '"'
    return field


def main():
    rows = int(sys.argv[1])
    out = sys.argv[2]
    seed = int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 7
    rng = random.Random(seed)
    codes = list(AREA_CODES)
    with open(out, "w", encoding="utf-8", newline="") as f:
        f.write("lead_id,Phone Number,First Name,Last Name,email,State,zip,timezone,tags,Company,Notes\r\n")
        for i in range(rows):
            npa = rng.choice(codes)
            state = AREA_CODES[npa]
            if rng.random() < 0.1:
                state = rng.choice(list(AREA_CODES.values()))  # moved away: address differs from phone
            number = bad_phone(rng) if rng.random() < 0.01 else phone(rng, npa)
            first, last = rng.choice(FIRST), rng.choice(LAST)
            state_text = STATE_NAMES.get(state, state) if rng.random() < 0.2 else state
            zip_code = ""
            if state in ZIP3 and rng.random() < 0.5:
                zip_code = f"{ZIP3[state]}{rng.randint(0, 99):02d}" + (f"-{rng.randint(0, 9999):04d}" if rng.random() < 0.2 else "")
            tz = rng.choice(ZONES) if rng.random() < 0.03 else ""
            tags = ";".join(rng.sample(["solar", "hot", "renter", "owner", "callback"], rng.randint(0, 2)))
            company = rng.choice(["Acme, Inc", "Globex", "Initech LLC", 'The "Best" Co', "Umbrella"])
            notes = rng.choice(["", "", "prefers mornings", "asked for a callback, after 5pm", "line one\nline two"])
            fields = [f"L{i:07d}", number, first, last, f"{first.lower()}.{i}@example.com", state_text, zip_code, tz, tags, company, notes]
            f.write(",".join(quote(x) for x in fields) + "\r\n")


if __name__ == "__main__":
    main()
