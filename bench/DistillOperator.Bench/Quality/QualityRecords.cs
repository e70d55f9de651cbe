using System.Security.Cryptography;
using System.Text.Json;
using DistillOperator.Api.V1Alpha1;
using DistillOperator.Training;
using DistillOperator.Training.Models;
using DistillOperator.Training.Runs;

namespace DistillOperator.Bench.Quality;

/// <summary>
/// The fine-tuned teacher every cell distils from, as saved in teacher.json. <paramref name="Fingerprint"/> names its
/// recipe (pretrained model, data, settings), which cells match on: a fresh checkout fine-tunes the teacher again from
/// the same recipe, and on another CPU that may differ in the last bits (<paramref name="Weights"/>) without being
/// another teacher. Builds replaced that way are kept in <paramref name="EarlierBuilds"/> for the table to report.
/// </summary>
internal sealed record TeacherRecord(
    string Fingerprint,
    int TrainExamples,
    int Epochs,
    double LearningRate,
    long Steps,
    double Seconds,
    double DevAccuracy,
    double TestAccuracy,
    long Parameters,
    long EncoderParameters,
    string? Weights = null,
    IReadOnlyList<TeacherBuild>? EarlierBuilds = null);

/// <summary>One fine-tuning of the teacher's recipe: a hash of its weights and what it measured.</summary>
internal sealed record TeacherBuild(string Weights, double DevAccuracy, double TestAccuracy);

/// <summary>One finished cell, as saved in its JSON file.</summary>
internal sealed record CellRecord(
    string Key,
    string Schedule,
    string Strategy,
    int Seed,
    int TrainExamples,
    int Epochs,
    long Steps,
    double Seconds,
    string TeacherFingerprint,
    double DevAccuracy,
    double TestAccuracy,
    double DevAgreement,
    double TestAgreement,
    long Parameters,
    long EncoderParameters,
    double Speedup,
    long? ResumedFromStep = null,
    bool FrozenEmbeddings = false,
    string? TeacherWeights = null)
{
    /// <summary>True when the cell was distilled from this teacher, on the same data, with the table's student recipe.</summary>
    public bool SameRecipe(TeacherRecord teacher) =>
        TeacherFingerprint == teacher.Fingerprint && TrainExamples == teacher.TrainExamples && FrozenEmbeddings == QualityCell.FreezeEmbeddings;

    /// <summary>True when the cell was trained from this teacher with these settings (else it runs again).</summary>
    public bool Matches(QualityCell cell, TeacherRecord teacher) => SameRecipe(teacher) && Epochs == cell.TotalEpochs;
}

/// <summary>Reading and writing the records, and what identifies a teacher.</summary>
internal static class QualityRecords
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>Writes a record atomically.</summary>
    public static void Save<T>(string path, T record)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(record, Json) + "\n");
    }

    /// <summary>The record at <paramref name="path"/>, or null when there is none; a damaged file is an error naming it.</summary>
    public static T? Load<T>(string path)
        where T : class
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path}: empty record");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a saved {typeof(T).Name} ({e.Message}); delete it to run that cell again", e);
        }
    }

    /// <summary>A short hash of a checkpoint's weights: which build of the teacher a cell was distilled from.</summary>
    public static string WeightsHash(string checkpointFolder) => FileHash(Path.Combine(checkpointFolder, BertCheckpoint.WeightsFile));

    /// <summary>
    /// A short hash of what makes the teacher: the bytes of the pretrained model, its vocabulary and the training file,
    /// and every setting of its fine-tuning job that shapes the weights (named here, so an unrelated new spec field does
    /// not change it).
    /// </summary>
    public static string Recipe(DistillationJobSpec spec, string pretrainedModel, string vocabulary, string trainFile)
    {
        var t = spec.Training;
        var settings = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"epochs={spec.Teacher.Finetune!.Epochs};lr={spec.Teacher.Finetune.LearningRate:R};seed={t.Seed};batch={t.BatchSize};warmup={t.WarmupRatio:R};decay={t.WeightDecay:R};clip={t.MaxGradNorm:R};buckets={t.LengthBucketing};maxLength={spec.Data.MaxSequenceLength};lowerCase={spec.Data.Tokenizer.LowerCase}");
        var parts = string.Join("\n", FileHash(pretrainedModel), FileHash(vocabulary), FileHash(trainFile), settings);
        return Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(parts)))[..16];
    }

    private static string FileHash(string path)
    {
        using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(file))[..16];
    }

    /// <summary>Parameters outside the embeddings (the encoder, pooler and classifier), the paper's way of counting.</summary>
    public static long EncoderParameters(string checkpointFolder, long parameters)
    {
        var config = BertConfig.Read(Path.Combine(checkpointFolder, BertCheckpoint.ConfigFile));
        var embeddings = ((long)config.VocabSize + config.MaxPositions + config.TypeVocabSize + 2) * config.HiddenSize;
        return parameters - embeddings;
    }

    /// <summary>The cell's record, from the run that trained it.</summary>
    public static CellRecord ForCell(QualityCell cell, int trainExamples, double seconds, TeacherRecord teacher, RunResult result) => new(
        cell.Key,
        QualityCell.ScheduleName(cell.Schedule),
        QualityCell.StrategyName(cell.Strategy),
        cell.Seed,
        trainExamples,
        cell.TotalEpochs,
        result.Outcome.Steps,
        seconds,
        teacher.Fingerprint,
        result.Outcome.Student!.Accuracy,
        result.Test!.Value.Student.Accuracy,
        result.Outcome.Agreement!.Value,
        result.Test.Value.Agreement,
        result.StudentParameters,
        EncoderParameters(result.VersionFolder, result.StudentParameters),
        result.Speedup ?? double.NaN,
        result.Outcome.ResumedFromStep,
        QualityCell.FreezeEmbeddings,
        teacher.Weights);
}
