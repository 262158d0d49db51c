import OutdialKit

/// The exit codes of SPEC §3 and the mapping from every error to one of them.
enum ExitStatus {
    static let success: Int32 = 0
    static let failure: Int32 = 1
    static let usage: Int32 = 64
    static let dataError: Int32 = 65
    static let noInput: Int32 = 66
    static let ioError: Int32 = 74
    static let temporaryFailure: Int32 = 75

    /// The exit code for an error and what to print on stderr.
    static func describe(_ error: any Error) -> (Int32, String) {
        switch error {
        case let error as UsageError:
            return (usage, error.rendered)
        case let error as StoreError:
            if error.isBusy {
                return (temporaryFailure, "error: \(error)\nThe database stayed locked by another process; try again when it is done.\n")
            }
            return (ioError, "error: \(error)\n")
        case let error as MigrationError:
            return (dataError, "error: \(error)\n")
        case let error as CSVError:
            return (dataError, "error: \(error)\n")
        case let error as PhoneNumberError:
            return (dataError, "error: \(error)\n")
        case let error as CampaignFileError:
            return (dataError, "error: \(error)\n")
        case let error as WindowSpecError:
            return (dataError, "error: \(error)\n")
        case let error as InputFileError:
            return (noInput, "error: \(error)\n")
        case let error as OutputFileError:
            return (ioError, "error: \(error)\n")
        default:
            return (failure, "error: \(error)\n")
        }
    }
}
