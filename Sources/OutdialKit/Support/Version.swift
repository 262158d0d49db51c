/// The version `outdial --version` prints.
public enum OutdialVersion {
    public static let current = "0.1.0"
}
