using DistillOperator.Api.V1Alpha1;
using DistillOperator.Training.Data;
using DistillOperator.Training.Models;
using DistillOperator.Training.Text;
using TorchSharp;

namespace DistillOperator.Bench;

/// <summary>The first examples of SST-2's training set, tokenized, and the models the trainer benchmarks distil.</summary>
/// <param name="Tokenizer">A word-level vocabulary built from the examples.</param>
/// <param name="Train">The encoded examples.</param>
internal sealed record Sst2Sample(WordTokenizer Tokenizer, List<EncodedExample> Train)
{
    /// <summary>Width of the models (all-MiniLM-L6-v2's).</summary>
    public const int Hidden = 384;

    /// <summary>Feed-forward width of the models.</summary>
    public const int Intermediate = 1536;

    /// <summary>Attention heads of the models.</summary>
    public const int Heads = 12;

    /// <summary>Where the data is, from the repository root.</summary>
    public const string DefaultPath = "../shared/data/sst2/train.tsv";

    /// <summary>Reads the first <paramref name="examples"/> rows of <paramref name="path"/>; null (with the reason printed) when it is missing.</summary>
    public static Sst2Sample? Load(string path, int examples, int maxLength)
    {
        if (!File.Exists(path))
        {
            Console.Error.WriteLine($"{path}: not found; run from the repository root with ../shared beside it, or pass --data");
            return null;
        }

        var rows = DatasetReader.Read(new DatasetSpec { Uri = path }, path, LabelSet.FromNames(["0", "1"])).Take(examples).ToList();
        var tokenizer = WordTokenizer.Build(rows.Select(r => r.Text), 20000, lowerCase: true);
        return new Sst2Sample(tokenizer, EncodedExample.Encode(rows, tokenizer, maxLength));
    }

    /// <summary>A teacher of all-MiniLM-L6-v2's shape (6 layers, 384 wide, 12 heads) and a 3-layer student of the same width, seeded.</summary>
    public (BertClassifier Teacher, BertClassifier Student) Models()
    {
        torch.manual_seed(1);
        var teacher = new BertClassifier(new BertConfig { VocabSize = Tokenizer.Vocabulary.Count, Layers = 6, HiddenSize = Hidden, Heads = Heads, IntermediateSize = Intermediate, MaxPositions = 512, Labels = 2 });
        return (teacher, new BertClassifier(teacher.Config with { Layers = 3 }));
    }
}
