import ArgumentParser
import Foundation
import MagnetCore
import MagnetDesigner
import MagnetStore

/// The text of an error for the one `error:` line: magnet's own errors say what and where;
/// file-system errors from Foundation are put in the same words (the path, then what is wrong)
/// instead of their `NSCocoaErrorDomain Code=…` dumps.
enum ErrorText {
    static func describe(_ error: Error) -> String {
        switch error {
        case let error as ValidationError: return error.message
        case let error as ConfigError: return error.description
        case let error as DesignProblem: return error.description
        case let error as StoreError: return error.description
        case let error as CocoaError: return describe(error)
        case let error as CustomStringConvertible: return error.description   // Curve.KeyError, Worker.Refused, …
        default: return Magnet.message(for: error)
        }
    }

    static func describe(_ error: CocoaError) -> String {
        let path = (error.userInfo[NSFilePathErrorKey] as? String) ?? error.filePath ?? error.url?.path
        let what: String
        switch error.code {
        case .fileNoSuchFile, .fileReadNoSuchFile: what = "no such file or folder"
        case .fileWriteFileExists: what = "already exists"
        case .fileReadNoPermission, .fileWriteNoPermission: what = "permission denied"
        case .fileWriteOutOfSpace: what = "the disk is full"
        case .fileWriteVolumeReadOnly: what = "the volume is read-only"
        case .fileReadCorruptFile, .fileReadInapplicableStringEncoding: what = "cannot be read as text"
        default:
            let underlying = (error.userInfo[NSUnderlyingErrorKey] as? NSError).map { " (\($0.localizedDescription))" } ?? ""
            what = "file operation failed (Cocoa error \(error.code.rawValue))\(underlying)"
        }
        return path.map { "\($0): \(what)" } ?? what
    }
}
