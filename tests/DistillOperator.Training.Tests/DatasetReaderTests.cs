using DistillOperator.Api.V1Alpha1;
using DistillOperator.Training.Data;

namespace DistillOperator.Training.Tests;

public sealed class DatasetReaderTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private string Write(string name, string content)
    {
        var path = _folder.Combine(name);
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public void Quoted_TSV_fields_may_hold_tabs_quotes_and_line_breaks_and_errors_name_the_right_line()
    {
        var path = Write("train.tsv", "sentence\tlabel\n\"a \"\"quoted\"\"\tword\"\t1\n\"two\nlines\"\t0\nplain\t1\n");
        var spec = new DatasetSpec { Uri = path };

        var rows = DatasetReader.ReadRaw(spec, path);

        Assert.Equal([("a \"quoted\"\tword", 2), ("two\nlines", 3), ("plain", 5)], rows.Select(r => (r.Text, r.Line)));
        File.AppendAllText(path, "too\tmany\tfields\n");
        var error = Assert.Throws<InvalidDataException>(() => DatasetReader.ReadRaw(spec, path));
        Assert.Equal($"{path}:6: expected 2 fields as in the header, got 3", error.Message);
    }

    [Fact]
    public void CSV_with_a_text_pair_and_string_labels_maps_labels_in_sorted_order()
    {
        var path = Write("pairs.csv", "premise,hypothesis,label\r\n\"A man, sitting\",Someone sits,entailment\r\nA dog,A cat,contradiction\r\n");
        var spec = new DatasetSpec { Uri = path, Format = DataFormat.Csv, TextField = "premise", TextPairField = "hypothesis" };

        var labels = LabelSet.Infer(DatasetReader.ReadRaw(spec, path).Select(r => r.Label), path);
        var examples = DatasetReader.Read(spec, path, labels);

        Assert.Equal(["contradiction", "entailment"], labels.Names);
        Assert.Equal([("A man, sitting", "Someone sits", 1), ("A dog", "A cat", 0)], examples.Select(e => (e.Text, e.Pair, e.Label)));
    }

    [Fact]
    public void JSONL_reads_fields_and_reports_a_bad_line()
    {
        var path = Write("train.jsonl", "{\"text\": \"good\", \"y\": 1}\n\n{\"text\": \"bad\", \"y\": 0}\n{\"text\": \"odd\"}\n");
        var spec = new DatasetSpec { Uri = path, Format = DataFormat.Jsonl, TextField = "text", LabelField = "y" };

        var error = Assert.Throws<InvalidDataException>(() => DatasetReader.ReadRaw(spec, path));

        Assert.Equal($"{path}:4: no field \"y\" (spec field labelField)", error.Message);
    }

    [Fact]
    public void A_missing_column_names_the_spec_field_and_the_header()
    {
        var path = Write("train.tsv", "text\tlabel\nhello\t1\n");

        var error = Assert.Throws<InvalidDataException>(() => DatasetReader.ReadRaw(new DatasetSpec { Uri = path }, path));

        Assert.Equal($"{path}:1: no column \"sentence\" (spec field textField); the header has: text, label", error.Message);
    }

    [Fact]
    public void Listed_class_names_accept_names_and_indices_and_reject_others()
    {
        var labels = LabelSet.FromNames(["negative", "positive"]);

        Assert.Equal(1, labels.Resolve("positive").Index);
        Assert.Equal(0, labels.Resolve("0").Index);
        Assert.Equal("label 2 is out of range: the task has 2 classes (negative, positive)", labels.Resolve("2").Error);
        Assert.Equal("label \"neutral\" is not one of the classes (negative, positive)", labels.Resolve("neutral").Error);
    }
}
