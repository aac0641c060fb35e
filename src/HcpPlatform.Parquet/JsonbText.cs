using System.Globalization;
using System.Text;

namespace HcpPlatform.Parquet;

/// <summary>
/// The text PostgreSQL gives back for a jsonb value (jsonb_out), from any JSON text: what a jsonb column holds once the
/// engine's text is loaded, so that a JSON column reads the same from Parquet as from PostgreSQL. jsonb keeps an object's
/// keys once each (the last value wins), ordered by UTF-8 length and then bytewise; writes ", " between items and ": "
/// after keys; keeps numbers as numeric does (scale kept, exponent applied, no negative zero); escapes only the quote,
/// the backslash and control characters. A small parser of its own: the engine's millions of short documents made a
/// general one (a DOM, then a writer) cost more than writing the Parquet files.
/// </summary>
public static class JsonbText
{
    [ThreadStatic]
    private static StringBuilder? _output;

    public static string? Normalize(string? json)
    {
        if (json is null)
        {
            return null;
        }
        var output = _output ??= new StringBuilder(256);
        output.Clear();
        var parser = new Parser(json);
        parser.SkipSpace();
        parser.Value(output);
        parser.SkipSpace();
        if (!parser.AtEnd)
        {
            throw parser.Error("unexpected text after the value");
        }
        return output.ToString();
    }

