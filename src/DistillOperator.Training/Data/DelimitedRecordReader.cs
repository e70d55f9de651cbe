using System.Text;

namespace DistillOperator.Training.Data;

/// <summary>One record of a delimited file, with the line it starts on (1-based).</summary>
public sealed record DelimitedRecord(int Line, IReadOnlyList<string> Fields);

/// <summary>
/// Reads RFC 4180 delimited text (CSV with ',' or TSV with '\t'): fields may be quoted with '"', a quote inside a
/// quoted field is written twice, and quoted fields may span lines. Blank lines are skipped.
/// </summary>
public static class DelimitedRecordReader
{
    /// <summary>The records of <paramref name="reader"/>.</summary>
    /// <exception cref="InvalidDataException">A quoted field is never closed or text follows a closing quote; names the line.</exception>
    public static IEnumerable<DelimitedRecord> Read(TextReader reader, char delimiter, string source)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var line = 1;
        var fields = new List<string>();
        var field = new StringBuilder();
        var recordLine = 1;
        var quoted = false;
        var afterQuote = false;
        var fieldStarted = false;
        int c;
        while ((c = reader.Read()) >= 0)
        {
            var ch = (char)c;
            if (quoted)
            {
                if (ch == '"')
                {
                    if (reader.Peek() == '"')
                    {
                        reader.Read();
                        field.Append('"');
                    }
                    else
                    {
                        quoted = false;
                        afterQuote = true;
                    }
                }
                else
                {
                    if (ch == '\n')
                    {
                        line++;
                    }

                    field.Append(ch);
                }

                continue;
            }

            if (ch == delimiter)
            {
                fields.Add(field.ToString());
                field.Clear();
                afterQuote = false;
                fieldStarted = true;
            }
            else if (ch is '\n' or '\r')
            {
                if (ch == '\r' && reader.Peek() == '\n')
                {
                    reader.Read();
                }

                if (fieldStarted || field.Length > 0 || fields.Count > 0 || afterQuote)
                {
                    fields.Add(field.ToString());
                    yield return new DelimitedRecord(recordLine, fields);
                }

                fields = [];
                field.Clear();
                afterQuote = false;
                fieldStarted = false;
                line++;
                recordLine = line;
            }
            else if (afterQuote)
            {
                throw new InvalidDataException($"{source}:{line}: text after a closing quote; a quote inside a quoted field is written twice (\"\")");
            }
            else if (ch == '"' && field.Length == 0)
            {
                quoted = true;
                fieldStarted = true;
            }
            else
            {
                field.Append(ch);
                fieldStarted = true;
            }
        }

        if (quoted)
        {
            throw new InvalidDataException($"{source}:{recordLine}: a quoted field starting on this line is never closed");
        }

        if (fieldStarted || field.Length > 0 || fields.Count > 0 || afterQuote)
        {
            fields.Add(field.ToString());
            yield return new DelimitedRecord(recordLine, fields);
        }
    }
}
