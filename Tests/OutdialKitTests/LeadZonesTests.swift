import Foundation
import TestSupport
import Testing

@testable import OutdialKit

/// Which zones a lead is gated on: its phone's, its address's (a known ZIP's
/// own zone, else its state's) and its timezone column's, all together.
@Suite struct LeadZonesTests {
    let plan = NumberingPlan.shared

    /// The zones a lead with this phone, state, ZIP and timezone gets at import.
    func zones(_ phone: String, state: String? = nil, zip: String? = nil, timezone: String? = nil) throws -> [String] {
        let number = try #require(PhoneNumber(e164: phone))
        let report = try WindowReport.make(
            number: number, state: state, zip: zip, timezone: timezone, at: Instant(seconds: 0), gate: WindowGate(policy: CallingWindowPolicy()))
        return report.subject.zones
    }

    @Test func aKnownZIPGivesItsOwnZoneNotItsStates() throws {
        #expect(try zones("+18504321234", zip: "32501") == ["America/Chicago"])  // Pensacola: Florida is also Eastern
        #expect(try zones("+17023851234", zip: "89101") == ["America/Los_Angeles"])  // Las Vegas: no Boise, no Denver
        #expect(try zones("+19155331234", zip: "79901") == ["America/Denver"])  // El Paso with a 915 number
        #expect(plan.zoneNames(LeadAddress(zip: plan.place(forZIP: "99501")).zones(in: plan)) == ["America/Anchorage"])
        #expect(plan.zoneNames(LeadAddress(zip: plan.place(forZIP: "32501")).zones(in: plan)) == ["America/Chicago"])
        // A ZIP and a state column that disagree: both are gated.
        let both = plan.zoneNames(LeadAddress(region: plan.regionIndex(code: "NY"), zip: plan.place(forZIP: "89101")).zones(in: plan)).sorted()
        #expect(both == ["America/Los_Angeles", "America/New_York"])
    }

