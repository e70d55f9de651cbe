namespace DistillOperator.Testing;

/// <summary>Paths inside the repository the tests run from.</summary>
public static class RepositoryPaths
{
    private static readonly Lazy<string> RootPath = new(() =>
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "DistillOperator.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No DistillOperator.sln above {AppContext.BaseDirectory}; run the tests from the repository.");
    });

    /// <summary>The folder holding DistillOperator.sln.</summary>
    public static string Root => RootPath.Value;

    /// <summary>A path under the repository root.</summary>
    public static string Combine(params string[] parts) => Path.Combine([Root, .. parts]);
}
