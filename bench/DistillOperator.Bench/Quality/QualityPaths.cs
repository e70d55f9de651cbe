using DistillOperator.Api.V1Alpha1;
using DistillOperator.Training;
using DistillOperator.Training.Runs;

namespace DistillOperator.Bench.Quality;

/// <summary>Where the quality table's inputs, models and results live.</summary>
internal sealed class QualityPaths(QualityOptions options)
{
    private int? _trainExampleCount;

    /// <summary>The folder of saved results (cells, teacher, table).</summary>
    public string Results { get; } = Path.GetFullPath(options.Results);

    /// <summary>The folder of models, checkpoints and caches.</summary>
    public string Work { get; } = Path.GetFullPath(options.Work);

    /// <summary>all-MiniLM-L6-v2 as shipped: model.onnx and vocab.txt.</summary>
    public string PretrainedTeacher => Path.Combine(Work, "all-MiniLM-L6-v2");

    /// <summary>The output folder of the teacher's fine-tuning job.</summary>
    public string TeacherJobOutput => Path.Combine(Work, "teacher-job");

    /// <summary>
    /// The fine-tuned teacher every student distils from: in the teacher job's promoted version, or where trainers before
    /// versioned outputs put it (a work folder of an earlier release).
    /// </summary>
    public string FinetunedTeacher => Directory.Exists(Path.Combine(TeacherJobOutput, JobRunner.FinetunedTeacherFolder))
        ? Path.Combine(TeacherJobOutput, JobRunner.FinetunedTeacherFolder)
        : Path.Combine(TeacherJobOutput, Training.Outputs.OutputLayout.CurrentLink, JobRunner.FinetunedTeacherFolder);

    /// <summary>Teacher outputs on disk, shared by the cells of a seed (same batches).</summary>
    public string TeacherCache => Path.Combine(Work, "teacher-cache");

    /// <summary>The saved record of the fine-tuned teacher.</summary>
    public string TeacherRecord => Path.Combine(Results, "teacher.json");

    /// <summary>The table as Markdown.</summary>
    public string Table => Path.Combine(Results, "table.md");

    /// <summary>A cell's student and checkpoints, per build of the teacher: an interrupted cell never resumes against other weights.</summary>
    public string CellOutput(QualityCell cell, string teacherWeights) => Path.Combine(Work, "cells", teacherWeights, cell.Key);

    /// <summary>A cell's saved result.</summary>
    public string CellRecord(QualityCell cell) => Path.Combine(Results, cell.Key + ".json");

    /// <summary>The absolute file URI of a local path.</summary>
    public string FileUri(string path) => "file://" + Path.GetFullPath(path);

    /// <summary>SST-2 as the jobs read it: the first N training examples when asked for, dev as validation, test as test.</summary>
    public DataSpec Data() => new()
    {
        Train = new DatasetSpec { Uri = FileUri(TrainFile()) },
        Validation = new DatasetSpec { Uri = FileUri(Path.Combine(options.Data, "dev.tsv")) },
        Test = new DatasetSpec { Uri = FileUri(Path.Combine(options.Data, "test.tsv")) },
        Tokenizer = new TokenizerSpec { Type = TokenizerType.WordPiece, Vocab = FileUri(PretrainedVocabulary), LowerCase = true },
        MaxSequenceLength = 64,
    };

    /// <summary>Training examples the jobs read (data rows of the training file).</summary>
    public int TrainExampleCount() => _trainExampleCount ??= File.ReadLines(TrainFile()).Count() - 1;

    /// <summary>Checks the data folder, naming what is missing.</summary>
    public void CheckData()
    {
        foreach (var file in new[] { "train.tsv", "dev.tsv", "test.tsv" })
        {
            var path = Path.Combine(options.Data, file);
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"{path}: not found; run from the repository root with ../shared beside it, or pass --data DIR (a folder with SST-2's train.tsv, dev.tsv and test.tsv)");
            }
        }
    }

    /// <summary>all-MiniLM-L6-v2's ONNX graph, as extracted.</summary>
    public string PretrainedModel => Path.Combine(PretrainedTeacher, "model.onnx");

    /// <summary>all-MiniLM-L6-v2's vocabulary, as extracted.</summary>
    public string PretrainedVocabulary => Path.Combine(PretrainedTeacher, "vocab.txt");

    /// <summary>The training file the jobs read: the first N examples of train.tsv (header kept), written once; the whole file when no N is asked for.</summary>
    public string TrainFile()
    {
        if (options.TrainExamples is not { } count)
        {
            return Path.Combine(options.Data, "train.tsv");
        }

        var source = Path.GetFullPath(Path.Combine(options.Data, "train.tsv"));
        var origin = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(source)))[..8];
        var subsample = Path.Combine(Work, "data", $"train-first-{count}-of-{origin}.tsv");
        if (!File.Exists(subsample))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(subsample)!);
            AtomicFile.WriteAllText(subsample, string.Join("\n", File.ReadLines(source).Take(count + 1)) + "\n");
        }

        return subsample;
    }
}
