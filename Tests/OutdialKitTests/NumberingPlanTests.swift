import Testing

@testable import OutdialKit

private let plan = NumberingPlan.shared
private let us = PhoneNormalizer(region: "US")!

private func zones(_ phone: String) throws -> [String] {
    plan.zoneNames(plan.locate(try us.normalize(phone).number).zones).sorted()
}

@Suite struct NumberingPlanTests {
    @Test func pensacolaExchangeIsCentral() throws {
        #expect(try zones("+1 850-432-1234") == ["America/Chicago"])
    }

    @Test func tallahasseeExchangeIsEastern() throws {
        #expect(try zones("+1 850-224-1234") == ["America/New_York"])
    }

    @Test func areaCode208HasBoiseAndLosAngeles() throws {
        let area = try #require(plan.areaCode(208))
        let names = plan.zoneNames(area.zones)
        #expect(names.contains("America/Boise"))
        #expect(names.contains("America/Los_Angeles"))
        #expect(area.state == "ID")
    }

    @Test func navajoExchangesOf928GetDenverAndPhoenix() throws {
        #expect(try zones("928-674-1234") == ["America/Denver", "America/Phoenix"])
        #expect(try zones("928-774-1234") == ["America/Phoenix"])  // Flagstaff
    }

    @Test func puertoRicoAndRegina() throws {
        #expect(try zones("787-555-1234") == ["America/Puerto_Rico"])
        #expect(try zones("306-525-1234") == ["America/Regina"])
        #expect(plan.areaCode(306)?.state == "SK")
        #expect(plan.areaCode(306)?.country == "CA")
        #expect(plan.areaCode(787)?.state == "PR")
    }

    @Test func garyIndianaKeepsCentralBesideTheTablesEastern() throws {
        // The prefix table puts all of 219 in New York; Gary is Central.
        #expect(try zones("219-881-1234").contains("America/Chicago"))
    }

    @Test func theNANPCatchAllIsNotUsed() throws {
        // An unassigned area code is not "every NANP zone".
        #expect(plan.locate(PhoneNumber(countryCode: 1, national: 9_992_345_678, nationalLength: 10)).zones.isEmpty)
    }

    @Test func nonNANPLongestPrefix() throws {
        let gb = PhoneNormalizer(region: "GB")!
        let london = plan.locate(try gb.normalize("020 7946 0958").number)
        #expect(plan.zoneNames(london.zones).contains("Europe/London"))
        let paris = plan.locate(try us.normalize("+33 1 42 68 53 00").number)
        #expect(plan.zoneNames(paris.zones) == ["Europe/Paris"])
    }

    @Test(arguments: [
        ("33101", "FL"), ("33101-1234", "FL"), ("10001", "NY"), ("99501", "AK"), ("00901", "PR"), ("20500", "DC"), ("7310", "NJ"), ("731", nil), ("ABCDE", nil),
    ])
    func zipToState(zip: String, state: String?) {
        #expect(plan.state(forZIP: zip) == state)
    }

    @Test(arguments: [
        ("FL", "FL"), ("fl", "FL"), ("Florida", "FL"), ("new hampshire", "NH"), ("Saskatchewan", "SK"), ("Narnia", nil), ("Fla.", "FL"),
        ("Tex", "TX"), ("N.Y.", "NY"), ("D.C.", "DC"), ("Ont", "ON"), ("P.E.I.", "PE"), ("Calif.", "CA"), ("W.Va.", "WV"), ("Xyz.", nil),
    ])
    func stateNamesAndCodes(text: String, code: String?) {
        #expect(plan.regionCode(text) == code)
    }