    @Test func noStateListsAZoneOutsideIt() throws {
        let alaska = plan.zoneNames(plan.regionZones(index: try #require(plan.regionIndex(code: "AK"))))
        #expect(!alaska.contains("Pacific/Honolulu") && alaska.contains("America/Anchorage"))
        #expect(!(try zones("+19072771234", state: "AK")).contains("Pacific/Honolulu"))
        let nevada = plan.zoneNames(plan.regionZones(index: try #require(plan.regionIndex(code: "NV"))))
        #expect(nevada == ["America/Los_Angeles"])
    }

    /// Every ZIP of the data, with any phone, state column and timezone: the
    /// lead's zones always contain the ZIP's zone and the phone's zones.
    @Test func everyZIPsZoneIsAlwaysGated() throws {
        let resolver = LeadZoneResolver(plan: plan)
        let phones = ["+12125550123", "+13105550123", "+19075550123", "+18505550123", "+14165550123", "+442079460000"]
        var checked = 0
        var state: UInt64 = 7
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        NumberingPlanData.forEachRow(NumberingPlanData.zIPs) { f in
            let zip = String(decoding: f[0], as: UTF8.self)
            guard let place = plan.place(forZIP: zip) else {
                Issue.record("ZIP \(zip) of the data is not found")
                return
            }
            let phone = PhoneNumber(e164: phones[Int(next() % UInt64(phones.count))])!
            let location = plan.locate(phone)
            let region: Int16? = next() % 3 == 0 ? Int16(next() % 60) : place.region
            let address = LeadAddress(region: region, zip: place)
            let id =
                next() % 2 == 0
                ? resolver.resolve(phoneZoneSet: location.zoneSet, address: address)
                : resolver.explicit(["UTC"], phoneZoneSet: location.zoneSet, address: address)
            let zones = id.flatMap { resolver.row($0) }.map { $0.zones.split(separator: " ").map(String.init) } ?? []
            if !zones.contains(plan.zoneNames[Int(place.zone)]) { Issue.record("ZIP \(zip): \(zones) lacks its zone") }
            for z in location.zones where !zones.contains(plan.zoneNames[Int(z)]) { Issue.record("ZIP \(zip): \(zones) lacks the phone's zones") }
            checked += 1
        }
        #expect(checked > 40_000)
    }

    @Test func zipsAreReadAsPeopleWriteThem() {
        #expect(plan.place(forZIP: "02108")?.zip == "02108")
        #expect(plan.place(forZIP: "2108")?.zip == "02108")  // a spreadsheet dropped the zero
        #expect(plan.place(forZIP: "02108-1234")?.zip == "02108")
        #expect(plan.place(forZIP: "02108 1234")?.zip == "02108")
        #expect(plan.place(forZIP: "021081234")?.zip == "02108")
        #expect(plan.place(forZIP: " 32501 ")?.zip == "32501")
        #expect(plan.place(forZIP: "3250") == nil)  // 03250 is no ZIP
        #expect(plan.place(forZIP: "325011") == nil)
        #expect(plan.place(forZIP: "32501-12") == nil)
        #expect(plan.state(forZIP: "2108") == "MA")
        #expect(plan.province(forPostalCode: "M5V 2T6") == "ON")
        #expect(plan.province(forPostalCode: "h2x1y4") == "QC")
        #expect(plan.province(forPostalCode: "X0A 0H0") == "NU")
        #expect(plan.province(forPostalCode: "X1A 2P8") == "NT")
        #expect(plan.province(forPostalCode: "V6B") == "BC")
        #expect(plan.province(forPostalCode: "D5V 2T6") == nil)
        #expect(plan.province(forPostalCode: "M5V 2TT") == nil)
    }

    @Test func importUsesTheZIPAndWarnsOnWhatItCannotPlace() throws {
        let dir = try TemporaryDirectory()
        let db = try Store.open(dir.path("t.db"))
        var options = LeadImportOptions()
        options.rejectsPath = dir.path("leads.rejects.csv")
        let csv = """
            phone,state,zip,timezone
            850-432-1234,,32501,
            617-555-0101,,2108,
            512-555-0117,TX,,UTC
            512-555-0118,,,Asia/Tokyo
            416-555-0101,,M5V 2T6,
            212-555-0123,,99999,
            212-555-0124,,hello,
            212-555-0125,,,America/New_York
            907-277-1234,AK,99998,

            """
        let summary = try LeadImporter(database: db).run(path: try dir.write("leads.csv", csv), options: options)
        #expect(summary.imported == 9 && summary.rejected == 0)
        let store = LeadStore(database: db)
        #expect(try store.find("8504321234")?.zones == ["America/Chicago"])
        #expect(try store.find("6175550101")?.zip == "02108")
        #expect(try store.find("6175550101")?.state == "MA")
        #expect(try store.find("4165550101")?.state == "ON")
        // The UTC and Tokyo columns agree with neither phone nor address; New York agrees with 212.
        #expect(summary.zoneConflicts == 2)
        #expect(summary.zipsNotUnderstood == 3)
        #expect(summary.warningCount == 5)
        #expect(summary.json.rendered.contains(#""zone_conflicts":2"#))
        let warnings = String(decoding: try Data(contentsOf: URL(fileURLWithPath: dir.path("leads.warnings.csv"))), as: UTF8.self)
        #expect(summary.warningsFile == dir.path("leads.warnings.csv"))
        #expect(warnings.hasPrefix("line,warning,row\n"))
        #expect(warnings.contains(#"4,"timezone 'UTC' agrees with neither the phone nor the address"#))
        #expect(warnings.contains(#"7,"zip '99999' is not a ZIP code outdial knows"#))
        #expect(warnings.contains(#"8,"zip 'hello' is not a US ZIP code or Canadian postal code outdial knows; gated on the phone's zones"#))
        // With a state column, an unknown ZIP leaves the lead gated on that state.
        #expect(warnings.contains(#"10,"zip '99998' is not a ZIP code outdial knows; gated on the zones of AK"#))
        #expect(!warnings.contains("America/New_York"))
        // leads show says so.
        let austin = try #require(try store.find("5125550117"))
        #expect(austin.zoneConflict && LeadReport.text(austin).contains("zone conflict"))
        #expect(try store.find("2125550125")?.zoneConflict == false)
    }
}