    private ref struct Parser(string text)
    {
        private readonly string _text = text;
        private int _at;

        public readonly bool AtEnd => _at == _text.Length;

        public void SkipSpace()
        {
            while (_at < _text.Length && _text[_at] is ' ' or '\t' or '\n' or '\r')
            {
                _at++;
            }
        }

        public void Value(StringBuilder output)
        {
            if (_at >= _text.Length)
            {
                throw Error("a value was expected");
            }
            switch (_text[_at])
            {
                case '{':
                    Object(output);
                    break;
                case '[':
                    Array(output);
                    break;
                case '"':
                    WriteString(ReadString(), output);
                    break;
                case 't':
                    Literal("true", output);
                    break;
                case 'f':
                    Literal("false", output);
                    break;
                case 'n':
                    Literal("null", output);
                    break;
                default:
                    output.Append(Number());
                    break;
            }
        }

        private void Object(StringBuilder output)
        {
            _at++;
            SkipSpace();
            if (Take('}'))
            {
                output.Append("{}");
                return;
            }
            var members = new List<(string Key, string Value)>(8);
            var value = new StringBuilder(64);
            while (true)
            {
                SkipSpace();
                if (_at >= _text.Length || _text[_at] != '"')
                {
                    throw Error("a key was expected");
                }
                var key = ReadString();
                SkipSpace();
                Expect(':');
                SkipSpace();
                value.Clear();
                Value(value);
                members.Add((key, value.ToString()));
                SkipSpace();
                if (Take('}'))
                {
                    break;
                }
                Expect(',');
            }
            // A stable insertion sort (objects have a few keys): of equal keys, the last one given stays last, and is kept.
            var ordered = members;
            for (var i = 1; i < ordered.Count; i++)
            {
                for (var j = i; j > 0 && KeyOrder.Instance.Compare(ordered[j - 1].Key, ordered[j].Key) > 0; j--)
                {
                    (ordered[j - 1], ordered[j]) = (ordered[j], ordered[j - 1]);
                }
            }
            output.Append('{');
            var first = true;
            for (var i = 0; i < ordered.Count; i++)
            {
                if (i + 1 < ordered.Count && string.Equals(ordered[i + 1].Key, ordered[i].Key, StringComparison.Ordinal))
                {
                    continue;
                }
                if (!first)
                {
                    output.Append(", ");
                }
                first = false;
                WriteString(ordered[i].Key, output);
                output.Append(": ").Append(ordered[i].Value);
            }
            output.Append('}');
        }

        private void Array(StringBuilder output)
        {
            _at++;
            SkipSpace();
            output.Append('[');
            if (Take(']'))
            {
                output.Append(']');
                return;
            }
            while (true)
            {
                SkipSpace();
                Value(output);
                SkipSpace();
                if (Take(']'))
                {
                    break;
                }
                Expect(',');
                output.Append(", ");
            }
            output.Append(']');
        }

        /// <summary>A string token's value, its escapes decoded.</summary>
        private string ReadString()
        {
            var start = ++_at;
            while (_at < _text.Length && _text[_at] != '"' && _text[_at] != '\\')
            {
                _at++;
            }
            if (_at < _text.Length && _text[_at] == '"')
            {
                return _text[start..(_at++)];
            }
            var value = new StringBuilder(_text, start, _at - start, 64);
            while (true)
            {
                if (_at >= _text.Length)
                {
                    throw Error("a string is not closed");
                }
                var c = _text[_at++];
                if (c == '"')
                {
                    return value.ToString();
                }
                if (c != '\\')
                {
                    value.Append(c);
                    continue;
                }
                if (_at >= _text.Length)
                {
                    throw Error("a string is not closed");
                }
                var escaped = _text[_at++];
                value.Append(escaped switch
                {
                    '"' => '"',
                    '\\' => '\\',
                    '/' => '/',
                    'b' => '\b',
                    'f' => '\f',
                    'n' => '\n',
                    'r' => '\r',
                    't' => '\t',
                    'u' when _at + 4 <= _text.Length && int.TryParse(_text.AsSpan(_at, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code) => Unicode(code),
                    _ => throw Error($"'\\{escaped}' is not an escape"),
                });
            }
        }

        private char Unicode(int code)
        {
            _at += 4;
            return (char)code;
        }

        private string Number()
        {
            var start = _at;
            while (_at < _text.Length && _text[_at] is (>= '0' and <= '9') or '-' or '+' or '.' or 'e' or 'E')
            {
                _at++;
            }
            if (_at == start)
            {
                throw Error($"'{_text[_at]}' does not start a value");
            }
            return JsonbText.Number(_text[start.._at]);
        }

        private void Literal(string literal, StringBuilder output)
        {
            if (string.CompareOrdinal(_text, _at, literal, 0, literal.Length) != 0)
            {
                throw Error("true, false or null was expected");
            }
            _at += literal.Length;
            output.Append(literal);
        }

        private bool Take(char c)
        {
            if (_at < _text.Length && _text[_at] == c)
            {
                _at++;
                return true;
            }
            return false;
        }

        private void Expect(char c)
        {
            if (!Take(c))
            {
                throw Error($"'{c}' was expected");
            }
        }

        public readonly FormatException Error(string what) =>
            new($"Not JSON at position {_at.ToString(CultureInfo.InvariantCulture)}: {what} in '{(_text.Length > 200 ? _text[..200] + "…" : _text)}'.");
    }

    private static void WriteString(string value, StringBuilder text)
    {
        text.Append('"');
        var plain = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c >= ' ' && c != '"' && c != '\\')
            {
                continue;
            }
            text.Append(value, plain, i - plain);
            plain = i + 1;
            text.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\b' => "\\b",
                '\f' => "\\f",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
            });
        }
        text.Append(value, plain, value.Length - plain).Append('"');
    }

    /// <summary>A JSON number as numeric_out prints it after numeric_in read it.</summary>
    internal static string Number(string raw)
    {
        var negative = raw.StartsWith('-');
        var body = negative ? raw[1..] : raw;
        var e = body.IndexOfAny(['e', 'E']);
        var exponent = e < 0 ? 0 : int.Parse(body[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var mantissa = e < 0 ? body : body[..e];
        var point = mantissa.IndexOf('.', StringComparison.Ordinal);
        var integer = point < 0 ? mantissa : mantissa[..point];
        var fraction = point < 0 ? "" : mantissa[(point + 1)..];
        if (integer.Length == 0 || (integer.Length > 1 && integer[0] == '0') || (point >= 0 && fraction.Length == 0) || !(integer + fraction).All(char.IsAsciiDigit))
        {
            throw new FormatException($"Not JSON: '{raw}' is not a number.");
        }
        if (e < 0 && !(negative && (integer + fraction).All(c => c == '0')))
        {
            return raw;
        }
        var digits = integer + fraction;
        var scale = Math.Max(0, fraction.Length - exponent);
        var before = integer.Length + exponent;
        string whole, part;
        if (before <= 0)
        {
            (whole, part) = ("0", new string('0', -before) + digits);
        }
        else if (before >= digits.Length)
        {
            (whole, part) = (digits + new string('0', before - digits.Length), "");
        }
        else
        {
            (whole, part) = (digits[..before], digits[before..]);
        }
        part = part.Length >= scale ? part[..scale] : part + new string('0', scale - part.Length);
        whole = whole.TrimStart('0');
        if (whole.Length == 0)
        {
            whole = "0";
        }
        var zero = whole == "0" && part.All(c => c == '0');
        return (negative && !zero ? "-" : "") + whole + (scale > 0 ? "." + part : "");
    }

    /// <summary>jsonb's key order: shorter keys first (in UTF-8 bytes), then bytewise.</summary>
    private sealed class KeyOrder : IComparer<string>
    {
        public static readonly KeyOrder Instance = new();

        public int Compare(string? x, string? y)
        {
            if (IsAscii(x!) && IsAscii(y!))
            {
                // One byte per character: UTF-16 order is byte order.
                return x!.Length != y!.Length ? x.Length.CompareTo(y.Length) : string.CompareOrdinal(x, y);
            }
            var a = Encoding.UTF8.GetBytes(x!);
            var b = Encoding.UTF8.GetBytes(y!);
            return a.Length != b.Length ? a.Length.CompareTo(b.Length) : a.AsSpan().SequenceCompareTo(b);
        }

        private static bool IsAscii(string s) => System.Text.Ascii.IsValid(s);
    }
}