    @Test func stateZonesAreTheUnionOfTheirExchanges() throws {
        let florida = plan.zoneNames(try #require(plan.region("FL")).zones)
        #expect(florida == ["America/Chicago", "America/New_York"])
        let texas = plan.zoneNames(try #require(plan.region("TX")).zones)
        #expect(texas == ["America/Chicago", "America/Denver"])
    }

    /// A region's zones are the clocks kept inside it and no other (tz database
    /// zone.tab; one zone per clock): an address in Newfoundland and Labrador
    /// once added America/Puerto_Rico, one in Alaska Pacific/Honolulu.
    @Test(arguments: [
        ("NL", ["America/Halifax", "America/St_Johns"]), ("QC", ["America/Blanc-Sablon", "America/Toronto"]),
        ("NS", ["America/Halifax"]), ("NB", ["America/Halifax"]), ("PE", ["America/Halifax"]),
        ("ON", ["America/Atikokan", "America/Toronto", "America/Winnipeg"]), ("MB", ["America/Winnipeg"]),
        ("SK", ["America/Edmonton", "America/Regina"]), ("AB", ["America/Edmonton"]),
        ("BC", ["America/Creston", "America/Edmonton", "America/Vancouver"]), ("YT", ["America/Whitehorse"]),
        ("NT", ["America/Edmonton"]), ("NU", ["America/Atikokan", "America/Edmonton", "America/Toronto", "America/Winnipeg"]),
        ("AK", ["America/Adak", "America/Anchorage"]), ("HI", ["Pacific/Honolulu"]),
    ])
    func regionZonesAreTheClocksKeptInTheRegion(region: String, expected: [String]) throws {
        #expect(plan.zoneNames(try #require(plan.region(region)).zones) == expected)
    }

    @Test func areaCodeCentresAreWhereTheyShouldBe() throws {
        // Manhattan's 212 and Boise's 208 are within a few hundred km of their cities.
        let nyc = Coordinate(latitude: 40.71, longitude: -74.01)
        #expect(try #require(plan.areaCode(212)?.centre).distanceKilometres(to: nyc) < 50)
        let boise = Coordinate(latitude: 43.61, longitude: -116.20)
        #expect(try #require(plan.areaCode(208)?.centre).distanceKilometres(to: boise) < 400)
    }

    @Test func everyZoneNameIsKnownToFoundation() {
        for name in plan.zoneNames {
            #expect(TimeZoneCache.shared.zone(named: name) != nil, "\(name)")
        }
    }
}

/// Area-code centres lie where their area codes are: inside North America and
/// the Caribbean, and near the other area codes of their state or province
/// (a centre once landed in Gabon for Georgia's 470, in Mumbai for Indiana's 463).
@Suite struct AreaCodeCentreTests {
    @Test func everyCentreIsInTheNANPAndNearItsStatesOthers() throws {
        let plan = NumberingPlan.shared
        var byState: [String: [(Int, Coordinate)]] = [:]
        for npa in 200...999 {
            guard let area = plan.areaCode(npa), let centre = area.centre else { continue }
            // North America, Hawaii, the Caribbean and the Pacific territories: west of 0°, north of the equator.
            let inNANP = centre.latitude > 10 && centre.latitude < 72 && centre.longitude < -52 || (area.country != "US" && area.country != "CA")
            #expect(inNANP, "\(npa) (\(area.state ?? "-"), \(area.country)) is centred at \(centre.latitude), \(centre.longitude)")
            if let state = area.state, area.country == "US" || area.country == "CA" { byState[state, default: []].append((npa, centre)) }
        }
        #expect(byState.count >= 60)
        for (state, codes) in byState where codes.count > 1 {
            let lat = codes.map(\.1.latitude).sorted()[codes.count / 2]
            let lon = codes.map(\.1.longitude).sorted()[codes.count / 2]
            let middle = Coordinate(latitude: lat, longitude: lon)
            for (npa, centre) in codes {
                // Alaska, Texas, California and Ontario are large, but no state spans 2,000 km between its area codes.
                #expect(
                    centre.distanceKilometres(to: middle) < 2_000,
                    "\(npa) in \(state) lies \(Int(centre.distanceKilometres(to: middle))) km from its state's others")
            }
        }
    }
}
