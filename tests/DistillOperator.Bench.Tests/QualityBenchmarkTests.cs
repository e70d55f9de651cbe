using System.Text.Json.Nodes;
using DistillOperator.Bench.Quality;
using DistillOperator.Testing;

namespace DistillOperator.Bench.Tests;

/// <summary>
/// The quality table's command on a tiny SST-2-shaped task made here (the real all-MiniLM-L6-v2 teacher, a few steps):
/// cells are saved as they finish, a later run skips them, and cells of another teacher run again.
/// </summary>
public sealed class QualityBenchmarkTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("distill-quality-").FullName;

    public QualityBenchmarkTests()
    {
        Directory.CreateDirectory(Data);
        SyntheticSentiment.WriteTsv(Path.Combine(Data, "train.tsv"), 64, seed: 1);
        SyntheticSentiment.WriteTsv(Path.Combine(Data, "dev.tsv"), 32, seed: 2);
        SyntheticSentiment.WriteTsv(Path.Combine(Data, "test.tsv"), 32, seed: 3);
    }

    private string Data => Path.Combine(_folder, "sst2");

    private string Results => Path.Combine(_folder, "results");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private (int Code, string Output, string Error) Quality(params string[] extra)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        // A teacher that learns the tiny task in a few steps: one no better than the majority class would stop every cell.
        string[] args = ["--data", Data, "--results", Results, "--work", Path.Combine(_folder, "work"), "--seeds", "1", "--strategies", "soft,stacked", "--schedules", "natural", "--teacher-epochs", TeacherEpochs.ToString(System.Globalization.CultureInfo.InvariantCulture), "--teacher-learning-rate", "1e-3", .. extra];
        var code = QualityBenchmark.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private const int TeacherEpochs = 3;

    private string TeacherFile => Path.Combine(Results, "teacher.json");

    private JsonObject Cell(string key) => JsonNode.Parse(File.ReadAllText(Path.Combine(Results, key + ".json")))!.AsObject();

    private void Rewrite(string key, Action<JsonObject> change)
    {
        var cell = Cell(key);
        change(cell);
        File.WriteAllText(Path.Combine(Results, key + ".json"), cell.ToJsonString());
    }

    [Fact]
    public void Each_cell_is_saved_as_it_finishes_and_a_later_run_skips_saved_cells_but_reruns_those_of_another_teacher()
    {
        var (code, output, error) = Quality();

        Assert.True(code == 0, error + output);
        var teacher = JsonNode.Parse(File.ReadAllText(Path.Combine(Results, "teacher.json")))!;
        var soft = Cell("natural-soft-seed1");
        var stacked = Cell("natural-stacked-seed1");
        Assert.Equal(teacher["fingerprint"]!.GetValue<string>(), soft["teacherFingerprint"]!.GetValue<string>());
        Assert.Equal(2, soft["steps"]!.GetValue<long>()); // 64 examples, batch 32, one epoch
        Assert.Equal(8, stacked["steps"]!.GetValue<long>()); // three internal stages and the classification stage
        var table = File.ReadAllText(Path.Combine(Results, "table.md"));
        Assert.Contains("| soft | 1 | 2 |", table, StringComparison.Ordinal);
        Assert.Contains("| stacked | 4 | 8 |", table, StringComparison.Ordinal);

        // A saved cell is not trained again: the table shows what the file says.
        Rewrite("natural-soft-seed1", c => c["devAccuracy"] = 0.123);
        (code, output, error) = Quality();
        Assert.True(code == 0, error + output);
        Assert.Contains("teacher: saved", output, StringComparison.Ordinal);
        Assert.Contains("natural-soft-seed1: saved (dev 12.30%), skipped", output, StringComparison.Ordinal);
        Assert.Contains("natural-stacked-seed1: saved", output, StringComparison.Ordinal);
        Assert.Contains("| soft | 1 | 2 | 12.30 |", File.ReadAllText(Path.Combine(Results, "table.md")), StringComparison.Ordinal);

        // A cell distilled from another teacher, or trained on other data, is trained again from this one.
        Rewrite("natural-stacked-seed1", c => c["teacherFingerprint"] = "0000000000000000");
        Rewrite("natural-soft-seed1", c => c["trainExamples"] = 63);
        (code, output, error) = Quality();
        Assert.True(code == 0, error + output);
        Assert.DoesNotContain("natural-stacked-seed1: saved", output, StringComparison.Ordinal);
        Assert.DoesNotContain("natural-soft-seed1: saved", output, StringComparison.Ordinal);
        Assert.Equal(teacher["fingerprint"]!.GetValue<string>(), Cell("natural-stacked-seed1")["teacherFingerprint"]!.GetValue<string>());
        Assert.Equal(64, Cell("natural-soft-seed1")["trainExamples"]!.GetValue<int>());

        // A cell of an earlier student recipe (embeddings trained) is trained again with the table's.
        Assert.True(Cell("natural-soft-seed1")["frozenEmbeddings"]!.GetValue<bool>());
        Rewrite("natural-soft-seed1", c => c["frozenEmbeddings"] = false);
        (code, output, error) = Quality();
        Assert.True(code == 0, error + output);
        Assert.DoesNotContain("natural-soft-seed1: saved", output, StringComparison.Ordinal);
        Assert.Contains("natural-stacked-seed1: saved", output, StringComparison.Ordinal);
        Assert.True(Cell("natural-soft-seed1")["frozenEmbeddings"]!.GetValue<bool>());
    }

    [Fact]
    public void A_fresh_checkout_fine_tunes_the_teacher_again_from_its_recipe_and_keeps_the_saved_cells()
    {
        var (code, output, error) = Quality();
        Assert.True(code == 0, error + output);
        var first = JsonNode.Parse(File.ReadAllText(TeacherFile))!.AsObject();
        var recipe = first["fingerprint"]!.GetValue<string>();
        var weights = first["weights"]!.GetValue<string>();
        Assert.Equal(weights, Cell("natural-soft-seed1")["teacherWeights"]!.GetValue<string>());

        // A fresh checkout (models gone) on a CPU whose arithmetic gave the earlier build other last bits.
        Directory.Delete(Path.Combine(_folder, "work"), recursive: true);
        first["weights"] = "feedfacefeedface";
        first["devAccuracy"] = 0.5;
        File.WriteAllText(TeacherFile, first.ToJsonString());
        (code, output, error) = Quality();

        Assert.True(code == 0, error + output);
        Assert.Contains("teacher: fine-tuning", output, StringComparison.Ordinal);
        Assert.Contains("natural-soft-seed1: saved", output, StringComparison.Ordinal);
        Assert.Contains("natural-stacked-seed1: saved", output, StringComparison.Ordinal);
        var second = JsonNode.Parse(File.ReadAllText(TeacherFile))!.AsObject();
        Assert.Equal(recipe, second["fingerprint"]!.GetValue<string>());
        Assert.Equal(weights, second["weights"]!.GetValue<string>()); // the same machine gives the same bits
        var earlier = Assert.Single(second["earlierBuilds"]!.AsArray())!;
        Assert.Equal(("feedfacefeedface", 0.5), (earlier["weights"]!.GetValue<string>(), earlier["devAccuracy"]!.GetValue<double>()));
        Assert.Contains("fine-tuned 2 times from this recipe", File.ReadAllText(Path.Combine(Results, "table.md")), StringComparison.Ordinal);

        // A teacher.json from before recipes (its fingerprint was the weights' hash) is taken as this recipe's build.
        File.WriteAllText(TeacherFile, new JsonObject { ["fingerprint"] = weights, ["trainExamples"] = 64, ["epochs"] = TeacherEpochs, ["learningRate"] = 1e-3, ["steps"] = 2 * TeacherEpochs, ["seconds"] = 1.0, ["devAccuracy"] = 0.6, ["testAccuracy"] = 0.6, ["parameters"] = 1, ["encoderParameters"] = 1 }.ToJsonString());
        (code, output, error) = Quality();
        Assert.True(code == 0, error + output);
        Assert.Contains("teacher: saved", output, StringComparison.Ordinal);
        Assert.Equal(recipe, JsonNode.Parse(File.ReadAllText(TeacherFile))!["fingerprint"]!.GetValue<string>());
    }

    [Fact]
    public void Quick_keeps_its_teacher_and_cells_apart_from_the_full_tables_whichever_folder_is_given()
    {
        var resultsGiven = QualityOptions.Parse(["--quick", "--results", "mine"]);
        var workGiven = QualityOptions.Parse(["--quick", "--work", "scratch"]);

        Assert.Equal(("mine", ".out/quality-quick"), (resultsGiven.Results, resultsGiven.Work));
        Assert.Equal(("bench/results/quality-quick", "scratch"), (workGiven.Results, workGiven.Work));
        Assert.Equal(QualityOptions.QuickTrainExamples, workGiven.TrainExamples);
        Assert.Equal([1], workGiven.Seeds);
    }

    [Theory]
    [InlineData("--seeds", "0", "--seeds: expected a positive whole number, got '0'")]
    [InlineData("--strategies", "soft,deep", "--strategies: unknown strategy 'deep'; expected none, soft, all-layers, progressive, stacked")]
    [InlineData("--schedules", "short", "--schedules: unknown schedule 'short'; expected natural, equal-steps")]
    [InlineData("--frobnicate", "1", "--frobnicate: unknown option")]
    public void A_bad_option_is_named_and_nothing_runs(string option, string value, string expected)
    {
        var (code, _, error) = Quality(option, value);

        Assert.Equal(2, code);
        Assert.Equal($"quality: {expected}", error.Trim());
        Assert.False(Directory.Exists(Results));
    }

    [Fact]
    public void A_data_folder_without_SST2_is_named()
    {
        File.Delete(Path.Combine(Data, "test.tsv"));

        var (code, _, error) = Quality();

        Assert.Equal(1, code);
        Assert.StartsWith($"quality: {Path.Combine(Data, "test.tsv")}: not found", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Results));
    }
}
