using System.Text.Json;
using System.Text.Json.Nodes;
using DistillOperator.Api.V1Alpha1;

namespace DistillOperator.Training.Data;

/// <summary>Reads a labelled data file (TSV, CSV or JSONL) as its job spec describes it; a bad row names file, line and reason.</summary>
public static class DatasetReader
{
    /// <summary>
    /// Reads the raw rows: text, optional pair, and the label as written. Labels are resolved to classes separately so
    /// the training set can decide the classes for every split.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is missing, a column is missing, or a row is malformed.</exception>
    public static List<(string Text, string? Pair, string Label, int Line)> ReadRaw(DatasetSpec spec, string path)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (!File.Exists(path))
        {
            throw new InvalidDataException($"{path}: data file not found (from uri {spec.Uri})");
        }

        return spec.Format == DataFormat.Jsonl ? ReadJsonLines(spec, path) : ReadDelimited(spec, path, spec.Format == DataFormat.Tsv ? '\t' : ',');
    }

    /// <summary>Reads a file and resolves its labels with <paramref name="labels"/>.</summary>
    public static List<LabeledExample> Read(DatasetSpec spec, string path, LabelSet labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var examples = new List<LabeledExample>();
        foreach (var (text, pair, raw, line) in ReadRaw(spec, path))
        {
            var (index, error) = labels.Resolve(raw);
            if (index is null)
            {
                throw new InvalidDataException($"{path}:{line}: {error}");
            }

            examples.Add(new LabeledExample(text, pair, index.Value, line));
        }

        if (examples.Count == 0)
        {
            throw new InvalidDataException($"{path}: no examples");
        }

        return examples;
    }

    private static List<(string, string?, string, int)> ReadDelimited(DatasetSpec spec, string path, char delimiter)
    {
        using var reader = new StreamReader(path);
        using var records = DelimitedRecordReader.Read(reader, delimiter, path).GetEnumerator();
        if (!records.MoveNext())
        {
            throw new InvalidDataException($"{path}: empty file; expected a header row naming the columns");
        }

        var header = records.Current.Fields.Select(f => f.Trim()).ToList();
        int Column(string name, string field) =>
            header.IndexOf(name) is var index and >= 0
                ? index
                : throw new InvalidDataException($"{path}:1: no column \"{name}\" (spec field {field}); the header has: {string.Join(", ", header)}");

        var text = Column(spec.TextField, "textField");
        var label = Column(spec.LabelField, "labelField");
        var pair = spec.TextPairField is null ? -1 : Column(spec.TextPairField, "textPairField");
        var rows = new List<(string, string?, string, int)>();
        while (records.MoveNext())
        {
            var record = records.Current;
            if (record.Fields.Count != header.Count)
            {
                throw new InvalidDataException($"{path}:{record.Line}: expected {header.Count} fields as in the header, got {record.Fields.Count}");
            }

            rows.Add(Row(path, record.Line, record.Fields[text], pair < 0 ? null : record.Fields[pair], record.Fields[label]));
        }

        return rows;
    }

    private static List<(string, string?, string, int)> ReadJsonLines(DatasetSpec spec, string path)
    {
        var rows = new List<(string, string?, string, int)>();
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            JsonObject obj;
            try
            {
                obj = JsonNode.Parse(line) as JsonObject ?? throw new InvalidDataException($"{path}:{number}: expected a JSON object");
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{path}:{number}: not valid JSON: {e.Message}", e);
            }

            string Field(string name, string specField) => obj[name] switch
            {
                JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
                JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.ToJsonString(),
                JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.ToJsonString(),
                null => throw new InvalidDataException($"{path}:{number}: no field \"{name}\" (spec field {specField})"),
                var other => throw new InvalidDataException($"{path}:{number}: field \"{name}\" must be a string or number, got {other.GetValueKind()}"),
            };

            rows.Add(Row(path, number, Field(spec.TextField, "textField"), spec.TextPairField is null ? null : Field(spec.TextPairField, "textPairField"), Field(spec.LabelField, "labelField")));
        }

        return rows;
    }

    private static (string, string?, string, int) Row(string path, int line, string text, string? pair, string label)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new InvalidDataException($"{path}:{line}: the text is empty");
        }

        if (string.IsNullOrWhiteSpace(label))
        {
            throw new InvalidDataException($"{path}:{line}: the label is empty");
        }

        return (text, pair, label.Trim(), line);
    }
}
