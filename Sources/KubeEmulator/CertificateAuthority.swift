import Crypto
import Foundation
import NIOSSL
import SwiftASN1
import X509

/// A CA generated at start, with a server certificate for 127.0.0.1/localhost and a client certificate
/// (`CN=fledge-admin, O=system:masters`) for the kubeconfig.
public struct CertificateAuthority: Sendable {
    public let caCertificatePEM: String
    public let serverCertificatePEM: String
    public let serverKeyPEM: String
    public let clientCertificatePEM: String
    public let clientKeyPEM: String

    public init(hosts: [String] = ["localhost"], ips: [[UInt8]] = [[127, 0, 0, 1]]) throws {
        let now = Date()
        let caKey = P256.Signing.PrivateKey()
        let caName = try DistinguishedName { CommonName("fledge-emulator-ca") }
        let ca = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(caKey.publicKey),
            notValidBefore: now - 3600, notValidAfter: now + 86400 * 365, issuer: caName, subject: caName,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true))
            },
            issuerPrivateKey: .init(caKey))

        func leaf(_ subject: DistinguishedName, _ usage: ExtendedKeyUsage.Usage, sans: [GeneralName]) throws -> (String, String) {
            let key = P256.Signing.PrivateKey()
            let cert = try Certificate(
                version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey),
                notValidBefore: now - 3600, notValidAfter: now + 86400 * 365, issuer: caName, subject: subject,
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.notCertificateAuthority)
                    Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
                    try ExtendedKeyUsage([usage])
                    if !sans.isEmpty { SubjectAlternativeNames(sans) }
                },
                issuerPrivateKey: .init(caKey))
            return (try cert.serializeAsPEM().pemString, key.pemRepresentation)
        }
        let sans = hosts.map { GeneralName.dnsName($0) } + ips.map { GeneralName.ipAddress(ASN1OctetString(contentBytes: $0[...])) }
        (serverCertificatePEM, serverKeyPEM) = try leaf(try DistinguishedName { CommonName("fledge-emulator") }, .serverAuth, sans: sans)
        (clientCertificatePEM, clientKeyPEM) = try leaf(try DistinguishedName {
            OrganizationName("system:masters")
            CommonName("fledge-admin")
        }, .clientAuth, sans: [])
        caCertificatePEM = try ca.serializeAsPEM().pemString
    }

    /// Server TLS: our certificate; client certificates are optional but must be signed by this CA when presented.
    func serverContext() throws -> NIOSSLContext {
        var config = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(try NIOSSLCertificate(bytes: Array(serverCertificatePEM.utf8), format: .pem))],
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(serverKeyPEM.utf8), format: .pem)))
        config.certificateVerification = .optionalVerification
        config.trustRoots = .certificates([try NIOSSLCertificate(bytes: Array(caCertificatePEM.utf8), format: .pem)])
        config.applicationProtocols = ["http/1.1"]
        return try NIOSSLContext(configuration: config)
    }
}
