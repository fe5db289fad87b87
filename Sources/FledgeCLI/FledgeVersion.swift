/// The plugin's version (`kubectl fledge version`), kept in step with the controller's image tag in
/// manifests/deployment.yaml.
public enum FledgeVersion {
    public static let plugin = "0.1.0"
}
