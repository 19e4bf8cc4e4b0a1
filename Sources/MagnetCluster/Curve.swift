import CZeroMQ
import Foundation

/// CURVE security (ZeroMQ's CurveZMQ): key files, socket setup, and the ZAP handler through
/// which the coordinator admits only authorized workers.
///
/// Key files hold one Z85-encoded key (40 characters) on a line: `NAME.key` the secret key
/// (keep it private; the public key is derived from it), `NAME.pub` the public key. An
/// authorized-workers file lists workers' public keys, one per line; other lines starting with
/// `#` are comments (`#` is also a Z85 character, so a key may start with it).
public enum Curve {
    /// Why a key could not be used.
    public struct KeyError: Error, CustomStringConvertible {
        /// The file.
        public var path: String
        /// What is wrong.
        public var message: String
        public var description: String { "\(path): \(message)" }
    }

    /// A key pair.
    public struct KeyPair: Sendable, Equatable {
        /// Z85 public key.
        public var publicKey: String
        /// Z85 secret key.
        public var secretKey: String
    }

    /// Writes a new key pair as `DIR/NAME.key` (mode 0600) and `DIR/NAME.pub`. `NAME` must be a
    /// plain name (``isPlainKeyName(_:)``), so the files stay in `DIR`.
    public static func generate(name: String, directory: String) throws -> (secretFile: String, publicFile: String) {
        guard isPlainKeyName(name) else {
            throw KeyError(path: directory, message: "key name `\(name)` is not a plain name: use letters, digits, "
                           + "`-`, `_` and `.` (not first), at most 64 characters; the folder goes in -o")
        }
        guard ZMQContext.hasCurve else {
            throw KeyError(path: directory, message: "this libzmq was built without CURVE")
        }
        let keys = try ZMQContext.curveKeyPair()
        let base = URL(fileURLWithPath: directory).appendingPathComponent(name).path
        let secretFile = base + ".key", publicFile = base + ".pub"
        for file in [secretFile, publicFile] where FileManager.default.fileExists(atPath: file) {
            throw KeyError(path: file, message: "already exists; not overwriting a key")
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: secretFile, contents: Data((keys.secretKey + "\n").utf8),
                                             attributes: [.posixPermissions: 0o600]) else {
            throw KeyError(path: secretFile, message: "cannot write the key file")
        }
        try (keys.publicKey + "\n").write(toFile: publicFile, atomically: true, encoding: .utf8)
        return (secretFile, publicFile)
    }

    /// Whether `name` can name key files inside a folder: 1–64 ASCII letters, digits, `-`, `_`
    /// and `.`, not starting with `.`.
    public static func isPlainKeyName(_ name: String) -> Bool {
        guard (1...64).contains(name.utf8.count), !name.hasPrefix(".") else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
    }

