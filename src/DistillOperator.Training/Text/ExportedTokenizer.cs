using System.Text.Json.Nodes;

namespace DistillOperator.Training.Text;

/// <summary>The tokenizer saved beside an exported model: vocab.txt and tokenizer_config.json.</summary>
public static class ExportedTokenizer
{
    /// <summary>The tokenizer settings file.</summary>
    public const string ConfigFile = "tokenizer_config.json";

    /// <summary>The vocabulary file.</summary>
    public const string VocabularyFile = "vocab.txt";

    /// <summary>Writes vocab.txt and tokenizer_config.json (Hugging Face keys, plus which tokenizer built the vocabulary).</summary>
    public static void Write(string folder, ITokenizer tokenizer, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        new Vocabulary(tokenizer.Vocabulary, "tokenizer").Write(Path.Combine(folder, VocabularyFile));
        AtomicFile.WriteAllText(Path.Combine(folder, ConfigFile), new JsonObject
        {
            ["tokenizer_class"] = "BertTokenizer",
            ["do_lower_case"] = tokenizer.LowerCase,
            ["model_max_length"] = maxLength,
            ["distill_tokenizer"] = tokenizer is WordTokenizer ? "word" : "wordpiece",
        }.ToJsonString() + "\n");
    }

    /// <summary>The tokenizer of an exported model folder.</summary>
    public static ITokenizer Read(string folder)
    {
        var vocabulary = Vocabulary.Read(Path.Combine(folder, VocabularyFile));
        var config = Config(folder);
        var lowerCase = (bool?)config?["do_lower_case"] ?? true;
        return (string?)config?["distill_tokenizer"] == "word" ? WordTokenizer.From(vocabulary, lowerCase) : new WordPieceTokenizer(vocabulary, lowerCase);
    }

    /// <summary>The longest input the model was trained on, when recorded.</summary>
    public static int? MaxLength(string folder) => (int?)Config(folder)?["model_max_length"];

    private static JsonObject? Config(string folder)
    {
        var path = Path.Combine(folder, ConfigFile);
        return File.Exists(path) ? JsonNode.Parse(File.ReadAllText(path)) as JsonObject : null;
    }
}
