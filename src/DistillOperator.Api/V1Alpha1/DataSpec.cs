using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using DistillOperator.Api.Schema;

namespace DistillOperator.Api.V1Alpha1;

/// <summary>Training and evaluation data, and how text becomes token ids.</summary>
public sealed class DataSpec
{
    /// <summary>The training set.</summary>
    [Required]
    [JsonPropertyName("train")]
    public DatasetSpec Train { get; set; } = new();

    /// <summary>The set used to evaluate teacher and student and to pick checkpoints. Without it, the report has no accuracy.</summary>
    [JsonPropertyName("validation")]
    public DatasetSpec? Validation { get; set; }

    /// <summary>An optional held-out set, evaluated once at the end.</summary>
    [JsonPropertyName("test")]
    public DatasetSpec? Test { get; set; }

    /// <summary>The tokenizer. Defaults to a word-level vocabulary built from the training data.</summary>
    [JsonPropertyName("tokenizer")]
    public TokenizerSpec Tokenizer { get; set; } = new();

    /// <summary>Longest sequence in tokens, including [CLS] and [SEP]; longer texts are truncated.</summary>
    [Range(8, 4096)]
    [JsonPropertyName("maxSequenceLength")]
    public int MaxSequenceLength { get; set; } = 128;
}

/// <summary>One labelled text file.</summary>
[CelRule("!has(self.textPairField) || self.textPairField != self.textField", "textPairField must differ from textField")]
public sealed class DatasetSpec
{
    /// <summary>The file: <c>pvc://CLAIM/PATH</c>, <c>file:///PATH</c> or a relative path for local runs.</summary>
    [Required]
    [MinLength(1)]
    [JsonPropertyName("uri")]
    public string Uri { get; set; } = "";

    /// <summary>tsv or csv (RFC 4180 quoting, a header row naming the fields), or jsonl (one JSON object per line).</summary>
    [JsonPropertyName("format")]
    public DataFormat Format { get; set; } = DataFormat.Tsv;

    /// <summary>The column or JSON field holding the text.</summary>
    [MinLength(1)]
    [JsonPropertyName("textField")]
    public string TextField { get; set; } = "sentence";

    /// <summary>The column holding the second text of a pair (entailment, paraphrase); unset for single texts.</summary>
    [MinLength(1)]
    [JsonPropertyName("textPairField")]
    public string? TextPairField { get; set; }

    /// <summary>The column holding the label: an integer class index or a class name.</summary>
    [MinLength(1)]
    [JsonPropertyName("labelField")]
    public string LabelField { get; set; } = "label";

    /// <summary>Class names in class-index order. Unset: integer labels are used as they are; string labels are sorted.</summary>
    [MinLength(2)]
    [JsonPropertyName("labels")]
    public IList<string>? Labels { get; set; }
}

/// <summary>Data file formats.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DataFormat>))]
public enum DataFormat
{
    /// <summary>Tab-separated values with a header row.</summary>
    [JsonStringEnumMemberName("tsv")] Tsv,

    /// <summary>Comma-separated values with a header row.</summary>
    [JsonStringEnumMemberName("csv")] Csv,

    /// <summary>One JSON object per line.</summary>
    [JsonStringEnumMemberName("jsonl")] Jsonl,
}

/// <summary>How text is split into token ids.</summary>
public sealed class TokenizerSpec
{
    /// <summary>wordpiece (BERT, needs vocab) or word (a vocabulary built from the training data). Defaults to wordpiece when vocab is set, else word. A pretrained teacher (spec.teacher.model) without vocab keeps the tokenizer saved beside it.</summary>
    [JsonPropertyName("type")]
    public TokenizerType? Type { get; set; }

    /// <summary>
    /// A BERT vocab.txt for wordpiece: <c>pvc://</c>, <c>file://</c> or a relative path. Unset with spec.teacher.model,
    /// the run reads the vocab.txt (and tokenizer_config.json) beside the teacher's weights, so the teacher sees the
    /// ids it was trained with; a teacher folder without vocab.txt is an error.
    /// </summary>
    [MinLength(1)]
    [JsonPropertyName("vocab")]
    public string? Vocab { get; set; }

    /// <summary>Largest vocabulary a word tokenizer builds, special tokens included.</summary>
    [Range(16, 1000000)]
    [JsonPropertyName("maxVocab")]
    public int MaxVocab { get; set; } = 30000;

    /// <summary>Lower-case (and strip accents from) the text before splitting.</summary>
    [JsonPropertyName("lowerCase")]
    public bool LowerCase { get; set; } = true;
}

/// <summary>Tokenizer kinds.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TokenizerType>))]
public enum TokenizerType
{
    /// <summary>BERT WordPiece from a vocab.txt.</summary>
    [JsonStringEnumMemberName("wordpiece")] WordPiece,

    /// <summary>Whole words, vocabulary built from the training data.</summary>
    [JsonStringEnumMemberName("word")] Word,
}
