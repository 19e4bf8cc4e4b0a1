/// Text made safe to put into HTML or SVG, as element content or inside a double-quoted
/// attribute (the report page, the Pareto plot).
public enum MarkupText {
    /// `text` with `&`, `<`, `>` and `"` written as character references.
    public static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
