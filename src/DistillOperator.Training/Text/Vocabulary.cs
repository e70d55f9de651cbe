namespace DistillOperator.Training.Text;

/// <summary>A token vocabulary: one token per line of vocab.txt, the line number (from 0) being its id.</summary>
public sealed class Vocabulary
{
    private readonly Dictionary<string, int> _ids;

    /// <summary>Creates a vocabulary; it must hold [PAD], [UNK], [CLS] and [SEP].</summary>
    /// <exception cref="InvalidDataException">A required token is missing or a token repeats; names the source.</exception>
    public Vocabulary(IReadOnlyList<string> tokens, string source)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        Tokens = tokens;
        _ids = new Dictionary<string, int>(tokens.Count, StringComparer.Ordinal);
        for (var i = 0; i < tokens.Count; i++)
        {
            if (!_ids.TryAdd(tokens[i], i))
            {
                throw new InvalidDataException($"{source}:{i + 1}: token \"{tokens[i]}\" appears twice (first on line {_ids[tokens[i]] + 1})");
            }
        }

        var missing = SpecialTokens.Required.Where(t => !_ids.ContainsKey(t)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidDataException($"{source}: the vocabulary has no {string.Join(", ", missing)}; a BERT vocabulary needs {string.Join(", ", SpecialTokens.Required)}");
        }
    }

    /// <summary>Tokens in id order.</summary>
    public IReadOnlyList<string> Tokens { get; }

    /// <summary>The id of a token, or null when it is not in the vocabulary.</summary>
    public int? IdOf(string token) => _ids.TryGetValue(token, out var id) ? id : null;

    /// <summary>The id of a token that must be present.</summary>
    public int this[string token] => _ids[token];

    /// <summary>Reads vocab.txt.</summary>
    public static Vocabulary Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new InvalidDataException($"{path}: vocabulary file not found");
        }

        var lines = File.ReadAllLines(path);
        var count = lines.Length > 0 && lines[^1].Length == 0 ? lines.Length - 1 : lines.Length;
        return new Vocabulary([.. lines.Take(count).Select(l => l.TrimEnd('\r'))], path);
    }

    /// <summary>Writes vocab.txt atomically.</summary>
    public void Write(string path) => AtomicFile.WriteAllText(path, string.Join('\n', Tokens) + "\n");
}
