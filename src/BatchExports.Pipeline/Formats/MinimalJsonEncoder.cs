using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;

namespace BatchExports.Pipeline.Formats;

/// <summary>
/// Escapes only what JSON requires (control characters, <c>"</c> and <c>\</c>), the way orjson does, so JSONLines
/// output carries non-ASCII text and emoji as plain UTF-8 rather than <c>\uXXXX</c> sequences.
/// </summary>
internal sealed class MinimalJsonEncoder : JavaScriptEncoder
{
    public static readonly MinimalJsonEncoder Instance = new();

    private static readonly SearchValues<byte> Utf8ToEscape = SearchValues.Create(BytesToEscape());
    private static readonly SearchValues<char> CharsToEscape = SearchValues.Create(CharsNeedingEscape());

    private MinimalJsonEncoder()
    {
    }

    public override int MaxOutputCharactersPerInputCharacter => 6;

    public override bool WillEncode(int unicodeScalar) => unicodeScalar < 0x20 || unicodeScalar is '"' or '\\';

    public override int FindFirstCharacterToEncodeUtf8(ReadOnlySpan<byte> utf8Text) => utf8Text.IndexOfAny(Utf8ToEscape);

    public override unsafe int FindFirstCharacterToEncode(char* text, int textLength) =>
        new ReadOnlySpan<char>(text, textLength).IndexOfAny(CharsToEscape);

    public override unsafe bool TryEncodeUnicodeScalar(int unicodeScalar, char* buffer, int bufferLength, out int numberOfCharactersWritten)
    {
        var destination = new Span<char>(buffer, bufferLength);
        if (!WillEncode(unicodeScalar))
        {
            return new Rune(unicodeScalar).TryEncodeToUtf16(destination, out numberOfCharactersWritten);
        }

        return unicodeScalar switch
        {
            '"' => TryWrite(destination, "\\\"", out numberOfCharactersWritten),
            '\\' => TryWrite(destination, "\\\\", out numberOfCharactersWritten),
            '\b' => TryWrite(destination, "\\b", out numberOfCharactersWritten),
            '\t' => TryWrite(destination, "\\t", out numberOfCharactersWritten),
            '\n' => TryWrite(destination, "\\n", out numberOfCharactersWritten),
            '\f' => TryWrite(destination, "\\f", out numberOfCharactersWritten),
            '\r' => TryWrite(destination, "\\r", out numberOfCharactersWritten),
            _ => TryWrite(destination, $"\\u{unicodeScalar:x4}", out numberOfCharactersWritten),
        };
    }

    private static bool TryWrite(Span<char> destination, ReadOnlySpan<char> text, out int written)
    {
        if (text.TryCopyTo(destination))
        {
            written = text.Length;
            return true;
        }

        written = 0;
        return false;
    }

    private static byte[] BytesToEscape()
    {
        var bytes = new List<byte> { (byte)'"', (byte)'\\' };
        for (var b = 0; b < 0x20; b++)
        {
            bytes.Add((byte)b);
        }

        return [.. bytes];
    }

    private static char[] CharsNeedingEscape() => [.. BytesToEscape().Select(b => (char)b)];
}