    /// Reads a key file: the first line that is not empty or a comment, 40 Z85 characters.
    public static func readKey(_ path: String) throws -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw KeyError(path: path, message: "cannot read the key file")
        }
        let keys = try keyLines(text, path: path)
        guard let key = keys.first else { throw KeyError(path: path, message: "no key in the file") }
        return key
    }

    /// The key pair of a secret-key file (the public key derived from the secret one).
    ///
    /// A public and a secret key look alike (40 Z85 characters), so a public key given as the
    /// secret one would start a coordinator no worker can join, silently. Refused: a `.pub`
    /// file, and a `NAME.key` whose public key is not the one in `NAME.pub` beside it.
    public static func readKeyPair(_ path: String) throws -> KeyPair {
        if path.hasSuffix(".pub") {
            throw KeyError(path: path, message: "is a public key file (.pub); give the secret key (.key) of the pair")
        }
        let secret = try readKey(path)
        var publicKey = [CChar](repeating: 0, count: 41)
        guard zmq_curve_public(&publicKey, secret) == 0 else {
            throw KeyError(path: path, message: "not a valid CURVE secret key")
        }
        let pair = KeyPair(publicKey: cText(publicKey), secretKey: secret)
        if path.hasSuffix(".key") {
            let sibling = String(path.dropLast(4)) + ".pub"
            if FileManager.default.fileExists(atPath: sibling), let stored = try? readKey(sibling),
               stored != pair.publicKey {
                throw KeyError(path: path, message: "its public key is not the one in \(sibling): "
                               + "is this a secret key, and of that pair?")
            }
        }
        return pair
    }

    /// The public keys of an authorized-workers file.
    public static func readAuthorized(_ path: String) throws -> Set<String> {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw KeyError(path: path, message: "cannot read the authorized-workers file")
        }
        return Set(try keyLines(text, path: path))
    }

    static func keyLines(_ text: String, path: String) throws -> [String] {
        var keys: [String] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            // A 40-character Z85 line is a key (`#` is a Z85 character, so a key may start with it);
            // any other line starting with `#` is a comment.
            let line = raw.trimmingCharacters(in: .whitespaces)
            let isKey = line.count == 40 && line.utf8.allSatisfy { z85Alphabet.contains($0) }
            guard !line.isEmpty, isKey || !line.hasPrefix("#") else { continue }
            guard isKey else {
                throw KeyError(path: "\(path):\(index + 1)",
                               message: "expected a 40-character Z85 CURVE key, found `\(line.prefix(50))`")
            }
            keys.append(line)
        }
        return keys
    }

    static let z85Alphabet = Set(("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                  + ".-:+=^!/*?&<>()[]{}@%$#").utf8)

    /// Makes `socket` a CURVE server with `secretKey`.
    static func makeServer(_ socket: ZMQSocket, secretKey: String) throws {
        try socket.set(ZMQ_CURVE_SERVER, 1)
        try socket.set(ZMQ_CURVE_SECRETKEY, bytes: Array(secretKey.utf8) + [0])
        try socket.set(ZMQ_ZAP_DOMAIN, string: "magnet")
    }

    /// Makes `socket` a CURVE client of the server with `serverKey`.
    public static func makeClient(_ socket: ZMQSocket, keys: KeyPair, serverKey: String) throws {
        try socket.set(ZMQ_CURVE_SERVERKEY, bytes: Array(serverKey.utf8) + [0])
        try socket.set(ZMQ_CURVE_PUBLICKEY, bytes: Array(keys.publicKey.utf8) + [0])
        try socket.set(ZMQ_CURVE_SECRETKEY, bytes: Array(keys.secretKey.utf8) + [0])
    }

    /// Z85 text of a 32-byte binary key.
    static func z85(_ bytes: [UInt8]) -> String {
        var text = [CChar](repeating: 0, count: bytes.count * 5 / 4 + 1)
        _ = bytes.withUnsafeBufferPointer { zmq_z85_encode(&text, $0.baseAddress, bytes.count) }
        return cText(text)
    }
}

/// The ZAP handler (RFC 27) on `inproc://zeromq.zap.01`: admits CURVE clients whose public key
/// is authorized. Served from the coordinator's loop, on its thread.
final class ZAPHandler {
    let socket: ZMQSocket
    let authorized: Set<String>
    /// Public keys refused so far (for the log).
    var refused: [(key: String, address: String)] = []

    init(context: ZMQContext, authorized: Set<String>) throws {
        socket = try ZMQSocket(context: context, kind: .rep)
        try socket.bind("inproc://zeromq.zap.01")
        self.authorized = authorized
    }

    /// Answers every waiting request.
    func serve() throws {
        while let request = try socket.receive(timeoutMS: 0) {
            // version, request id, domain, address, identity, mechanism, credentials...
            guard request.count >= 6 else { continue }
            let requestID = request[1]
            let address = String(decoding: request[3], as: UTF8.self)
            let mechanism = String(decoding: request[5], as: UTF8.self)
            var allowed = false
            var key = ""
            if mechanism == "CURVE", request.count >= 7, request[6].count == 32 {
                key = Curve.z85(request[6])
                allowed = authorized.contains(key)
            }
            if !allowed { refused.append((key, address)) }
            try socket.send([Array("1.0".utf8), requestID, Array((allowed ? "200" : "400").utf8),
                             Array((allowed ? "OK" : "unauthorized").utf8), Array(key.utf8), []], dontWait: false)
        }
    }
}
