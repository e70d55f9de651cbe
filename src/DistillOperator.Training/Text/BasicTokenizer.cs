using System.Globalization;
using System.Text;

namespace DistillOperator.Training.Text;

/// <summary>
/// BERT's basic tokenization: drops control characters, puts spaces around CJK ideographs, optionally lower-cases and
/// strips accents, then splits on white space and around punctuation.
/// </summary>
public static class BasicTokenizer
{
    /// <summary>The words and punctuation marks of <paramref name="text"/>.</summary>
    public static List<string> Split(string text, bool lowerCase)
    {
        ArgumentNullException.ThrowIfNull(text);
        var cleaned = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            if (rune.Value is 0 or 0xFFFD || IsControl(rune))
            {
                continue;
            }

            if (IsCjk(rune.Value))
            {
                cleaned.Append(' ').Append(rune.ToString()).Append(' ');
            }
            else
            {
                cleaned.Append(Rune.IsWhiteSpace(rune) ? " " : rune.ToString());
            }
        }

        var words = new List<string>();
        foreach (var raw in cleaned.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var word = lowerCase ? StripAccents(raw.ToLowerInvariant()) : raw;
            var current = new StringBuilder();
            foreach (var rune in word.EnumerateRunes())
            {
                if (IsPunctuation(rune))
                {
                    if (current.Length > 0)
                    {
                        words.Add(current.ToString());
                        current.Clear();
                    }

                    words.Add(rune.ToString());
                }
                else
                {
                    current.Append(rune.ToString());
                }
            }

            if (current.Length > 0)
            {
                words.Add(current.ToString());
            }
        }

        return words;
    }

    private static string StripAccents(string text)
    {
        var decomposed = text.Normalize(NormalizationForm.FormD);
        var kept = new StringBuilder(decomposed.Length);
        foreach (var rune in decomposed.EnumerateRunes())
        {
            if (Rune.GetUnicodeCategory(rune) != UnicodeCategory.NonSpacingMark)
            {
                kept.Append(rune.ToString());
            }
        }

        return kept.ToString();
    }

    private static bool IsControl(Rune rune) =>
        rune.Value is not ('\t' or '\n' or '\r') && Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format;

    // ASCII symbols count as punctuation too (BERT treats $, ^, ` and the like as their own tokens).
    private static bool IsPunctuation(Rune rune) =>
        rune.Value is (>= 33 and <= 47) or (>= 58 and <= 64) or (>= 91 and <= 96) or (>= 123 and <= 126)
        || Rune.GetUnicodeCategory(rune) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;

    private static bool IsCjk(int c) =>
        c is (>= 0x4E00 and <= 0x9FFF) or (>= 0x3400 and <= 0x4DBF) or (>= 0x20000 and <= 0x2A6DF) or (>= 0x2A700 and <= 0x2B73F)
            or (>= 0x2B740 and <= 0x2B81F) or (>= 0x2B820 and <= 0x2CEAF) or (>= 0xF900 and <= 0xFAFF) or (>= 0x2F800 and <= 0x2FA1F);
}
