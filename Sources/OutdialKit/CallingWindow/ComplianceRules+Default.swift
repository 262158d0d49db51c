extension ComplianceRules {
    /// The bundled rules (SPEC §4.3). Operational defaults, not legal advice:
    /// each row names its source and how sure that source is. docs/compliance.md
    /// lists them; a user file of the same shape replaces them.
    static let defaultRulesJSON = #"""
        {
          "version": 1,
          "holiday_sets": {
            "us-federal": {
              "source": "5 U.S.C. 6103 (federal holidays; Saturday observed Friday, Sunday observed Monday)",
              "holidays": [
                {"name": "New Year's Day", "month": 1, "day": 1, "observed": true},
                {"name": "Martin Luther King Jr. Day", "month": 1, "weekday": "mon", "nth": 3},
                {"name": "Washington's Birthday", "month": 2, "weekday": "mon", "nth": 3},
                {"name": "Memorial Day", "month": 5, "weekday": "mon", "nth": -1},
                {"name": "Juneteenth", "month": 6, "day": 19, "observed": true},
                {"name": "Independence Day", "month": 7, "day": 4, "observed": true},
                {"name": "Labor Day", "month": 9, "weekday": "mon", "nth": 1},
                {"name": "Columbus Day", "month": 10, "weekday": "mon", "nth": 2},
                {"name": "Veterans Day", "month": 11, "day": 11, "observed": true},
                {"name": "Thanksgiving Day", "month": 11, "weekday": "thu", "nth": 4},
                {"name": "Christmas Day", "month": 12, "day": 25, "observed": true}
              ]
            },
            "us-LA": {
              "source": "La. R.S. 1:55 (legal holidays), as referred to by La. R.S. 45:844.14",
              "holidays": [
                {"name": "New Year's Day", "month": 1, "day": 1, "observed": true},
                {"name": "Martin Luther King Jr. Day", "month": 1, "weekday": "mon", "nth": 3},
                {"name": "Mardi Gras", "easter": -47},
                {"name": "Good Friday", "easter": -2},
                {"name": "Memorial Day", "month": 5, "weekday": "mon", "nth": -1},
                {"name": "Independence Day", "month": 7, "day": 4, "observed": true},
                {"name": "Labor Day", "month": 9, "weekday": "mon", "nth": 1},
                {"name": "Veterans Day", "month": 11, "day": 11, "observed": true},
                {"name": "Thanksgiving Day", "month": 11, "weekday": "thu", "nth": 4},
                {"name": "Christmas Day", "month": 12, "day": 25, "observed": true}
              ]
            },
            "us-AL": {
              "source": "Ala. Code 1-3-8 (state holidays)",
              "holidays": [
                {"name": "New Year's Day", "month": 1, "day": 1, "observed": true},
                {"name": "Robert E. Lee / Martin Luther King Jr. Birthday", "month": 1, "weekday": "mon", "nth": 3},
                {"name": "George Washington / Thomas Jefferson Birthday", "month": 2, "weekday": "mon", "nth": 3},
                {"name": "Confederate Memorial Day", "month": 4, "weekday": "mon", "nth": 4},
                {"name": "National Memorial Day", "month": 5, "weekday": "mon", "nth": -1},
                {"name": "Jefferson Davis' Birthday", "month": 6, "weekday": "mon", "nth": 1},
                {"name": "Independence Day", "month": 7, "day": 4, "observed": true},
                {"name": "Labor Day", "month": 9, "weekday": "mon", "nth": 1},
                {"name": "Columbus Day / Fraternal Day", "month": 10, "weekday": "mon", "nth": 2},
                {"name": "Veterans Day", "month": 11, "day": 11, "observed": true},
                {"name": "Thanksgiving Day", "month": 11, "weekday": "thu", "nth": 4},
                {"name": "Christmas Day", "month": 12, "day": 25, "observed": true}
              ]
            },
            "us-RI": {
              "source": "R.I. Gen. Laws 25-1-1 (legal holidays)",
              "holidays": [
                {"name": "New Year's Day", "month": 1, "day": 1, "observed": true},
                {"name": "Martin Luther King Jr. Day", "month": 1, "weekday": "mon", "nth": 3},
                {"name": "Memorial Day", "month": 5, "weekday": "mon", "nth": -1},
                {"name": "Independence Day", "month": 7, "day": 4, "observed": true},
                {"name": "Victory Day", "month": 8, "weekday": "mon", "nth": 2},
                {"name": "Labor Day", "month": 9, "weekday": "mon", "nth": 1},
                {"name": "Columbus Day", "month": 10, "weekday": "mon", "nth": 2},
                {"name": "Veterans Day", "month": 11, "day": 11, "observed": true},
                {"name": "Thanksgiving Day", "month": 11, "weekday": "thu", "nth": 4},
                {"name": "Christmas Day", "month": 12, "day": 25, "observed": true}
              ]
            }
          },
          "rules": [
            {"id": "us-federal", "country": "US", "hours": {"sun-sat": "08:00-21:00"},
             "source": "47 CFR 64.1200(c)(1) (TCPA): no calls before 8 a.m. or after 9 p.m. at the called party's location", "confidence": "statute"},
            {"id": "us-FL", "state": "FL", "hours": {"sun-sat": "08:00-20:00"}, "max_calls_per_24h": 3,
             "source": "Fla. Stat. 501.616(6) (Florida Telephone Solicitation Act, 2021)", "confidence": "statute (2021)"},
            {"id": "us-OK", "state": "OK", "hours": {"sun-sat": "08:00-20:00"}, "max_calls_per_24h": 3,
             "source": "Okla. Stat. tit. 15, 775C.4 (Oklahoma Telephone Solicitation Act, 2022)", "confidence": "statute (2022)"},
            {"id": "us-MD", "state": "MD", "hours": {"sun-sat": "08:00-20:00"}, "max_calls_per_24h": 3,
             "source": "Md. Code, Com. Law 14-4501 et seq. (Stop the Spam Calls Act, 2024)", "confidence": "statute (2024)"},
            {"id": "us-WA", "state": "WA", "hours": {"sun-sat": "08:00-20:00"},
             "source": "RCW 80.36.390", "confidence": "statute"},
            {"id": "us-UT", "state": "UT", "hours": {"mon-sat": "08:00-21:00"},
             "source": "Utah Code 13-25a-103 (no calls on Sundays)", "confidence": "statute"},
            {"id": "us-LA", "state": "LA", "hours": {"mon-sat": "08:00-20:00"}, "closed_on": ["us-LA"],
             "source": "La. R.S. 45:844.14 and Louisiana PSC General Order", "confidence": "regulator order"},
            {"id": "us-MS", "state": "MS", "hours": {"mon-sat": "08:00-20:00"},
             "source": "Miss. Code 77-3-725", "confidence": "statute"},
            {"id": "us-AL", "state": "AL", "hours": {"mon-sat": "08:00-20:00"}, "closed_on": ["us-AL"],
             "source": "Ala. Admin. Code r. 770-X-5-.18 (Alabama PSC)", "confidence": "regulator rule, scope disputed"},
            {"id": "us-RI", "state": "RI", "hours": {"mon-fri": "09:00-18:00", "sat": "10:00-17:00"}, "closed_on": ["us-RI"],
             "source": "R.I. Gen. Laws 5-61-3.4, as given by vendor tables", "confidence": "vendor tables"},
            {"id": "us-TX", "state": "TX", "hours": {"mon-sat": "09:00-21:00", "sun": "12:00-21:00"},
             "source": "Tex. Bus. & Com. Code 301.051, as given by vendor tables", "confidence": "vendor tables"},
            {"id": "us-CT", "state": "CT", "hours": {"sun-sat": "09:00-20:00"},
             "source": "Conn. Gen. Stat. 42-288a (2023 amendment), as given by vendor tables", "confidence": "vendor tables (2023 amendment)"},
            {"id": "us-KY", "state": "KY", "hours": {"sun-sat": "10:00-21:00"},
             "source": "KRS 367.46955, as given by vendor tables", "confidence": "vendor tables"},
            {"id": "us-NV", "state": "NV", "hours": {"sun-sat": "09:00-20:00"},
             "source": "NRS 228.590, as given by vendor tables", "confidence": "vendor tables"},
            {"id": "us-MA", "state": "MA", "hours": {"sun-sat": "08:00-20:00"},
             "source": "Mass. Gen. Laws ch. 159C, 3, as given by vendor tables", "confidence": "vendor tables"},
            {"id": "us-PA", "state": "PA", "hours": {"mon-sat": "08:00-21:00", "sun": "13:30-21:00"},
             "source": "73 P.S. 2245.2 and vendor tables; sources disagree on Sundays", "confidence": "sources conflict"},
            {"id": "ca", "country": "CA", "hours": {"mon-fri": "09:00-21:30", "sat-sun": "10:00-18:00"},
             "source": "CRTC Unsolicited Telecommunications Rules, Part III, 4 (telemarketing hours)", "confidence": "regulator rules"}
          ]
        }
        """#
}
