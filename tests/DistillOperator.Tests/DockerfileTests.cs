using System.Text.RegularExpressions;
using DistillOperator.Testing;

namespace DistillOperator.Tests;

/// <summary>
/// There is no Docker engine here, so the Dockerfile is checked as far as it can be without one: each image stage
/// runs as a non-root user, and the publish commands it runs produce the entry point it starts, which answers --help.
/// </summary>
public sealed partial class DockerfileTests
{
    private static readonly string Dockerfile = File.ReadAllText(RepositoryPaths.Combine("Dockerfile"));

    [Fact]
    public void Each_image_stage_runs_as_a_non_root_user_on_a_small_runtime_base()
    {
        foreach (var target in new[] { "operator", "trainer" })
        {
            var stage = Stage(target);
            Assert.Matches(@"(?m)^USER 10001$", stage);
            Assert.DoesNotMatch(@"(?m)^FROM \$\{SDK_IMAGE\}", stage);
        }
    }

    [Fact]
    public void The_published_outputs_the_images_copy_exist_and_start()
    {
        var root = Directory.CreateTempSubdirectory("distill-publish-").FullName;
        try
        {
            var published = new Dictionary<string, string>();
            foreach (Match publish in PublishCommand().Matches(Dockerfile))
            {
                var output = Path.Combine(root, publish.Groups["output"].Value.TrimStart('/'));
                // Its own artifacts folder, so the test never touches the Debug build the other tests run.
                Run("dotnet", "publish", RepositoryPaths.Combine(publish.Groups["project"].Value), "-c", "Release", "-o", output, "--artifacts-path", Path.Combine(root, "artifacts"), "-nologo", "-v", "q");
                published[publish.Groups["output"].Value] = output;
            }

            Assert.Equal(["/out/operator", "/out/trainer"], published.Keys.Order());
            foreach (var target in new[] { "operator", "trainer" })
            {
                var stage = Stage(target);
                var copied = Regex.Match(stage, @"COPY --from=build (?<from>\S+) \./").Groups["from"].Value;
                var entry = Regex.Match(stage, @"ENTRYPOINT \[""dotnet"", ""/app/(?<dll>[^""]+)""\]").Groups["dll"].Value;
                var dll = Path.Combine(published[copied], entry);
                Assert.True(File.Exists(dll), $"{target}: {entry} is not in the published {copied}");
                var (code, text) = Run("dotnet", dll, "--help");
                Assert.True(code == 0, $"{target}: {text}");
                Assert.Contains("usage", text, StringComparison.OrdinalIgnoreCase);
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static string Stage(string target)
    {
        var start = Dockerfile.IndexOf($" AS {target}\n", StringComparison.Ordinal);
        Assert.True(start > 0, $"no stage {target}");
        var next = Dockerfile.IndexOf("\nFROM ", start, StringComparison.Ordinal);
        return next < 0 ? Dockerfile[start..] : Dockerfile[start..next];
    }

    private static (int Code, string Output) Run(string file, params string[] arguments)
    {
        var (code, output, error) = ToolProcess.Run(file, arguments, timeout: TimeSpan.FromMinutes(10));
        var text = output + error;
        if (file == "dotnet" && arguments[0] == "publish")
        {
            Assert.True(code == 0, text);
        }

        return (code, text);
    }

    [GeneratedRegex(@"RUN dotnet publish (?<project>\S+\.csproj) -c Release --no-restore -o (?<output>\S+)")]
    private static partial Regex PublishCommand();
}
