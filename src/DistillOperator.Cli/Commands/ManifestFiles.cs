namespace DistillOperator.Cli.Commands;

/// <summary>Expands the paths given to -f into manifest files, as kubectl does.</summary>
internal static class ManifestFiles
{
    private static readonly string[] Extensions = [".yaml", ".yml", ".json"];

    /// <summary>
    /// Files named directly are taken whatever their extension; folders give their .yaml, .yml and .json files
    /// (recursively with <paramref name="recursive"/>), sorted. A path that does not exist is returned as is, so the
    /// caller reports it as unreadable.
    /// </summary>
    public static IEnumerable<string> Expand(IEnumerable<string> paths, bool recursive)
    {
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                var option = recursive ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly;
                foreach (var file in Directory.EnumerateFiles(path, "*", option)
                    .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                    .Order(StringComparer.Ordinal))
                {
                    yield return file;
                }
            }
            else
            {
                yield return path;
            }
        }
    }
}
